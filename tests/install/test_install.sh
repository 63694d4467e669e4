#!/usr/bin/env bash
# Installs the build into a temporary prefix and proves the package works for an outside
# program: SONAME, exported symbols, pkg-config and find_package(libdrove); and that the
# install is relocatable: daemons, the CLI, the examples and the Python module run from the
# prefix, and from the same tree moved elsewhere, without LD_LIBRARY_PATH ($ORIGIN RPATH).
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
sover=$(sed -n 's/^set(DROVE_SOVERSION \([0-9][0-9]*\))$/\1/p' "$src/CMakeLists.txt")
[ "$soname" = "libdrove.so.$sover" ] || { echo "FAIL: SONAME is '$soname', not libdrove.so.$sover"; exit 1; }
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^drove_' | grep -v '^DROVE_' || true)
[ -z "$bad" ] || { echo "FAIL: non-drove_ symbols exported:"; echo "$bad"; exit 1; }
internal=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep '^drove__' || true)
[ -z "$internal" ] || { echo "FAIL: internal symbols exported:"; echo "$internal"; exit 1; }
nexp=$(nm -D --defined-only "$lib" | grep -c ' drove_' || true)

for h in "$src"/include/drove/*.h; do
	[ -f "$prefix/include/drove/$(basename "$h")" ] || { echo "FAIL: $(basename "$h") not installed"; exit 1; }
done
[ -f "$prefix/include/drove/drove.h" ] && [ -f "$prefix/include/drove/version.h" ]

# pkg-config and find_package(libdrove)
used=$("$src/tests/install/outside_program.sh" "$src" "$tmp" "$prefix")
[ "$used" = "$(readlink -f "$lib")" ] || { echo "FAIL: outside programs loaded '$used', not $lib"; exit 1; }

export PKG_CONFIG_PATH=$libdir/pkgconfig
# Every example also builds against the installed package alone.
for ex in "$src"/examples/*.c; do
	cc -std=c11 -Wall -Werror -o "$tmp/ex" "$ex" $(pkg-config --cflags --libs libdrove)
done
# Relocatable programs: no LD_LIBRARY_PATH, first where installed, then moved.
unset LD_LIBRARY_PATH
run_from() { # prefix
	local p=$1 out rc
	for d in drove-controller drove-executor; do
		[ -x "$p/bin/$d" ] || continue
		rc=0
		out=$("$p/bin/$d" 2>&1) || rc=$?
		# usage and status 2 prove the program started (a missing library is status 127)
		[ $rc -eq 2 ] && echo "$out" | grep -q "usage: .*$d" ||
			{ echo "FAIL: $p/bin/$d exited $rc: $out"; exit 1; }
	done
	if [ -x "$p/bin/drove" ]; then
		out=$("$p/bin/drove" --version 2>&1) || { echo "FAIL: $p/bin/drove --version: $out"; exit 1; }
	fi
	out=$("$p/libexec/drove/examples/version" 2>&1) ||
		{ echo "FAIL: installed example version: $out"; exit 1; }
	echo "$out" | grep -q '^libdrove ' || { echo "FAIL: installed example printed '$out'"; exit 1; }
	# the Python package is installed whenever the build has it (not in sanitizer builds)
	if compgen -G "$build/bindings/python/drove/_native*.so" >/dev/null; then
		(cd / && PYTHONPATH=$p/lib/python3/dist-packages /usr/bin/python3 -c \
			'import drove; drove.ClusterModel(seed=1).close(); print(drove.native.drove_version_string())') ||
			{ echo "FAIL: the installed Python package does not import from $p"; exit 1; }
	fi
}
run_from "$prefix"
mv "$prefix" "$tmp/moved"
run_from "$tmp/moved"
mv "$tmp/moved" "$prefix"

# Every installed file belongs to a package component (cmake/DrovePackaging.cmake).
cmake --install "$build" --component Unspecified --prefix "$tmp/unspecified" >/dev/null
left=$(find "$tmp/unspecified" -type f 2>/dev/null || true)
[ -z "$left" ] || { echo "FAIL: installed outside any package component:"; echo "$left"; exit 1; }

echo "install ok: relocatable (daemons, CLI, examples, Python module run from a moved prefix); SONAME $soname, $nexp drove_ symbols exported, pkg-config and find_package work"
