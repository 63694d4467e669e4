#!/usr/bin/env bash
# The whole test suite (README: "Run the tests"). Installs what it needs, then:
#   1. a release build with warnings as errors: unit, fuzz, package and bindings tests (the
#      bindings against a real cluster: they are not built with sanitizers), header checks,
#      the installed package, the ABI check against abi/libdrove.abi, and the unit tests again
#      under valgrind;
#   2. an ASan+UBSan build: unit, fuzz-corpus and integration tests against real components
#      (ZooKeeper, podman) that it starts and stops itself;
#   3. the first run: README command one (scripts/cluster.sh up) on the release build, a curl of
#      the sample app, `up` again and `down` (tests/cluster/test_first_run.sh);
#   4. a clang libFuzzer build: each fuzz target runs for DROVE_FUZZ_SECONDS (default 10).
# Set DROVE_REQUIRE_COMPONENTS=1 (CI does) to turn a missing component into a failure, and
# DROVE_WITH_DOCKER=1 (CI does) to test the runtime against dockerd as well as podman.
# Options: --no-deps (skip apt), --no-valgrind, --no-fuzz, --keep-components.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${DROVE_TEST_DIR:-$src/build/test}
jobs=$(nproc 2>/dev/null || echo 2)
deps=1 valgrind=1 fuzz=1 keep=0
for a in "$@"; do
	case $a in
	--no-deps) deps=0 ;;
	--no-valgrind) valgrind=0 ;;
	--no-fuzz) fuzz=0 ;;
	--keep-components) keep=1 ;;
	*) echo "unknown option $a" >&2; exit 2 ;;
	esac
done

step() { printf '\n==== %s\n' "$*"; }

# Every stage runs under a time limit, and a stuck one fails loudly with its name: ctest gives
# each test its TIMEOUT property; what runs outside ctest goes through `limit SECONDS NAME CMD`.
limit() {
	local secs=$1 name=$2 rc=0
	shift 2
	timeout --kill-after=10 "$secs" "$@" || rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "TIMEOUT: $name did not finish within ${secs}s" >&2
	fi
	return $rc
}

[ $deps -eq 1 ] && { step "dependencies"; "$src/scripts/deps.sh"; }

step "release build (-Werror)"
cmake -S "$src" -B "$out/release" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDROVE_WERROR=ON >/dev/null
cmake --build "$out/release" -j"$jobs"

step "ASan+UBSan build (-Werror)"
cmake -S "$src" -B "$out/asan" -DCMAKE_BUILD_TYPE=Debug -DDROVE_WERROR=ON -DDROVE_SANITIZE=ON \
	-DDROVE_BUILD_BENCH=OFF >/dev/null
cmake --build "$out/asan" -j"$jobs"

step "starting components (ZooKeeper, podman API service)"
comp=$out/components
stop_components() { [ $keep -eq 1 ] || "$src/tests/harness/components.sh" stop "$comp" || true; }
trap stop_components EXIT
"$src/tests/harness/components.sh" start "$comp"
# shellcheck disable=SC1091
source "$comp/env"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

step "tests: release build"
(cd "$out/release" && ctest --output-on-failure -j"$jobs" -L 'unit|fuzz|package|bindings')

step "ABI check against abi/libdrove.abi"
if command -v abidiff >/dev/null || [ "${DROVE_REQUIRE_COMPONENTS:-0}" = 1 ]; then
	limit 300 "ABI check (scripts/abi-check.sh)" "$src/scripts/abi-check.sh" "$out/release"
	limit 300 "ABI check self-test (tests/abi/test_abi_check.sh)" \
		"$src/tests/abi/test_abi_check.sh" "$out/release"
else
	echo "ABI check skipped: abidiff missing (abigail-tools, scripts/deps.sh)"
fi

step "tests: ASan+UBSan build (unit, fuzz corpus, integration)"
(cd "$out/asan" && ctest --output-on-failure -j1)

step "first run: README command one (scripts/cluster.sh up, curl, up again, down) on the release build"
limit 600 "first run (tests/cluster/test_first_run.sh)" "$src/tests/cluster/test_first_run.sh" "$out/release"

if [ $valgrind -eq 1 ]; then
	step "unit tests under valgrind"
	for t in "$out"/release/tests/check_*; do
		[ -x "$t" ] || continue
		CK_FORK=no DROVE_UNDER_VALGRIND=1 limit 600 "valgrind $(basename "$t")" valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
			"$t" >"$t.valgrind.log" 2>&1 || { cat "$t.valgrind.log"; echo "valgrind: $(basename "$t") failed"; exit 1; }
		echo "valgrind: $(basename "$t") clean"
	done
fi

if [ $fuzz -eq 1 ]; then
	step "fuzzing (${DROVE_FUZZ_SECONDS:-10}s per target)"
	CC=clang CXX=clang++ cmake -S "$src" -B "$out/fuzz" -DDROVE_FUZZ=ON -DDROVE_WERROR=ON \
		-DDROVE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$out/fuzz" -j"$jobs"
	for f in "$out"/fuzz/tests/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f" | sed 's/^fuzz_//')
		work=$out/fuzz/corpus-$name
		mkdir -p "$work"
		limit $((${DROVE_FUZZ_SECONDS:-10} + 120)) "fuzz $name" "$f" -max_total_time="${DROVE_FUZZ_SECONDS:-10}" -timeout=10 -max_len=65536 \
			-print_final_stats=0 \
			"$work" "$src/tests/fuzz/corpus/$name" >"$work.log" 2>&1 ||
			{ tail -40 "$work.log"; echo "fuzz: $name found a crash"; exit 1; }
		echo "fuzz: $name $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work.log" || grep -Eo '#[0-9]+' "$work.log" | tail -1) runs, no crash"
	done
fi

step "packages: .debs built, linted, installed, run through their units, purged; container images (tests/package/run.sh)"
timeout --kill-after=10 600 "$src/tests/package/run.sh" "$out/package"

step "all tests passed"
