#!/usr/bin/env bash
# An outside program against an installed libdrove-dev: examples/version.c built with
# pkg-config and with CMake's find_package(libdrove), both run; prints the library file each
# one loaded. Used by tests/install/test_install.sh (a prefix) and tests/package/test_debs.sh
# (the packages in /usr).
# Usage: outside_program.sh SRC WORKDIR [PREFIX]   (no PREFIX: the system's)
set -euo pipefail
src=$1 work=$2 prefix=${3:-}
mkdir -p "$work/consumer"
if [ -n "$prefix" ]; then
	libdir=$(dirname "$(find "$prefix" -name 'libdrove.so.[0-9]*' | head -n1)")
	export PKG_CONFIG_PATH=$libdir/pkgconfig
	export LD_LIBRARY_PATH=$libdir # programs built outside carry no RPATH
fi

cc -std=c99 -Wall -Werror -o "$work/version-pc" "$src/examples/version.c" \
	$(pkg-config --cflags --libs libdrove)
out=$("$work/version-pc")
echo "$out" | grep -q '^libdrove ' || { echo "FAIL: pkg-config program printed '$out'"; exit 1; }

cat >"$work/consumer/CMakeLists.txt" <<CMK
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(libdrove 0.1 REQUIRED)
add_executable(version $src/examples/version.c)
target_link_libraries(version PRIVATE libdrove::drove)
CMK
cmake -S "$work/consumer" -B "$work/consumer/build" ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} \
	>"$work/consumer.log" 2>&1 && cmake --build "$work/consumer/build" >>"$work/consumer.log" 2>&1 ||
	{ cat "$work/consumer.log"; echo "FAIL: the find_package(libdrove) program does not build"; exit 1; }
out=$("$work/consumer/build/version")
echo "$out" | grep -q '^libdrove ' || { echo "FAIL: find_package program printed '$out'"; exit 1; }

for p in "$work/version-pc" "$work/consumer/build/version"; do
	readlink -f "$(ldd "$p" | awk '/libdrove/ {print $3}')"
done | sort -u
