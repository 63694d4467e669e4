#!/usr/bin/env bash
# The Python package's two install paths, offline (--no-index, Debian's setuptools/wheel):
#  1. `pip install .` of bindings/python (a copy, so the source tree stays clean) into a fresh
#     venv with --system-site-packages (Debian's python3-setuptools and python3-wheel build it:
#     a bare venv has setuptools but not `wheel`, which PEP 517 builds need);
#  2. the wheel of the CMake target drove_python_wheel, installed into a bare fresh venv.
# Each venv then runs an offline plan from the installed package, outside the source and
# build trees, and must load the libdrove.so.N installed with it (not the build tree's).
# Usage: test_install.sh PYTHON PKG_SRC_DIR BUILD_DIR OUT_DIR CMAKE
set -euo pipefail
py=$1 pkgsrc=$2 build=$(cd "$3" && pwd) out=$4 cmake=$5
rm -rf "$out"
mkdir -p "$out/src" "$out/run"
export DROVE_BUILD_DIR=$build PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
unset PYTHONPATH

check() { # VENV WHAT
	(cd "$out/run" && "$1/bin/python" - "$1" "$2" <<'PY'
import sys
import drove
venv, what = sys.argv[1], sys.argv[2]
assert drove.__file__.startswith(venv), drove.__file__
libs = {l.split()[-1] for l in open("/proc/self/maps") if "libdrove.so" in l}
assert libs and all(p.startswith(venv) for p in libs), libs
import os
pkg = os.path.dirname(drove.__file__)
assert os.path.exists(os.path.join(pkg, "py.typed")) and os.path.exists(os.path.join(pkg, "__init__.pyi"))
with drove.ClusterModel(seed=1) as m:
    m.add_executor("e1", "h1", [(2, 1024)])
    p = m.plan(1, 256, 3)
assert (p.placed, p.reason is not None) == (2, True), p
print("%s: drove %s from %s (libdrove %s): plan placed %d of %d"
      % (what, drove.__version__, pkg, sorted(libs)[0], p.placed, p.requested))
PY
	)
}

# 1. pip install . into a fresh venv
cp -r "$pkgsrc/drove" "$pkgsrc/setup.py" "$pkgsrc/pyproject.toml" "$out/src/"
rm -rf "$out/src/drove/__pycache__"
"$py" -m venv --system-site-packages "$out/venv-src"
(cd "$out/src" && "$out/venv-src/bin/pip" install -q --no-build-isolation --no-index .)
check "$out/venv-src" "pip install ."

# 2. the CMake-built wheel into another fresh venv
"$cmake" --build "$build" --target drove_python_wheel
whl=$(ls "$build"/bindings/python-dist/drove-*.whl)
"$py" -c 'import sys, zipfile
sys.exit(not any(n.startswith("drove/libdrove.so.") for n in zipfile.ZipFile(sys.argv[1]).namelist()))' "$whl" ||
	{ echo "no libdrove.so.N in $whl"; exit 1; }
"$py" -m venv "$out/venv-whl"
"$out/venv-whl/bin/pip" install -q --no-index "$whl"
check "$out/venv-whl" "wheel $(basename "$whl")"
