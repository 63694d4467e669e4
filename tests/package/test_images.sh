#!/usr/bin/env bash
# The container images (docs/packaging.md, "Container images"): builds them from the .debs
# with packaging/images/build-images.sh, runs the `podman run` lines of docs/packaging.md
# (the block between the test_images markers) with this run's configs, ports and engine
# socket, deploys the sample application, curls it, and removes its containers, volume and
# images.
# Usage: tests/package/test_images.sh DEB_DIR   (tests/package/test_debs.sh leaves them in
# BUILD_DIR/deb). Components as in test_debs.sh.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
debs=$(cd "${1:?usage: $0 DEB_DIR}" && pwd)
work=$(mktemp -d /tmp/drove-test-images.XXXXXX)
APP=DROVE_TEST_APP-1
export CONTAINERS_CONF=$src/tests/harness/containers.conf

t0=$(date +%s)
say() { printf 'test_images: [%3ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
fail() {
	printf 'test_images: FAIL: %s\n' "$*" >&2
	for c in controller executor epoch; do
		echo "--- podman logs $NAME-$c" >&2
		podman logs "$NAME-$c" 2>&1 | tail -20 >&2
	done
	exit 1
}
# shellcheck source=tests/package/lib.sh
source "$src/tests/package/lib.sh"

export NAME=drove-imgtest-$$
export TAG=test-$$
comp_started= eid=
cleanup() {
	set +e
	podman rm -f -t 5 "$NAME-epoch" "$NAME-executor" "$NAME-controller" >/dev/null 2>&1
	[ -n "$eid" ] && remove_instances "$eid"
	podman volume rm -f "$NAME-controller-data" "$NAME-epoch-data" >/dev/null 2>&1
	podman rmi -f "localhost/drove-controller:$TAG" "localhost/drove-executor:$TAG" \
		"localhost/drove-epoch:$TAG" "localhost/drove-gateway:$TAG" >/dev/null 2>&1
	if [ -n "$comp_started" ]; then
		for f in "$work/components/podman.pid" "$work/components/zk/pid"; do
			[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
		done
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${DROVE_TEST_DOCKER_SOCK:-}" ]; then
	"$src/tests/harness/components.sh" start "$work/components" >"$work/components.log" 2>&1 ||
		fail "components did not start"
	comp_started=1
	# shellcheck disable=SC1091
	source "$work/components/env"
fi

"$src/packaging/images/build-images.sh" "$debs" "$TAG" controller executor epoch gateway |
	sed 's/^/test_images: /'

# The shipped configs (from the packages), edited for this run.
export CONF=$work/conf
mkdir -p "$CONF"
for d in controller executor epoch gateway; do
	dpkg-deb --fsys-tarfile "$debs"/drove-${d}_*.deb | tar -xO "./etc/drove/$d.yml" >"$CONF/$d.yml"
done
CP=$(free_port)
EP=$(free_port)
XP=$(free_port)
XA=$(free_port)
# drove-epoch: its own ports (API and admin), and this run's controller
sed -i "s/^      port: 8080$/      port: $XP/; s/^      port: 8081$/      port: $XA/; s#http://127.0.0.1:4000#http://127.0.0.1:$CP#" "$CONF/epoch.yml"
grep -q "port: $XP" "$CONF/epoch.yml" || fail "the shipped epoch.yml has no port 8080 to replace"
grep -q "port: $XA" "$CONF/epoch.yml" || fail "the shipped epoch.yml has no admin port 8081 to replace"
EPOCH=http://127.0.0.1:$XP/apis/v1
API=http://127.0.0.1:$CP/apis/v1
# The executor reaches the engine at the mounted socket's path inside its container.
local_configs "$CONF/controller.yml" "$CONF/executor.yml" "$CP" "$EP" /run/podman/podman.sock
chmod 0644 "$CONF"/*.yml
export ENGINE_SOCK=$DROVE_TEST_DOCKER_SOCK

# The lines of docs/packaging.md, as written there.
sed -n '/<!-- test_images: begin -->/,/<!-- test_images: end -->/p' "$src/docs/packaging.md" |
	sed '/^```/d; /^<!--/d' >"$work/run-lines.sh"
grep -q '^podman run' "$work/run-lines.sh" || fail "no podman run lines in docs/packaging.md"
bash -e "$work/run-lines.sh" >"$work/run.log" 2>&1 || fail "the podman run lines failed: $(cat "$work/run.log")"
say "ran the podman run lines of docs/packaging.md (controller on $CP, executor on $EP)"

wait_for 30 "controller container answering ($API/ping)" curl -sf "$API/ping"
wait_for 60 "executor container registration" sh -c "curl -sf '$API/cluster/executors' | grep -q '\"ACTIVE\"'"
eid=$(executor_id "$API" "$EP")
[ "$(podman inspect -f '{{.Config.User}}' "$NAME-controller")" = drove ] ||
	fail "the controller container does not run as drove"

body=$(python3 -c "import json; print(json.dumps({'type':'CREATE','spec':json.load(open('$src/examples/specs/application.json')),'opSpec':{'timeout':'2m','parallelism':1,'failureStrategy':'STOP'}}))")
out=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary "$body" "$API/applications/operations")
echo "$out" | grep -q '"SUCCESS"' || fail "create: $out"
out=$(curl -sS -X POST -H 'Content-Type: application/json' "$API/applications/operations" \
	--data-binary "{\"type\":\"SCALE\",\"appId\":\"$APP\",\"requiredInstances\":1,\"opSpec\":{\"timeout\":\"2m\",\"parallelism\":1,\"failureStrategy\":\"STOP\"}}")
echo "$out" | grep -q '"SUCCESS"' || fail "scale: $out"
wait_for 120 "a HEALTHY instance of $APP" sh -c "curl -sf '$API/applications/$APP/instances' | grep -q HEALTHY"
port=$(healthy_port "$API" "$APP")
reply=$(curl -sf "http://127.0.0.1:$port/") || fail "curl of the sample app on port $port"
[ "$reply" = ok ] || fail "the sample app answered '$reply'"
say "sample app deployed through the containers; curl http://127.0.0.1:$port/ -> $reply"

# drove-epoch in its container fires a topology on the cluster of the other two
wait_for 30 "epoch container answering ($EPOCH/ping)" curl -sf -u admin:admin "$EPOCH/ping"
[ "$(podman inspect -f '{{.Config.User}}' "$NAME-epoch")" = drove ] ||
	fail "the epoch container does not run as drove"
out=$(curl -sS -u admin:admin -X POST -H 'Content-Type: application/json' \
	--data-binary "@$src/examples/epoch/every-second.json" "$EPOCH/topologies")
echo "$out" | grep -q '"SUCCESS"' || fail "epoch topology create: $out"
topo=$(python3 -c "import json; print(json.load(open('$src/examples/epoch/every-second.json'))['name'])")
wait_for 120 "a SUCCESSFUL run of $topo" \
	sh -c "curl -sf -u admin:admin '$EPOCH/topologies/$topo/runs' | grep -q SUCCESSFUL"
say "drove-epoch container: topology $topo ran to SUCCESSFUL on the cluster"
curl -sS -u admin:admin -X PUT "$EPOCH/topologies/$topo/pause" >/dev/null || true

# drove-gateway's image: the program and its shipped configuration load
# (--check binds the DNS port: this run's own, as another gateway may hold the default)
podman run --rm --network host -v "$CONF/gateway.yml:/etc/drove/gateway.yml:ro" \
	-e DROVE_GATEWAY_DNS=127.0.0.1:$(free_port) -e DROVE_GATEWAY_LISTEN=127.0.0.1:$(free_port) \
	-e DROVE_GATEWAY_CONTROLLER=http://127.0.0.1:$CP \
	"localhost/drove-gateway:$TAG" --check /etc/drove/gateway.yml >"$work/gw.log" 2>&1 ||
	fail "drove-gateway --check in its image: $(cat "$work/gw.log")"
say "drove-gateway image: the shipped gateway.yml passes --check"

podman stop -t 20 "$NAME-epoch" "$NAME-executor" "$NAME-controller" >/dev/null
for c in controller executor epoch; do
	rc=$(podman inspect -f '{{.State.ExitCode}}' "$NAME-$c")
	[ "$rc" = 0 ] || fail "$NAME-$c exited $rc on podman stop (SIGTERM)"
done
say "podman stop: the three containers exited 0"
say "ok"
