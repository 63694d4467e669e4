# Helpers of tests/package/*.sh (sourced). Callers define fail().

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for() { # seconds description command...: polls the command until it succeeds
	local secs=$1 what=$2
	shift 2
	timeout "$secs" sh -c 'until "$@" >/dev/null 2>&1; do sleep 0.2; done' sh "$@" ||
		fail "$what did not happen within ${secs}s"
}

# local_configs CONTROLLER_YML EXECUTOR_YML CPORT EPORT SOCKET: the shipped default configs,
# edited in place for a one-host test cluster: these ports (admin ports off: port 0) and
# engine socket, short intervals.
local_configs() {
	local c=$1 e=$2 cp=$3 ep=$4 sock=$5
	sed -i -e "s/port: 4000$/port: $cp/" -e "s/port: 4001$/port: 0/" "$c"
	cat >>"$c" <<YML
  maintenanceWindowTail: 0s
  executorCheckInterval: 1s
  reconcileInterval: 2s
YML
	sed -i -e "s/port: 3000$/port: $ep/" -e "s/port: 3001$/port: 0/" \
		-e "s|http://127.0.0.1:4000|http://127.0.0.1:$cp|" \
		-e "s|dockerSocketPath: .*|dockerSocketPath: $sock|" \
		-e "s/maxOpenFiles: .*/maxOpenFiles: 1024/" "$e"
	cat >>"$e" <<YML
  hostname: 127.0.0.1
  snapshotInterval: 1s
  leaderLookupInterval: 1s
YML
}

# executor_id API PORT: the id of the executor listening on PORT
executor_id() {
	curl -sf "$1/cluster/executors" |
		python3 -c "import json,sys; print(next(e['executorId'] for e in json.load(sys.stdin)['data'] if e.get('port')==$2))"
}

# remove_instances EXECUTOR_ID: the containers that executor started (others may share this
# podman storage)
remove_instances() {
	local ids
	ids=$(podman ps -a --filter label=drove.instance.id --format json 2>/dev/null |
		python3 -c "import json,sys; [print(c['Id']) for c in json.load(sys.stdin) if '\"executorId\":\"$1\"' in (c.get('Labels') or {}).get('drove.instance.info','')]")
	[ -z "$ids" ] || echo "$ids" | xargs podman rm -f >/dev/null 2>&1
}

# healthy_port API APP: the host port of a HEALTHY instance's main port, or nothing
healthy_port() {
	curl -sf "$1/applications/$2/instances" | python3 -c "
import json,sys
d=json.load(sys.stdin)
p=[i['localInfo']['ports']['main']['hostPort'] for i in (d.get('data') or []) if i.get('state')=='HEALTHY']
print(p[0] if p else '')"
}
