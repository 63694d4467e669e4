#!/usr/bin/env bash
# Builds localhost/drove-test:latest from Debian's busybox-static, with no registry: sh,
# httpd, wget, nc, sleep ... enough for the sample application, tasks and checks.
# Usage: make-test-image.sh [WORKDIR]   (podman must be configured: CONTAINERS_CONF)
set -euo pipefail
IMAGE=${DROVE_TEST_IMAGE:-localhost/drove-test:latest}
podman image exists "$IMAGE" && exit 0
work=${1:-$(mktemp -d)}
root=$work/image/root
rm -rf "$work/image"
mkdir -p "$root/bin" "$root/www" "$root/tmp"
cp /bin/busybox "$root/bin/"
for c in sh ls cat echo sleep httpd wget env hostname nc grep head tail kill true false ps \
	printf date seq tr wc; do
	ln -s busybox "$root/bin/$c"
done
echo ok >"$root/www/index.html"
tar -C "$root" -cf "$work/image/img.tar" .
podman import --change 'CMD ["/bin/sh"]' "$work/image/img.tar" "$IMAGE" >/dev/null
rm -rf "$work/image"
echo "built $IMAGE"
