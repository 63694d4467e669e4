#!/usr/bin/env bash
# examples/validate-spec: accepts the three sample specs, rejects an invalid one naming
# every bad field, and exits 2 for a missing file.
set -u
exe=$1
data=$2
fail=0
for f in application task localservice; do
	if ! out=$("$exe" "$data/$f.json" 2>&1); then
		echo "FAIL: $f.json rejected: $out"
		fail=1
	fi
done
out=$("$exe" "$data/invalid_app.json" 2>&1)
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: invalid_app.json exit $rc, want 1"; fail=1; }
for field in '^name' '^resources\[0\]\.count' '^placementPolicy\.type'; do
	echo "$out" | grep -q "$field" || { echo "FAIL: no error line for $field in: $out"; fail=1; }
done
"$exe" "$data/does-not-exist.json" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: missing file exit $rc, want 2"; fail=1; }
[ $fail -eq 0 ] && echo "validate-spec: samples accepted, invalid spec rejected with its fields"
exit $fail
