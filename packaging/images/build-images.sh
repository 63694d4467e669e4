#!/usr/bin/env bash
# Builds the daemons' container images from the .deb packages (docs/packaging.md, "Container
# images"), with no registry and no network:
#   1. a root directory per daemon: the files of libdrove1 (the library) and of the daemon's package
#      (dpkg -x), the Debian libraries they load (resolved with ldd on this Debian host, the
#      same libraries the packages' Depends name), glibc's NSS modules, and what the
#      maintainer scripts would create (the drove user, /var/lib/drove/<daemon>,
#      /var/log/drove/<daemon>);
#   2. `podman build` with packaging/images/Containerfile.<daemon> (FROM scratch, ADD of the
#      root as a tar, which keeps its owners).
# Usage: build-images.sh DEB_DIR [TAG] [DAEMON...]
#   DEB_DIR  the packages (cpack -G DEB writes them to BUILD/deb)
#   TAG      image tag (default: the packages' upstream version)
#   DAEMON   controller, executor, epoch, gateway (default: those with a package in DEB_DIR)
# Images: localhost/drove-<daemon>:TAG.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
debs=$(cd "${1:?usage: $0 DEB_DIR [TAG] [DAEMON...]}" && pwd)
shift
# the library package is named after the SONAME: libdrove1 (DROVE_SOVERSION 1)
lib=$(ls "$debs"/libdrove[0-9]*_*.deb 2>/dev/null | head -n1)
[ -n "$lib" ] || { echo "build-images: no libdrove<SOVERSION> package in $debs" >&2; exit 1; }
version=$(dpkg-deb -f "$lib" Version)
tag=${1:-${version%-*}}
[ $# -gt 0 ] && shift
daemons=("$@")
if [ ${#daemons[@]} -eq 0 ]; then
	for d in controller executor epoch gateway; do
		ls "$debs"/drove-${d}_*.deb >/dev/null 2>&1 && daemons+=("$d")
	done
fi
work=$(mktemp -d /tmp/drove-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

# copy_with_deps ROOT FILE...: each ELF file's shared libraries into ROOT at their paths.
copy_deps() {
	local root=$1 f dep
	shift
	for f in "$@"; do
		LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu ldd "$f" 2>/dev/null |
			awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' |
			while read -r dep; do
				case $dep in "$root"/*) continue ;; esac
				[ -e "$root$dep" ] && continue
				mkdir -p "$root$(dirname "$dep")"
				cp -L "$dep" "$root$dep"
			done
	done
}

for d in "${daemons[@]}"; do
	pkg=$(ls "$debs"/drove-${d}_*.deb 2>/dev/null | head -n1)
	[ -n "$pkg" ] || { echo "build-images: no drove-$d package in $debs" >&2; exit 1; }
	root=$work/$d/root
	mkdir -p "$root"
	dpkg -x "$lib" "$root"
	dpkg -x "$pkg" "$root"
	rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/lib/systemd"
	# the dynamic loader at its ABI path, the libraries, NSS for names and users
	mkdir -p "$root/lib64" "$root/etc" "$root/tmp" "$root/run"
	chmod 1777 "$root/tmp"
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
	copy_deps "$root" "$root"/usr/bin/* "$root"/usr/lib/x86_64-linux-gnu/libdrove.so.*.*.*
	for n in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2; do
		[ -e "$n" ] && { mkdir -p "$root$(dirname "$n")"; cp -L "$n" "$root$n"; }
	done
	# zone data (drove-epoch's cron time zones) and CA certificates, when the host has them
	[ "$d" = epoch ] && [ -d /usr/share/zoneinfo ] && { mkdir -p "$root/usr/share"; cp -a /usr/share/zoneinfo "$root/usr/share/"; }
	[ -f /etc/ssl/certs/ca-certificates.crt ] && { mkdir -p "$root/etc/ssl/certs"; cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"; }
	printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
	# what the postinst does: the drove user (uid/gid 999 in every image), state and logs
	printf 'root:x:0:0:root:/root:/bin/false\ndrove:x:999:999:Drove daemons:/var/lib/drove:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\ndrove:x:999:\n' >"$root/etc/group"
	mkdir -p "$root/var/lib/drove/$d" "$root/var/log/drove/$d"
	if grep -q '^USER drove' "$here/Containerfile.$d"; then
		chown 999:999 "$root/var/lib/drove/$d" "$root/var/log/drove/$d"
	fi
	chmod 0750 "$root/var/lib/drove/$d" "$root/var/log/drove/$d"
	# a tar keeps the owners (COPY would make everything root's); ADD unpacks it
	tar -C "$root" --numeric-owner -cf "$work/$d/root.tar" .
	rm -rf "$root"
	cp "$here/Containerfile.$d" "$work/$d/Containerfile"
	podman build -q --network none -t "localhost/drove-$d:$tag" -f "$work/$d/Containerfile" \
		--label "org.opencontainers.image.version=$version" "$work/$d" >/dev/null
	echo "build-images: localhost/drove-$d:$tag ($(du -sh "$work/$d/root.tar" | cut -f1) from $(basename "$pkg"))"
done
