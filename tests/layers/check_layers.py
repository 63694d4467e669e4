#!/usr/bin/env python3
"""Layering checks over the built library (issue 13), run by ctest on every build.

1. No file-level circle: for the object files of libdrove, an edge A -> B when A uses a
   symbol B defines (from `nm`). Any strongly connected component of more than one file,
   inside a module or across modules, is a circle and fails the check, naming its files.
2. No C source or header under libdrove/, daemons/ or include/ over MAX_LINES lines.

Usage: check_layers.py OBJECT_DIR SOURCE_DIR [--self-test]
"""
import os
import subprocess
import sys

MAX_LINES = 1200


def graph(objs):
    """objs: {name: path} -> {name: set(names it uses)}; two nm runs over every object."""
    by_path = {path: name for name, path in objs.items()}
    paths = list(by_path)
    defs = {n: set() for n in objs}
    uses = {n: set() for n in objs}
    for flag, table in (("--defined-only", defs), ("--undefined-only", uses)):
        out = subprocess.run(["nm", "-A", flag] + paths, capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            path, _, rest = line.partition(":")
            parts = rest.split()
            if path not in by_path or not parts:
                continue
            if flag == "--defined-only" and (len(parts) != 3 or parts[1] not in "TDBRVWG"):
                continue
            table[by_path[path]].add(parts[-1])
    owner = {s: n for n in objs for s in defs[n]}
    return {n: {owner[s] for s in uses[n] if s in owner and owner[s] != n} for n in objs}


def sccs(g):
    """Tarjan's algorithm, iterative; returns the components with more than one node."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(g[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def objects(objdir):
    found = {}
    for dirpath, _, files in os.walk(objdir):
        for f in files:
            if f.endswith(".c.o"):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, objdir)
                found[rel[:-len(".o")]] = path
    return found


def long_files(srcdir):
    bad = []
    for top in ("libdrove", "daemons", "include"):
        for dirpath, _, files in os.walk(os.path.join(srcdir, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    p = os.path.join(dirpath, f)
                    with open(p, encoding="utf-8", errors="replace") as fh:
                        n = sum(1 for _ in fh)
                    if n > MAX_LINES:
                        bad.append((os.path.relpath(p, srcdir), n))
    return sorted(bad)


def self_test():
    """The checker must find a circle between two tiny objects, and none in a chain."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        srcs = {"a.c": "int b(void); int a(void) { return b(); }\n",
                "b.c": "int a(void); int b(void) { return a() + 1; }\n",
                "c.c": "int a(void); int c(void) { return a(); }\n"}
        for f, text in srcs.items():
            with open(os.path.join(d, f), "w") as fh:
                fh.write(text)
            subprocess.run(["cc", "-c", "-o", os.path.join(d, f + ".o"), os.path.join(d, f)],
                           check=True)
        comps = sccs(graph(objects(d)))
        assert comps == [["a.c", "b.c"]], comps
    print("check_layers: self-test found the planted circle a.c <-> b.c and nothing else")


def main(argv):
    if "--self-test" in argv:
        self_test()
        return 0
    objdir, srcdir = argv[1], argv[2]
    objs = objects(objdir)
    if not objs:
        print(f"check_layers: no object files under {objdir}")
        return 1
    rc = 0
    comps = sccs(graph(objs))
    for comp in comps:
        print("check_layers: circle between " + ", ".join(comp))
        rc = 1
    for path, n in long_files(srcdir):
        print(f"check_layers: {path} has {n} lines (limit {MAX_LINES})")
        rc = 1
    if rc == 0:
        print(f"check_layers: {len(objs)} object files, no circle; no file over {MAX_LINES} lines")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
