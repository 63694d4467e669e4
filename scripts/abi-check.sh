#!/usr/bin/env bash
# ABI check (docs/building.md, "ABI stability and the ABI check"): compares the public ABI of
# the libdrove.so built in BUILD_DIR (a RelWithDebInfo build: it needs DWARF) with the committed
# baseline abi/libdrove.abi, using abidw and abidiff from Debian's abigail-tools.
#
#   scripts/abi-check.sh BUILD_DIR            check; fails on an incompatible change
#   scripts/abi-check.sh BUILD_DIR --update   write the baseline from BUILD_DIR
#
# Only the public API counts: functions exported from the library and the types defined in
# include/drove/*.h. Types defined anywhere else (the opaque structs behind the public typedefs)
# are recorded as declarations only, so internal changes never touch the baseline.
#
# Exit status: 0 no change, or a compatible one (only added functions or variables: the report
# says to refresh the baseline); 1 an incompatible change (anything else: a removed or changed
# function, a changed public struct), or a baseline whose SONAME is not the library's (stale:
# DROVE_SOVERSION moved without --update); 2 usage, missing tools or a library without DWARF.
# DROVE_ABI_BASELINE overrides the baseline path (the self-test, tests/abi/test_abi_check.sh).
# --update refuses to record an incompatible change under an unchanged SONAME; set
# DROVE_ABI_ALLOW_BREAK=1 when DROVE_SOVERSION already moved since the last release.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
baseline=${DROVE_ABI_BASELINE:-$src/abi/libdrove.abi}

usage() {
	echo "usage: $0 BUILD_DIR [--update]" >&2
	exit 2
}
die() {
	echo "abi-check: $*" >&2
	exit 2
}

build='' update=0
for a in "$@"; do
	case $a in
	--update) update=1 ;;
	-h | --help) usage ;;
	-*) echo "abi-check: unknown option $a" >&2; usage ;;
	*) [ -z "$build" ] || usage; build=$a ;;
	esac
done
[ -n "$build" ] || usage
for t in abidw abidiff abilint readelf; do
	command -v "$t" >/dev/null ||
		die "$t not found (abidw, abidiff, abilint: Debian package abigail-tools, scripts/deps.sh)"
done

# The library: libdrove/libdrove.so is the development link to the current
# libdrove.so.<VERSION> (libdrove/CMakeLists.txt), so a stale file of an older version is ignored.
[ -e "$build/libdrove/libdrove.so" ] ||
	die "no $build/libdrove/libdrove.so: configure and build the drove target first"
lib=$(readlink -f "$build/libdrove/libdrove.so")
sections=$(readelf -S --wide "$lib") || die "readelf cannot read $lib"
grep -q '\.debug_info' <<<"$sections" ||
	die "$lib has no DWARF: use a RelWithDebInfo (or Debug) build"
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ -n "$soname" ] || die "$lib has no SONAME"
# Translation-unit paths in the XML are made relative to the source tree the build came from,
# so the baseline is the same on every machine and checkout.
srcdir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
[ -n "$srcdir" ] || srcdir=$src

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Private types: abidw's --headers-dir matches headers by base name only, and internal headers
# share names with public ones (libdrove/config/config.h, include/drove/config.h), which would
# pull internal structs into the ABI. This suppression keeps, by full path, the types defined in
# include/drove/*.h; its label makes abidw treat every other type as opaque (declaration only).
cat >"$tmp/private-types.abignore" <<'EOF'
[suppress_type]
  label = Artificial private types suppression specification
  source_location_not_regexp = /include/drove/[^/]+\.h$
  drop = yes
EOF

# Options that keep the XML independent of the machine, of paths and of internal code: no
# source locations, paths, DT_NEEDED list, parameter names or undefined (imported) symbols;
# hash type ids, so adding one type does not renumber the rest.
abidw --suppressions "$tmp/private-types.abignore" --drop-private-types --drop-undefined-syms \
	--exported-interfaces-only --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed \
	--no-parameter-names --type-id-style hash --out-file "$tmp/raw.abi" "$lib" ||
	die "abidw failed on $lib"
esc=$(printf '%s/' "$srcdir" | sed 's/[][\.*^$|]/\\&/g')
sed "s|path='$esc|path='|" "$tmp/raw.abi" >"$tmp/current.abi"
nfun=$(grep -c '<elf-symbol ' "$tmp/current.abi" || true)
abilint --noout "$tmp/current.abi" >/dev/null 2>&1 || die "abidw wrote an unreadable ABI file"

