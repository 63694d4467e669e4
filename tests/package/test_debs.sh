#!/usr/bin/env bash
# The packages, end to end on this machine (docs/packaging.md, "CI stage"):
#   1. builds the .debs (packaging/build-debs.sh: prefix /usr, Debian's hardening flags,
#      `cpack -G DEB`) and runs lintian on them (no errors allowed);
#   2. `apt-get install ./*.deb`; `systemd-analyze verify` on the installed units; the user,
#      directories, man pages and completion are where they belong;
#   3. starts drove-controller and drove-executor with their units' ExecStart lines as their
#      units' User= (systemd is not PID 1 here), against podman's API service, deploys the
#      sample application (examples/specs/application.json) with the installed `drove` CLI
#      and curls it;
#   4. an outside C program builds against the installed libdrove-dev with pkg-config and with
#      CMake's find_package and runs; Python imports the installed module;
#   5. `apt-get remove`: only the conffiles stay; `apt-get purge`: nothing stays.
# Usage: tests/package/test_debs.sh [BUILD_DIR]   (default build/package; root needed)
# Uses the components of tests/harness/components.sh: those of the environment
# (DROVE_TEST_DOCKER_SOCK, DROVE_TEST_IMAGE) when set, else it starts its own.
# Leaves the .debs in BUILD_DIR/deb for tests/package/test_images.sh.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/package}
mkdir -p "$build"
build=$(cd "$build" && pwd)
work=$build/test-debs
# The packages this test needs; others the build makes (drove-epoch, drove-gateway, ...) are
# installed, verified and purged with them.
# The library package is named after the SONAME (libdrove1 for DROVE_SOVERSION 1).
sover=$(sed -n 's/^set(DROVE_SOVERSION \([0-9][0-9]*\))$/\1/p' "$src/CMakeLists.txt")
LIBPKG=libdrove$sover
PKGS=("$LIBPKG" libdrove-dev drove-cli drove-controller drove-executor drove-epoch drove-gateway python3-drove)
APP=DROVE_TEST_APP-1
export CONTAINERS_CONF=$src/tests/harness/containers.conf
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)

