#!/usr/bin/env bash
# The first run (README "Try it"): runs README command one, `scripts/cluster.sh up`, with its
# state under BUILD_DIR/first-run, reusing the daemons of BUILD_DIR and free ports instead of
# 4000/3000 (DROVE_CONTROLLER_PORT / DROVE_EXECUTOR_PORT); curls the sample app through the
# published host ports (those `up` prints and those of GET /apis/v1/endpoints); runs `up`
# again (nothing restarts, nothing is deployed twice); runs `down` and checks that no daemon,
# no container of its executor and no app record remain. Fails loudly, and cleans up.
# Usage: tests/cluster/test_first_run.sh BUILD_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
work=$build/first-run
cluster=$src/scripts/cluster.sh
APP=DROVE_TEST_APP-1
export CONTAINERS_CONF=$src/tests/harness/containers.conf

t0=$(date +%s%N)
elapsed() { echo "$((($(date +%s%N) - t0) / 1000000)) ms"; }
fail() {
	printf 'test_first_run: FAIL: %s\n' "$*" >&2
	exit 1
}
say() { printf 'test_first_run: %s\n' "$*"; }

# A free loopback port whose successor is free too (the admin connector is port + 1).
free_port_pair() {
	python3 - <<'PY'
import socket
for _ in range(100):
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1))
    except OSError:
        a.close(); continue
    a.close(); b.close(); print(p); break
PY
}

rm -rf "$work"
mkdir -p "$work"
export DROVE_CLUSTER_DIR=$work/state
export DROVE_BUILD_DIR=$build
DROVE_CONTROLLER_PORT=$(free_port_pair)
DROVE_EXECUTOR_PORT=$(free_port_pair)
[ "$DROVE_EXECUTOR_PORT" != "$DROVE_CONTROLLER_PORT" ] || DROVE_EXECUTOR_PORT=$(free_port_pair)
export DROVE_CONTROLLER_PORT DROVE_EXECUTOR_PORT
API=http://127.0.0.1:$DROVE_CONTROLLER_PORT/apis/v1
state=$DROVE_CLUSTER_DIR

