#!/usr/bin/env python3
"""Offline capacity planning: describe a cluster and ask libdrove's scheduler where 100
instances would land, under a few placement policies and strategies. No cluster needed.

    PYTHONPATH=build/release/bindings/python examples/python/capacity.py [--count 100]
"""
import argparse
import sys

import drove


def build(strategy):
    """Eight 2-socket executors (2 x 16 cores, 2 x 64 GiB); two of them tagged "gpu"."""
    m = drove.ClusterModel(strategy=strategy, seed=42)
    for i in range(8):
        m.add_executor("exec-%d" % i, "host%d.example" % i,
                       nodes=[(16, 65536), (16, 65536)],
                       tags=["gpu"] if i >= 6 else [])
    return m


def show(title, plan):
    print("%s: %d of %d placed" % (title, plan.placed, plan.requested))
    for ex, n in sorted(plan.per_executor().items()):
        print("  %-8s %3d" % (ex, n))
    if plan.reason:
        print("  stopped: %s" % plan.reason)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--memory", type=int, default=4096, help="MB per instance")
    a = ap.parse_args()
    with build("RANDOM_FIRST_FIT") as m:
        show("ANY (Drove's default, random first fit)", m.plan(a.cpus, a.memory, a.count))
        show("MAX_N_PER_HOST 10", m.plan(a.cpus, a.memory, a.count,
                                         {"type": "MAX_N_PER_HOST", "max": 10}))
        show("MATCH_TAG gpu", m.plan(a.cpus, a.memory, a.count,
                                     {"type": "MATCH_TAG", "tag": "gpu"}))
    with build("SPREAD") as m:
        p = m.plan(a.cpus, a.memory, a.count)
        show("ANY with the SPREAD strategy", p)
        first = p.placements[0] if p.placements else None
        if first:
            print("  e.g. instance 0 -> %s NUMA node %d cores %s" % (first.executor_id, first.node,
                                                                    first.cores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
