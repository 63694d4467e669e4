"""pip install . of the Python package `drove` (bindings/README.md, "Install").

The native module (drove/native.py and drove/_native*.so, SWIG over libdrove's headers) is
built by CMake with the rest of libdrove; this setup packages it with the pure-Python layer
and a copy of libdrove.so.N (found through the module's $ORIGIN RPATH), so an installed
package or a wheel does not need the build tree. They are taken from DROVE_BUILD_DIR
(default: ../../build/release): bindings/python/drove and libdrove/.
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
    d = os.path.join(build_dir(), "bindings", "python", "drove")
    if not (os.path.exists(os.path.join(d, "native.py")) and glob.glob(os.path.join(d, "_native*.so"))):
        raise SystemExit(
            "drove: the native module is not built in %s\n"
            "  build libdrove first (cmake -S %s -B BUILD && cmake --build BUILD --target drove_python)\n"
            "  and set DROVE_BUILD_DIR=BUILD" % (d, SRC))
    return d


def build_dir():
    return os.path.abspath(os.environ.get("DROVE_BUILD_DIR", os.path.join(SRC, "build", "release")))


def version():
    """The source tree's project() version, else the build tree's version.h (a copy of
    this directory has no ../../CMakeLists.txt)."""
    for path, rx in ((os.path.join(SRC, "CMakeLists.txt"), r"project\(libdrove VERSION ([0-9.]+)"),
                     (os.path.join(build_dir(), "include", "drove", "version.h"),
                      r'DROVE_VERSION_STRING "([0-9.]+)"')):
        try:
            with open(path) as f:
                m = re.search(rx, f.read())
            if m:
                return m.group(1)
        except OSError:
            pass
    return "0.0.0"


def libdrove():
    """The built libdrove.so.N the native module links to (bundled next to it; the module's
    RPATH starts with $ORIGIN)."""
    libs = sorted(glob.glob(os.path.join(build_dir(), "libdrove", "libdrove.so.[0-9]")))
    if not libs:
        raise SystemExit("drove: libdrove.so.N is not built in %s/libdrove" % build_dir())
    return libs[-1]


class BuildPy(build_py):
    """The pure-Python files, plus the CMake-built native module."""

    def run(self):
        super().run()
        d = native_dir()
        out = os.path.join(self.build_lib, "drove")
        os.makedirs(out, exist_ok=True)
        for f in [os.path.join(d, "native.py")] + glob.glob(os.path.join(d, "_native*.so")):
            shutil.copy2(f, out)
        lib = libdrove()  # a symlink to libdrove.so.X.Y.Z: copy the file under the SONAME
        shutil.copyfile(lib, os.path.join(out, os.path.basename(lib)))


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