# abidiff reports no change at all when a file does not parse (a truncated or hand-edited
# baseline), so the baseline is checked with abilint first.
baseline_ok() {
	abilint --noout "$baseline" >"$tmp/lint" 2>&1 && return 0
	head -5 "$tmp/lint" >&2
	return 1
}

base_soname=
[ -f "$baseline" ] && base_soname=$(sed -n "1s/.* soname='\([^']*\)'.*/\1/p" "$baseline")

# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 ABI change, 8 incompatible
# change. abidiff sets 8 only for removed functions, variables and symbols: a changed layout of
# a public struct (drove_duration shrinking, a member removed) is just 4. So only additions are
# compatible: compare() sets rc to 0 (no change), 4 (additions only) or 8 (anything else), seen
# by running abidiff again without the added functions and variables.
rc=0
compare() {
	local full=0 rest=0
	abidiff --no-default-suppression "$baseline" "$tmp/current.abi" >"$tmp/report" 2>&1 || full=$?
	if [ $((full & 3)) -ne 0 ]; then
		cat "$tmp/report" >&2
		die "abidiff failed (status $full) comparing $baseline with $lib"
	fi
	rc=0
	[ $((full & 12)) -eq 0 ] && return 0
	abidiff --no-default-suppression --no-added-syms "$baseline" "$tmp/current.abi" \
		>/dev/null 2>&1 || rest=$?
	[ $((rest & 3)) -eq 0 ] || die "abidiff failed (status $rest) comparing $baseline with $lib"
	if [ $((full & 8)) -ne 0 ] || [ $((rest & 12)) -ne 0 ]; then
		rc=8
	else
		rc=4
	fi
}

if [ $update -eq 1 ]; then
	if [ -f "$baseline" ] && [ "$base_soname" = "$soname" ] && baseline_ok; then
		compare
		if [ $((rc & 8)) -ne 0 ] && [ "${DROVE_ABI_ALLOW_BREAK:-0}" != 1 ]; then
			cat "$tmp/report"
			echo "abi-check: refusing to record an INCOMPATIBLE change under the same SONAME" \
				"$soname: bump DROVE_SOVERSION in CMakeLists.txt, rebuild and run --update again" \
				"(DROVE_ABI_ALLOW_BREAK=1 if it already moved since the last release)" >&2
			exit 1
		fi
		if [ $rc -ne 0 ]; then cat "$tmp/report"; fi
	fi
	mkdir -p "$(dirname "$baseline")"
	cp "$tmp/current.abi" "$baseline"
	echo "abi-check: wrote $baseline ($soname, $nfun exported functions," \
		"$(wc -c <"$baseline") bytes); commit it with the change"
	exit 0
fi

[ -f "$baseline" ] || {
	echo "abi-check: no baseline $baseline: create it with $0 $build --update" >&2
	exit 1
}
baseline_ok || {
	echo "abi-check: $baseline does not parse (abilint, above): restore it from git, or" \
		"regenerate it with $0 $build --update" >&2
	exit 1
}
if [ "$base_soname" != "$soname" ]; then
	echo "abi-check: the baseline is for ${base_soname:-no SONAME} but the library is $soname:" \
		"DROVE_SOVERSION moved without the baseline; run $0 $build --update and commit" \
		"abi/libdrove.abi with the SOVERSION change" >&2
	exit 1
fi

compare
if [ $((rc & 8)) -ne 0 ]; then
	cat "$tmp/report"
	echo "abi-check: FAILED: INCOMPATIBLE ABI change against $baseline (above). Undo it, or bump" \
		"DROVE_SOVERSION in CMakeLists.txt and run $0 $build --update in the same commit" \
		"(docs/building.md, \"ABI stability and the ABI check\")" >&2
	exit 1
elif [ $((rc & 4)) -ne 0 ]; then
	cat "$tmp/report"
	echo "abi-check: passed with a compatible ABI change (above): refresh the baseline with" \
		"$0 $build --update and commit abi/libdrove.abi with the change"
else
	echo "abi-check: no ABI change against $baseline ($soname, $nfun exported functions)"
fi
exit 0
