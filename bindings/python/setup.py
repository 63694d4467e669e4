"""pip install . of the Python package `drove` (bindings/README.md, "Install").

The native module (drove/native.py and drove/_native*.so, SWIG over libdrove's headers) is
built by CMake with the rest of libdrove; this setup packages it with the pure-Python layer.
It is taken from DROVE_BUILD_DIR/bindings/python/drove (default: ../../build/release).
Offline (Debian's python3-setuptools): pip install --no-build-isolation .
"""
import glob
import os
import re
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))


def native_dir():
    build = os.environ.get("DROVE_BUILD_DIR", os.path.join(SRC, "build", "release"))
    d = os.path.join(os.path.abspath(build), "bindings", "python", "drove")
    if not (os.path.exists(os.path.join(d, "native.py")) and glob.glob(os.path.join(d, "_native*.so"))):
        raise SystemExit(
            "drove: the native module is not built in %s\n"
            "  build libdrove first (cmake -S %s -B BUILD && cmake --build BUILD --target drove_python)\n"
            "  and set DROVE_BUILD_DIR=BUILD" % (d, SRC))
    return d


def version():
    try:
        with open(os.path.join(SRC, "CMakeLists.txt")) as f:
            m = re.search(r"project\(libdrove VERSION ([0-9.]+)", f.read())
        return m.group(1) if m else "0.0.0"
    except OSError:
        return "0.0.0"


class BuildPy(build_py):
    """The pure-Python files, plus the CMake-built native module."""

    def run(self):
        super().run()
        d = native_dir()
        out = os.path.join(self.build_lib, "drove")
        os.makedirs(out, exist_ok=True)
        for f in [os.path.join(d, "native.py")] + glob.glob(os.path.join(d, "_native*.so")):
            shutil.copy2(f, out)


class BinaryDistribution(Distribution):
    def has_ext_modules(self):  # a platform wheel: it carries _native*.so
        return True


setup(
    name="drove",
    version=version(),
    description="Drive a Drove cluster (libdrove) from Python",
    license="Apache-2.0",
    packages=["drove"],
    package_data={"drove": ["py.typed", "*.pyi"]},
    python_requires=">=3.9",
    cmdclass={"build_py": BuildPy},
    distclass=BinaryDistribution,
    zip_safe=False,
)
