#!/usr/bin/env bash
# Builds localhost/drove-test:latest from Debian's busybox-static, with no registry: sh,
# httpd, wget, nc, sleep ... enough for the sample application, tasks and checks.
# With --tls, also builds localhost/drove-test-tls:latest: the same files plus the host's `openssl`
# binary, the shared libraries ldd names for it and a self-signed certificate made now
# (/tls/cert.pem, /tls/key.pem, CN localhost), so a test can run an HTTPS server
# (`openssl s_server -www`). The first image is unchanged by this; the second is skipped
# (with a note) when the host has no openssl.
# Usage: make-test-image.sh [--tls] [WORKDIR]   (podman must be configured: CONTAINERS_CONF)
set -euo pipefail
tls=0
if [ "${1:-}" = --tls ]; then
	tls=1
	shift
fi
IMAGE=${DROVE_TEST_IMAGE:-localhost/drove-test:latest}
TLS_IMAGE=${DROVE_TEST_TLS_IMAGE:-localhost/drove-test-tls:latest}
work=${1:-$(mktemp -d)}
root=$work/image/root

busybox_root() {
	rm -rf "$work/image"
	mkdir -p "$root/bin" "$root/www" "$root/tmp"
	cp /bin/busybox "$root/bin/"
	for c in sh ls cat echo sleep httpd wget env hostname nc grep head tail kill true false ps \
		printf date seq tr wc; do
		ln -s busybox "$root/bin/$c"
	done
	echo ok >"$root/www/index.html"
}

import_root() { # image
	tar -C "$root" -cf "$work/image/img.tar" .
	podman import --change 'CMD ["/bin/sh"]' "$work/image/img.tar" "$1" >/dev/null
	rm -rf "$work/image"
	echo "built $1"
}

if ! podman image exists "$IMAGE"; then
	busybox_root
	import_root "$IMAGE"
fi

if [ $tls = 1 ] && ! podman image exists "$TLS_IMAGE"; then
	ssl=$(command -v openssl || true)
	if [ -z "$ssl" ]; then
		echo "openssl not installed: $TLS_IMAGE not built"
		exit 0
	fi
	busybox_root
	mkdir -p "$root/tls"
	cp "$ssl" "$root/bin/openssl"
	# every library with a path (and the loader), at the same path inside the image
	for lib in $(ldd "$ssl" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
		-keyout "$root/tls/key.pem" -out "$root/tls/cert.pem" >/dev/null 2>&1
	chmod 644 "$root/tls/key.pem"
	import_root "$TLS_IMAGE"
fi
