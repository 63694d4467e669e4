#!/usr/bin/env bash
# Installs the build into a temporary prefix and proves the package works for an outside
# program: SONAME, exported symbols, pkg-config and find_package(libdrove).
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
lib=$(ls "$prefix"/lib*/libdrove.so.*.*.* 2>/dev/null | head -n1 || true)
[ -z "$lib" ] && lib=$(find "$prefix" -name 'libdrove.so.*.*.*' | head -n1)
libdir=$(dirname "$lib")

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libdrove.so.0" ] || { echo "FAIL: SONAME is '$soname'"; exit 1; }
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^drove_' | grep -v '^DROVE_' || true)
[ -z "$bad" ] || { echo "FAIL: non-drove_ symbols exported:"; echo "$bad"; exit 1; }
internal=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep '^drove__' || true)
[ -z "$internal" ] || { echo "FAIL: internal symbols exported:"; echo "$internal"; exit 1; }
nexp=$(nm -D --defined-only "$lib" | grep -c ' drove_' || true)

for h in "$src"/include/drove/*.h; do
	[ -f "$prefix/include/drove/$(basename "$h")" ] || { echo "FAIL: $(basename "$h") not installed"; exit 1; }
done
[ -f "$prefix/include/drove/drove.h" ] && [ -f "$prefix/include/drove/version.h" ]

# pkg-config
export PKG_CONFIG_PATH=$libdir/pkgconfig
cc -std=c99 -Wall -Werror -o "$tmp/version" "$src/examples/version.c" \
	$(pkg-config --cflags --libs libdrove)
out=$(LD_LIBRARY_PATH=$libdir "$tmp/version")
echo "$out" | grep -q '^libdrove ' || { echo "FAIL: version example printed '$out'"; exit 1; }

# find_package(libdrove)
mkdir -p "$tmp/consumer"
cat > "$tmp/consumer/CMakeLists.txt" <<CMK
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(libdrove 0.1 REQUIRED)
add_executable(version $src/examples/version.c)
target_link_libraries(version PRIVATE libdrove::drove)
CMK
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
LD_LIBRARY_PATH=$libdir "$tmp/consumer/build/version" | grep -q '^libdrove '

# Every example also builds against the installed package alone.
for ex in "$src"/examples/*.c; do
	cc -std=c11 -Wall -Werror -o "$tmp/ex" "$ex" $(pkg-config --cflags --libs libdrove)
done
echo "install ok: SONAME $soname, $nexp drove_ symbols exported, pkg-config and find_package work"