pid_of() { cat "$state/$1.pid" 2>/dev/null || true; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Containers of our executor (by the executor id in their drove.instance.info label).
our_containers() {
	podman ps -a --filter label=drove.instance.id --format json 2>/dev/null |
		python3 -c "import json,sys; [print(c['Id']) for c in json.load(sys.stdin) if '\"executorId\":\"$1\"' in (c.get('Labels') or {}).get('drove.instance.info','')]"
}

finished=0
cleanup() {
	local rc=$?
	if [ $finished -eq 0 ]; then
		for f in up1 up2 down; do
			[ -f "$work/$f.log" ] && { echo "---- $f.log"; tail -n 30 "$work/$f.log"; }
		done
		for f in controller executor podman; do
			[ -f "$state/$f.log" ] && { echo "---- $state/$f.log (tail)"; tail -n 30 "$state/$f.log"; }
		done
		"$cluster" down >/dev/null 2>&1 || true
		for p in controller executor podman; do
			pid=$(pid_of $p)
			if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
		done
		if [ -n "${eid:-}" ]; then our_containers "$eid" | xargs -r podman rm -f >/dev/null 2>&1 || true; fi
		echo "test_first_run: state kept in $work" >&2
	else
		rm -rf "$work"
	fi
	exit $rc
}
trap cleanup EXIT

# curl every URL given and check the sample app's answer
curl_app() {
	local n=0 body
	for url in "$@"; do
		body=$(curl -sS --max-time 5 "$url") || fail "curl $url failed"
		[ "$body" = ok ] || fail "curl $url answered '$body', not 'ok'"
		n=$((n + 1))
	done
	echo $n
}

urls_printed() { grep -Eo 'http://127\.0\.0\.1:[0-9]+/$' "$1" | sort -u; }

urls_endpoints() {
	curl -sf "$API/endpoints" | python3 -c "
import json, sys
d = json.load(sys.stdin)['data']
for a in d:
    if a['appId'] == '$APP':
        for h in a['hosts']:
            print('http://127.0.0.1:%d/' % h['port'])" | sort -u
}

# ---- 1. README command one ----
say "scripts/cluster.sh up (controller :$DROVE_CONTROLLER_PORT, executor :$DROVE_EXECUTOR_PORT, state $state)"
"$cluster" up >"$work/up1.log" 2>&1 || fail "cluster.sh up exited $? (log above)"
grep -q 'Your cluster is up' "$work/up1.log" || fail "up did not say the cluster is up"
grep -q "deploying the sample application $APP" "$work/up1.log" || fail "up did not deploy $APP"
grep -q "$APP: 2 HEALTHY instance(s)" "$work/up1.log" || fail "up did not report 2 HEALTHY instances"
mapfile -t printed < <(urls_printed "$work/up1.log")
[ ${#printed[@]} -eq 2 ] || fail "up printed ${#printed[@]} endpoint URL(s), not 2: ${printed[*]:-}"
[ "$(curl_app "${printed[@]}")" = 2 ] || fail "the printed endpoints did not all answer"
mapfile -t published < <(urls_endpoints)
[ "${published[*]}" = "${printed[*]}" ] ||
	fail "GET /endpoints lists '${published[*]}', up printed '${printed[*]}'"
[ "$(curl_app "${published[@]}")" = 2 ] || fail "the published endpoints did not all answer"
cli_out=$("$build/daemons/drove/drove" -e "http://127.0.0.1:$DROVE_CONTROLLER_PORT" apps list) ||
	fail "drove apps list failed"
grep "$APP" <<<"$cli_out" | grep -q RUNNING || fail "drove apps list: $cli_out"
eid=$(cat "$state/executor.id" 2>/dev/null || true)
[ -n "$eid" ] || fail "up did not record the executor id"
pids=("$(pid_of controller)" "$(pid_of executor)" "$(pid_of podman)")
for p in "${pids[@]}"; do alive "$p" || fail "a daemon of up is not running (pids ${pids[*]})"; done
say "up: 2 instances answer 'ok' on ${printed[*]} ($(elapsed))"

# ---- 2. safe to run twice ----
"$cluster" up >"$work/up2.log" 2>&1 || fail "second cluster.sh up exited $?"
grep -q 'Your cluster is up' "$work/up2.log" || fail "second up did not say the cluster is up"
! grep -q 'deploying the sample application' "$work/up2.log" || fail "second up deployed again"
pids2=("$(pid_of controller)" "$(pid_of executor)" "$(pid_of podman)")
[ "${pids2[*]}" = "${pids[*]}" ] || fail "second up restarted daemons: ${pids[*]} -> ${pids2[*]}"
mapfile -t printed2 < <(urls_printed "$work/up2.log")
[ "${printed2[*]}" = "${printed[*]}" ] || fail "second up changed the instances: ${printed2[*]}"
[ "$(curl_app "${printed2[@]}")" = 2 ] || fail "after the second up the endpoints did not answer"
st=$("$cluster" status) || fail "cluster.sh status exited $?"
grep -q "$APP: 2 HEALTHY" <<<"$st" || fail "status does not show 2 HEALTHY instances: $st"

# ---- 3. down: nothing remains ----
"$cluster" down >"$work/down.log" 2>&1 || fail "cluster.sh down exited $?"
grep -q 'warning' "$work/down.log" && fail "down: $(cat "$work/down.log")"
for p in "${pids[@]}"; do ! alive "$p" || fail "pid $p still runs after down"; done
! curl -s --max-time 2 "$API/ping" >/dev/null || fail "the controller still answers after down"
[ ! -e "$state/podman.sock" ] || fail "the podman socket remains after down"
left=$(our_containers "$eid")
[ -z "$left" ] || fail "containers of executor $eid remain after down: $left"
for url in "${printed[@]}"; do
	! curl -s --max-time 2 "$url" >/dev/null || fail "$url still answers after down"
done
# the app record is gone from the embedded store: a controller on the same data lists no app
"$build/daemons/drove-controller/drove-controller" -c "$state/controller.yml" >"$work/check.log" 2>&1 &
cpid=$!
for _ in $(seq 1 100); do curl -sf "$API/ping" >/dev/null 2>&1 && break; sleep 0.1; done
apps=$(curl -sf "$API/applications" |
	python3 -c "import json,sys; d=json.load(sys.stdin); print(len(d['data']) if d['status']=='SUCCESS' else d)" ||
	echo 'no answer')
kill "$cpid"
wait "$cpid" || fail "the check controller did not stop cleanly"
[ "$apps" = 0 ] ||
	fail "the embedded store still holds apps after down: $apps"

finished=1
say "PASS in $(elapsed)"
