#!/usr/bin/env bash
# Starts and stops the real components the integration tests use:
#   - a throw-away ZooKeeper on a free loopback port      -> DROVE_TEST_ZK
#   - podman's Docker-Engine-API service on a private socket -> DROVE_TEST_DOCKER_SOCK
#   - the test image localhost/drove-test:latest (busybox-static, no registry needed)
#                                                          -> DROVE_TEST_IMAGE
#   - the same plus openssl and a self-signed certificate, localhost/drove-test-tls:latest
#     (an HTTPS server for the check tests)                -> DROVE_TEST_TLS_IMAGE
#   - a registry (Debian's docker-registry) on a free loopback port, htpasswd (bcrypt) basic
#     auth, plain HTTP declared insecure to podman through a private registries.conf, holding
#     the test image as drove-test:latest -> DROVE_TEST_REGISTRY, _USER, _PASSWORD
# Usage: components.sh start DIR   (writes DIR/env to source)
#        components.sh restart-zk DIR [PAUSE_S]   (ZooKeeper down, then up on the same port)
#        components.sh stop DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?start|stop}
dir=${2:?state directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
IMAGE=localhost/drove-test:latest
TLS_IMAGE=localhost/drove-test-tls:latest
export CONTAINERS_CONF=$here/containers.conf

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # seconds, description, command...
	local secs=$1 what=$2
	shift 2
	for _ in $(seq 1 $((secs * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "components: $what did not come up in ${secs}s" >&2
	return 1
}

zk_up() { # port
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'srvr' >&3
	timeout 2 cat <&3 | grep -q 'Mode:'
	local rc=$?
	exec 3>&-
	return $rc
}

run_zk() {
	# its own session: a test that restarts ZooKeeper (restart-zk) must not take it down with
	# its process group when it ends (check kills a forked test's group)
	setsid java -Xmx256m -Dzookeeper.log.dir="$dir/zk" -cp "/usr/share/java/zookeeper.jar:/usr/share/java/*" \
		org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zk/zoo.cfg" \
		>>"$dir/zk/zk.log" 2>&1 &
	echo $! >"$dir/zk/pid"
}

start_zk() {
	local port
	port=$(free_port)
	mkdir -p "$dir/zk/data"
	cat >"$dir/zk/zoo.cfg" <<CFG
tickTime=500
minSessionTimeout=1000
maxSessionTimeout=30000
dataDir=$dir/zk/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,stat
CFG
	run_zk
	wait_for 60 "ZooKeeper on port $port" zk_up "$port"
	echo "export DROVE_TEST_ZK=127.0.0.1:$port" >>"$dir/env"
	echo "export DROVE_TEST_COMPONENTS_DIR=$dir" >>"$dir/env"
	echo "components: ZooKeeper on 127.0.0.1:$port"
}

build_image() {
	DROVE_TEST_IMAGE=$IMAGE DROVE_TEST_TLS_IMAGE=$TLS_IMAGE \
		"$here/../../scripts/make-test-image.sh" --tls "$dir" | sed 's/^/components: /'
	if podman image exists "$TLS_IMAGE"; then
		echo "export DROVE_TEST_TLS_IMAGE=$TLS_IMAGE" >>"$dir/env"
	elif [ "${DROVE_REQUIRE_COMPONENTS:-0}" = 1 ]; then
		echo "components: $TLS_IMAGE not built (openssl missing)" >&2
		return 1
	fi
}

# Before podman's service (it reads CONTAINERS_REGISTRIES_CONF when it starts).
REG_USER=drove
REG_PASS='pa"ss\word' # a '"' and a '\': the executor's JSON must escape them
start_registry() {
	command -v docker-registry >/dev/null 2>&1 || {
		[ "${DROVE_REQUIRE_COMPONENTS:-0}" = 1 ] && { echo "components: docker-registry missing" >&2; return 1; }
		echo "components: docker-registry not installed, registry skipped"
		return 0
	}
	local port
	port=$(free_port)
	mkdir -p "$dir/registry/data"
	htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$dir/registry/htpasswd"
	cat >"$dir/registry/config.yml" <<CFG
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $dir/registry/data } }
http: { addr: 127.0.0.1:$port }
auth: { htpasswd: { realm: drove-test, path: $dir/registry/htpasswd } }
CFG
	printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$port" >"$dir/registries.conf"
	export CONTAINERS_REGISTRIES_CONF=$dir/registries.conf
	docker-registry serve "$dir/registry/config.yml" >"$dir/registry/log" 2>&1 &
	echo $! >"$dir/registry/pid"
	wait_for 30 "registry on port $port" curl -s -o /dev/null http://127.0.0.1:$port/v2/
	echo "127.0.0.1:$port" >"$dir/registry/addr"
	echo "components: registry on 127.0.0.1:$port"
}

push_registry() { # after the test image exists
	[ -f "$dir/registry/addr" ] || return 0
	local addr
	addr=$(cat "$dir/registry/addr")
	podman push -q --creds "$REG_USER:$REG_PASS" "$IMAGE" "$addr/drove-test:latest"
	{
		echo "export DROVE_TEST_REGISTRY=$addr"
		echo "export DROVE_TEST_REGISTRY_USER=$REG_USER"
		echo "export DROVE_TEST_REGISTRY_PASSWORD='$REG_PASS'"
		echo "export CONTAINERS_REGISTRIES_CONF=$CONTAINERS_REGISTRIES_CONF"
	} >>"$dir/env"
}

start_podman() {
	local sock=$dir/podman.sock
	rm -f "$sock"
	podman system service --time=0 "unix://$sock" >"$dir/podman.log" 2>&1 &
	echo $! >"$dir/podman.pid"
	wait_for 30 "podman API service" curl -sf --unix-socket "$sock" http://d/_ping
	build_image
	echo "export DROVE_TEST_DOCKER_SOCK=$sock" >>"$dir/env"
	echo "export DROVE_TEST_PODMAN_PID=$(cat "$dir/podman.pid")" >>"$dir/env"
	echo "export DROVE_TEST_IMAGE=$IMAGE" >>"$dir/env"
	echo "export CONTAINERS_CONF=$CONTAINERS_CONF" >>"$dir/env"
	echo "components: podman API on $sock"
}

# ---- optional: Docker's own engine (DROVE_WITH_DOCKER=1; installs nothing) ----
# When dockerd exists, start it on a private socket with a private data root, load the test
# image from podman into it and export DROVE_TEST_DOCKERD_SOCK.
start_docker() {
	[ "${DROVE_WITH_DOCKER:-0}" = 1 ] || return 0
	if ! command -v dockerd >/dev/null 2>&1; then
		if [ "${DROVE_REQUIRE_COMPONENTS:-0}" = 1 ]; then
			echo "components: DROVE_WITH_DOCKER=1 but dockerd is not installed" >&2
			return 1
		fi
		echo "components: dockerd not installed, Docker engine skipped"
		return 0
	fi
	local sock=$dir/dockerd.sock exec_root
	exec_root=$(mktemp -d /tmp/drove-dockerd.XXXXXX) # short: containerd socket paths
	mkdir -p "$dir/docker"
	echo "$exec_root" >"$dir/docker/exec_root"
	rm -f "$sock"
	dockerd --host "unix://$sock" --data-root "$dir/docker/data" --exec-root "$exec_root" \
		--pidfile "$exec_root/dockerd.pid" >"$dir/docker/dockerd.log" 2>&1 &
	echo $! >"$dir/docker/pid"
	wait_for 60 "dockerd" curl -sf --unix-socket "$sock" http://d/_ping
	podman save -q --format docker-archive -o "$dir/docker/img.tar" "$IMAGE" >/dev/null
	curl -sf --unix-socket "$sock" -X POST -H 'Content-Type: application/x-tar' \
		--data-binary @"$dir/docker/img.tar" http://d/images/load >/dev/null
	rm -f "$dir/docker/img.tar"
	echo "export DROVE_TEST_DOCKERD_SOCK=$sock" >>"$dir/env"
	echo "components: dockerd on $sock"
}

stop_docker() {
	[ -f "$dir/docker/pid" ] || return 0
	if [ -S "$dir/dockerd.sock" ]; then
		for id in $(curl -s --unix-socket "$dir/dockerd.sock" \
			'http://d/containers/json?all=1&filters=%7B%22label%22%3A%5B%22drove.instance.id%22%5D%7D' |
			python3 -c 'import json,sys; print(" ".join(c["Id"] for c in json.load(sys.stdin)))' 2>/dev/null); do
			curl -s --unix-socket "$dir/dockerd.sock" -X DELETE "http://d/containers/$id?force=true&v=true" >/dev/null || true
		done
	fi
	stop_pid "$dir/docker/pid"
	[ -f "$dir/docker/exec_root" ] && rm -rf "$(cat "$dir/docker/exec_root")" 2>/dev/null || true
	rm -f "$dir/docker/exec_root" "$dir/dockerd.sock"
}

stop_pid() {
	[ -f "$1" ] || return 0
	local pid
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$1"
}

case $cmd in
start)
	: >"$dir/env"
	start_zk
	start_registry
	start_podman
	push_registry
	start_docker
	;;
restart-zk)
	# ZooKeeper stops (SIGTERM) and starts again on the same port with the same data: the chaos
	# suite's fault. Sessions younger than their timeout survive it.
	port=$(sed -n 's/^clientPort=//p' "$dir/zk/zoo.cfg")
	stop_pid "$dir/zk/pid"
	sleep "${3:-1}"
	run_zk
	wait_for 60 "ZooKeeper on port $port" zk_up "$port"
	;;
stop)
	# Containers the runtime tests left behind (their own label) go too; executors' containers
	# are removed by the harness that ran them, and nobody else's are touched (the README's
	# cluster may share podman's storage).
	if [ -S "$dir/podman.sock" ]; then
		ids=$(podman ps -aq --filter label=drove.test.run 2>/dev/null || true)
		[ -z "$ids" ] || podman rm -f $ids >/dev/null 2>&1 || true
	fi
	stop_docker
	stop_pid "$dir/zk/pid"
	stop_pid "$dir/podman.pid"
	stop_pid "$dir/registry/pid"
	echo "components: stopped"
	;;
*)
	echo "usage: $0 start|stop DIR" >&2
	exit 2
	;;
esac
