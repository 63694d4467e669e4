#!/usr/bin/env bash
# Installs every Debian package libdrove needs to build, test and run (docs/building.md).
# Safe to run again; installs only what is missing. Needs root (or sudo).
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config clang libclang-rt-14-dev
	libcurl4-openssl-dev libjson-c-dev libyaml-dev libhwloc-dev libzookeeper-mt-dev
	libevent-dev libcrypt-dev libssl-dev libpcre2-dev check swig python3-dev golang-go tzdata)
RUNTIME_PKGS=(zookeeper default-jre-headless podman runc busybox-static uidmap catatonit docker.io
	curl iproute2 iptables valgrind wrk hyperfine dpkg-dev lintian systemd libjs-bootstrap5 chromium
	python3-websocket python3-aiosmtpd python3-pytest python3-setuptools python3-pip python3-wheel
	python3-venv
	nginx bind9-dnsutils prometheus rsyslog abigail-tools docker-registry apache2-utils openssl)

want=("${BUILD_PKGS[@]}")
[ "${1:-}" = "--build-only" ] || want+=("${RUNTIME_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "deps: all ${#want[@]} packages present"; exit 0; }

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
