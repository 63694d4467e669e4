#!/usr/bin/env bash
# `pip install .` of bindings/python (a copy, so the source tree stays clean) into a scratch
# target with Debian's setuptools and no index, then an offline plan and the type stubs from
# the installed package.
# Usage: test_install.sh PYTHON PKG_SRC_DIR BUILD_DIR OUT_DIR
set -euo pipefail
py=$1 pkgsrc=$2 build=$3 out=$4
rm -rf "$out"
mkdir -p "$out/src"
cp -r "$pkgsrc/drove" "$pkgsrc/setup.py" "$pkgsrc/pyproject.toml" "$out/src/"
# setup.py finds the version in ../../CMakeLists.txt of the source tree; the copy has none
export DROVE_BUILD_DIR=$build PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
"$py" -m pip install -q --no-build-isolation --no-index --no-deps --target "$out/site" "$out/src"
test -f "$out/site/drove/py.typed" && test -f "$out/site/drove/__init__.pyi"
ls "$out/site/drove/"_native*.so >/dev/null
cd "$out"
PYTHONPATH=$out/site "$py" - "$out/site" <<'PY'
import sys
import drove
assert drove.__file__.startswith(sys.argv[1]), drove.__file__
with drove.ClusterModel(seed=1) as m:
    m.add_executor("e1", "h1", [(2, 1024)])
    p = m.plan(1, 256, 3)
assert (p.placed, p.reason is not None) == (2, True), p
print("installed drove %s from %s: plan placed %d of %d" % (drove.__version__, drove.__file__, p.placed, p.requested))
PY
