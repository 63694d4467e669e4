#!/usr/bin/env bash
# Builds the Debian packages into BUILD_DIR/deb (docs/packaging.md): configures BUILD_DIR with
# prefix /usr and Debian's hardening flags (dpkg-buildflags, plus -z now), builds, runs
# `cpack -G DEB`. Extra arguments go to cmake's configure step.
# Usage: packaging/build-debs.sh BUILD_DIR [-DOPTION=VALUE...]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 BUILD_DIR [cmake options]}
shift
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags="$(dpkg-buildflags --get LDFLAGS) -Wl,-z,now"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
	-DDROVE_BUILD_TESTS=OFF -DDROVE_BUILD_BENCH=OFF \
	-DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
	-DCMAKE_SHARED_LINKER_FLAGS="$ldflags" -DCMAKE_MODULE_LINKER_FLAGS="$ldflags" "$@"
cmake --build "$build" -j"$(nproc)"
rm -rf "$build/deb"
(cd "$build" && cpack -G DEB)