t0=$(date +%s)
say() { printf 'test_debs: [%3ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
fail() {
	printf 'test_debs: FAIL: %s\n' "$*" >&2
	for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; } >&2; done
	exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root (apt-get install)"

# shellcheck source=tests/package/lib.sh
source "$src/tests/package/lib.sh"

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'; }
known() { dpkg-query -W -f='${Status}\n' "$1" >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}\n' "$1" | grep -q 'not-installed'; }

rm -rf "$work"
mkdir -p "$work"
comp_started=
ctrl_pid= exec_pid= eid=
cleanup() {
	set +e
	[ -n "$exec_pid" ] && kill "$exec_pid" 2>/dev/null && wait "$exec_pid" 2>/dev/null
	[ -n "$ctrl_pid" ] && kill "$ctrl_pid" 2>/dev/null && wait "$ctrl_pid" 2>/dev/null
	if [ -n "$eid" ] && [ -n "${DROVE_TEST_DOCKER_SOCK:-}" ]; then
		remove_instances "$eid"
	fi
	local p left=()
	for p in "${PKGS[@]}"; do known "$p" && left+=("$p"); done
	[ ${#left[@]} -eq 0 ] || dpkg --purge "${left[@]}" >/dev/null 2>&1
	# Our components only, by pid (components.sh stop would also remove every other drove
	# container of this host's podman).
	if [ -n "$comp_started" ]; then
		for f in "$work/components/podman.pid" "$work/components/zk/pid"; do
			[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
		done
	fi
}
trap cleanup EXIT

# ---- 1. build the packages, lintian ----
for p in "${PKGS[@]}" drove-epoch drove-gateway; do
	known "$p" && fail "$p is already installed here; purge it first"
done
say "building the packages in $build"
"$src/packaging/build-debs.sh" "$build" -DDROVE_WERROR=ON >"$work/build.log" 2>&1 ||
	fail "packaging/build-debs.sh failed"
debs=("$build"/deb/*.deb)
for p in "${PKGS[@]}"; do
	ls "$build"/deb/${p}_*.deb >/dev/null 2>&1 || fail "no $p package among: ${debs[*]}"
done
PKGS=()
for d in "${debs[@]}"; do PKGS+=("$(dpkg-deb -f "$d" Package)"); done
# daemons: the packages with a systemd unit; each has one conffile
DAEMONS=() DAEMONS_VERIFIED=()
for d in "${debs[@]}"; do
	# grep reads all of the listing: with -q it could quit early and, under pipefail,
	# dpkg-deb's SIGPIPE would fail the test
	dpkg-deb -c "$d" | grep '/lib/systemd/system/.*\.service$' >/dev/null && DAEMONS+=("$(dpkg-deb -f "$d" Package)")
done
say "built: $(cd "$build/deb" && echo *.deb)"
lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs "${debs[@]}" \
	>"$work/lintian.log" 2>&1 || { cat "$work/lintian.log"; fail "lintian reports errors"; }
say "lintian: no errors ($(grep -c '^W:' "$work/lintian.log" || true) warnings)"
# The shlibs line gives dependents a version constraint.
dpkg-deb --ctrl-tarfile "$build"/deb/"$LIBPKG"_*.deb | tar -xO ./shlibs |
	grep -q "^libdrove $sover $LIBPKG (>= " || fail "$LIBPKG has no shlibs line"
dpkg-deb -f "$build"/deb/drove-controller_*.deb Depends | grep -q "$LIBPKG (>= " ||
	fail "drove-controller does not depend on $LIBPKG (>= ...)"

# ---- 2. install ----
"${APT[@]}" install --no-install-recommends "${debs[@]}" >"$work/apt-install.log" 2>&1 ||
	fail "apt-get install ./*.deb failed"
for p in "${PKGS[@]}"; do installed "$p" || fail "$p is not installed"; done
say "installed ${PKGS[*]}"
for u in "${DAEMONS[@]}"; do
	systemd-analyze verify "/lib/systemd/system/$u.service" >"$work/verify-$u.log" 2>&1 ||
		{ cat "$work/verify-$u.log"; fail "systemd-analyze verify $u.service"; }
	[ -s "$work/verify-$u.log" ] && { cat "$work/verify-$u.log"; fail "systemd-analyze verify $u.service warns"; }
done
# Units of daemons not built yet (packaging/*/*.service.in), with a stand-in program.
for t in "$src"/packaging/*/*.service.in; do
	u=$(basename "$t" .service.in)
	[ -f "/lib/systemd/system/$u.service" ] && continue
	sed -e "s|^ExecStart=@DROVE_BINDIR@/[^ ]*|ExecStart=/bin/true|" -e "s|@DROVE_USER@|root|g" \
		-e "s|@DROVE_NAME@|$u|g" -e "s|@DROVE_SHORT@|${u#drove-}|g" -e "s|@DROVE_CONFIG@|/etc/drove/x.yml|g" \
		"$t" >"$work/$u.service"
	systemd-analyze verify --man=no "$work/$u.service" >"$work/verify-$u.log" 2>&1 ||
		{ cat "$work/verify-$u.log"; fail "systemd-analyze verify $t"; }
	[ -s "$work/verify-$u.log" ] && { cat "$work/verify-$u.log"; fail "systemd-analyze verify $t warns"; }
	DAEMONS_VERIFIED+=("$u (template)")
done
say "systemd-analyze verify clean: ${DAEMONS[*]} ${DAEMONS_VERIFIED[*]:-}"
getent passwd drove >/dev/null || fail "no drove user"
[ "$(stat -c %U /var/lib/drove/controller)" = drove ] || fail "/var/lib/drove/controller is not drove's"
[ -d /var/log/drove/executor ] || fail "no /var/log/drove/executor"
for m in drove.1 drove-controller.8 drove-executor.8 drove-epoch.8 drove-gateway.8; do
	man -w "${m%.*}" >/dev/null 2>&1 || [ -f "/usr/share/man/man${m##*.}/$m.gz" ] || fail "man page $m missing"
done
[ -f /usr/share/bash-completion/completions/drove ] || fail "bash completion missing"
drove --version | grep -q '0\.' || fail "drove --version"

# ---- 3. run the daemons through their units' ExecStart lines ----
if [ -z "${DROVE_TEST_DOCKER_SOCK:-}" ]; then
	say "starting podman's API service (tests/harness/components.sh)"
	"$src/tests/harness/components.sh" start "$work/components" >"$work/components.log" 2>&1 ||
		fail "components did not start"
	comp_started=1
	# shellcheck disable=SC1091
	source "$work/components/env"
fi
CP=$(free_port)
EP=$(free_port)
API=http://127.0.0.1:$CP/apis/v1
# The shipped configs with this run's ports and engine socket (and a quick local cluster).
local_configs /etc/drove/controller.yml /etc/drove/executor.yml "$CP" "$EP" "$DROVE_TEST_DOCKER_SOCK"

unit_value() { # unit key: the (last) value of KEY= in the installed unit
	sed -n "s/^$2=//p" "/lib/systemd/system/$1.service" | tail -n1
}
start_unit() { # unit: runs its ExecStart as its User=, in the background; pid in $started
	local cmd user
	cmd=$(unit_value "$1" ExecStart)
	user=$(unit_value "$1" User)
	[ -n "$cmd" ] && [ -n "$user" ] || fail "$1.service has no ExecStart= or User="
	# shellcheck disable=SC2086 # the ExecStart line is split into words like systemd does
	setpriv --reuid="$user" --regid="$user" --init-groups -- $cmd >"$work/$1.log" 2>&1 &
	started=$!
}
start_unit drove-controller
ctrl_pid=$started
wait_for 30 "controller answering ($API/ping)" curl -sf "$API/ping"
[ "$(ps -o user= -p "$ctrl_pid")" = drove ] || fail "the controller does not run as drove"
start_unit drove-executor
exec_pid=$started
wait_for 60 "executor registration" sh -c "curl -sf '$API/cluster/executors' | grep -q '\"ACTIVE\"'"
eid=$(executor_id "$API" "$EP")
say "controller (pid $ctrl_pid, user drove) on $CP, executor (pid $exec_pid, root) on $EP"

# Deploy the sample app with the installed CLI.
drove -e "http://127.0.0.1:$CP" apps create "$src/examples/specs/application.json" -i 1 \
	>"$work/cli.log" 2>&1 || fail "drove apps create: $(cat "$work/cli.log")"
drove -e "http://127.0.0.1:$CP" apps scale "$APP" 1 -w --wait-timeout 120 >>"$work/cli.log" 2>&1 ||
	fail "drove apps scale -w: $(cat "$work/cli.log")"
wait_for 120 "a HEALTHY instance of $APP" sh -c "[ -n \"\$(curl -sf '$API/applications/$APP/instances' | grep HEALTHY)\" ]"
port=$(healthy_port "$API" "$APP")
body=$(curl -sf "http://127.0.0.1:$port/") || fail "curl of the sample app on port $port"
[ "$body" = ok ] || fail "the sample app answered '$body'"
say "sample app deployed with the installed CLI; curl http://127.0.0.1:$port/ -> $body"
drove -e "http://127.0.0.1:$CP" apps list | grep -q "$APP" || fail "drove apps list does not show $APP"

kill "$exec_pid"
wait "$exec_pid" || fail "the executor exited $? on SIGTERM (man page: 0)"
exec_pid=
kill "$ctrl_pid"
wait "$ctrl_pid" || fail "the controller exited $? on SIGTERM (man page: 0)"
ctrl_pid=
say "both daemons stopped with status 0 on SIGTERM"

# ---- 4. outside programs against the installed development package ----
used=$("$src/tests/install/outside_program.sh" "$src" "$work") || fail "outside programs: $used"
[ "$used" = "$(readlink -f /usr/lib/x86_64-linux-gnu/libdrove.so."$sover")" ] ||
	fail "outside programs loaded $used, not the installed library"
(cd / && /usr/bin/python3 -c 'import drove; drove.ClusterModel(seed=1).close(); print(drove.native.drove_version_string())') >"$work/python.log" 2>&1 ||
	fail "python3 -c 'import drove'"
say "pkg-config and find_package programs run against /usr; python3 imports drove $(cat "$work/python.log")"

# ---- 5. remove, then purge ----
for p in "${PKGS[@]}"; do dpkg -L "$p"; done | sort -u >"$work/files.txt"
"${APT[@]}" remove "${PKGS[@]}" >"$work/apt-remove.log" 2>&1 || fail "apt-get remove"
left=$(while read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done <"$work/files.txt")
want=$(for d in "${DAEMONS[@]}"; do dpkg-deb --ctrl-tarfile "$build"/deb/${d}_*.deb | tar -xO ./conffiles; done | sort)
[ "$left" = "$want" ] || fail "after remove, expected only the conffiles ($want), found: $left"
rc=()
for p in "${PKGS[@]}"; do known "$p" && rc+=("$p"); done
[ "${rc[*]}" = "${DAEMONS[*]}" ] ||
	fail "after remove, dpkg keeps the configs of '${rc[*]}', expected the daemons' (${DAEMONS[*]})"
"${APT[@]}" purge "${rc[@]}" >"$work/apt-purge.log" 2>&1 || fail "apt-get purge"
left=$(while read -r f; do if [ -e "$f" ] && [ ! -d "$f" ]; then echo "$f"; fi; done <"$work/files.txt")
[ -z "$left" ] || fail "after purge these remain: $left"
for d in /etc/drove /var/lib/drove /var/log/drove /usr/include/drove /usr/lib/x86_64-linux-gnu/cmake/libdrove; do
	[ ! -e "$d" ] || fail "after purge $d remains"
done
for p in "${PKGS[@]}"; do known "$p" && fail "dpkg still knows $p after purge"; done
say "remove kept only the conffiles; purge left nothing (the drove user stays, as Debian does)"
say "ok"
