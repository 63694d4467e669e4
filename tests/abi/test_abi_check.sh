#!/usr/bin/env bash
# Self-test of scripts/abi-check.sh: proves the ABI check can fail. Usage: test_abi_check.sh
# BUILD_DIR (a RelWithDebInfo build of the drove target). Writes a fresh baseline from the build
# with --update, then points the check (DROVE_ABI_BASELINE) at edited copies of it:
#   unchanged                       passes, "no ABI change"
#   one extra function declared     the library looks like it REMOVED it: fails, names it
#   one function left out           the library looks like it ADDED it: passes, names it
#   a public struct one member more the library looks like it shrank it: fails (abidiff says 4)
#   truncated                       fails (abidiff alone says "no change")
#   another SONAME                  stale baseline (SOVERSION moved): fails
# and checks that --update refuses to record the removal under the same SONAME.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
check=$src/scripts/abi-check.sh
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# run NAME EXPECTED_STATUS BASELINE [ARGS...]: runs the check, keeps its output in $tmp/NAME.out.
run() {
	local name=$1 want=$2 base=$3 rc=0
	shift 3
	DROVE_ABI_BASELINE=$base "$check" "$build" "$@" >"$tmp/$name.out" 2>&1 || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: status $rc, expected $want; output:"
		sed 's/^/    /' "$tmp/$name.out"
		fails=$((fails + 1))
		return 1
	fi
}
# expect NAME PATTERN: the output of run NAME matches the extended regexp PATTERN.
expect() {
	if grep -Eq "$2" "$tmp/$1.out"; then
		echo "ok   $1: status as expected, output has /$2/"
	else
		echo "FAIL $1: output lacks /$2/:"
		sed 's/^/    /' "$tmp/$1.out"
		fails=$((fails + 1))
	fi
}

base=$tmp/libdrove.abi
run update 0 "$base" --update && expect update 'wrote .*libdrove\.so\.[0-9]+'
[ -s "$base" ] || { echo "FAIL: --update wrote no baseline"; exit 1; }
run unchanged 0 "$base" && expect unchanged 'no ABI change'

# A function the library does not export: a copy of one real declaration (its ELF symbol and
# its function-decl) under a new name.
fake=drove_abi_selftest_removed
model=$(grep -m1 -o "<function-decl name='drove_[a-z0-9_]*'" "$base" | cut -d"'" -f2)
[ -n "$model" ] || { echo "FAIL: no function-decl in the baseline"; exit 1; }
awk -v m="$model" -v f="$fake" -v q="'" '
	index($0, "<elf-symbol name=" q m q) { print; s = $0; sub(q m q, q f q, s); print s; next }
	index($0, "<function-decl name=" q m q) { grab = 1; buf = "" }
	grab { buf = buf $0 "\n" }
	{ print }
	grab && /<\/function-decl>/ {
		grab = 0; gsub(q m q, q f q, buf); gsub(q m "@", q f "@", buf); printf "%s", buf }
' "$base" >"$tmp/removed.abi"
[ "$(grep -c "'${fake}[@']" "$tmp/removed.abi")" -eq 2 ] ||
	{ echo "FAIL: could not add $fake to the baseline copy"; exit 1; }
run removed 1 "$tmp/removed.abi" && expect removed "$fake" && expect removed 'INCOMPATIBLE'

# --update must not record that removal under the same SONAME (the baseline stays as it was).
cp "$tmp/removed.abi" "$tmp/refused.abi"
run update_refused 1 "$tmp/refused.abi" --update && expect update_refused 'refusing' &&
	{ cmp -s "$tmp/removed.abi" "$tmp/refused.abi" ||
		{ echo "FAIL: --update overwrote the baseline"; fails=$((fails + 1)); }; }

# A function left out of the baseline: the library looks like it added one (compatible).
gone=$(grep -o "<function-decl name='drove_[a-z0-9_]*'" "$base" | tail -1 | cut -d"'" -f2)
awk -v g="$gone" -v q="'" '
	index($0, "<elf-symbol name=" q g q) { next }
	index($0, "<function-decl name=" q g q) { skip = 1 }
	skip { if (/<\/function-decl>/) skip = 0; next }
	{ print }
' "$base" >"$tmp/added.abi"
run added 0 "$tmp/added.abi" && expect added "$gone" && expect added 'compatible ABI change'

# A public struct with one more member in the baseline: the library looks like it shrank the
# struct and dropped the member. abidiff flags that as a change (4), not as incompatible (8);
# the check must still fail.
struct=$(grep -m1 -o "<class-decl name='drove_[a-z0-9_]*' size-in-bits='[0-9]*'" "$base" |
	cut -d"'" -f2)
[ -n "$struct" ] || { echo "FAIL: no public struct defined in the baseline"; exit 1; }
awk -v t="$struct" -v q="'" '
	index($0, "<class-decl name=" q t q " size-in-bits=" q) {
		split($0, a, "size-in-bits=" q); split(a[2], b, q); size = b[1]
		sub("size-in-bits=" q size q, "size-in-bits=" q (size + 64) q); inside = 1 }
	inside && /<\/class-decl>/ {
		inside = 0
		print "      <data-member access=" q "public" q " layout-offset-in-bits=" q size q ">"
		print "        <var-decl name=" q "abi_selftest_member" q " type-id=" q tid q \
			" visibility=" q "default" q "/>"
		print "      </data-member>" }
	inside && !tid && match($0, "type-id=" q "[^" q "]*" q) {
		tid = substr($0, RSTART + 9, RLENGTH - 10) }
	{ print }
' "$base" >"$tmp/struct.abi"
grep -q abi_selftest_member "$tmp/struct.abi" || { echo "FAIL: could not grow $struct"; exit 1; }
run struct 1 "$tmp/struct.abi" && expect struct 'abi_selftest_member' &&
	expect struct 'INCOMPATIBLE'

# A truncated baseline: abidiff alone would report no change at all.
head -c "$(($(wc -c <"$base") / 2))" "$base" >"$tmp/truncated.abi"
run truncated 1 "$tmp/truncated.abi" && expect truncated 'does not parse'

# A baseline for another SONAME: DROVE_SOVERSION moved without --update.
sed "1s/soname='[^']*'/soname='libdrove.so.999'/" "$base" >"$tmp/soname.abi"
run soname 1 "$tmp/soname.abi" && expect soname 'libdrove\.so\.999'

if [ $fails -ne 0 ]; then
	echo "test_abi_check: $fails failure(s)"
	exit 1
fi
echo "test_abi_check: all cases passed"
