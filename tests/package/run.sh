#!/usr/bin/env bash
# The packaging stage of scripts/test.sh (docs/packaging.md, "The CI stage"): the Debian
# packages end to end (test_debs.sh), then the container images made from them
# (test_images.sh). Usage: tests/package/run.sh [BUILD_DIR]   (default build/package)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build/package}
t0=$(date +%s)
"$src/tests/package/test_debs.sh" "$build"
"$src/tests/package/test_images.sh" "$build/deb"
echo "packaging stage: $(($(date +%s) - t0)) s"
