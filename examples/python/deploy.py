#!/usr/bin/env python3
"""Deploy an application, scale it, wait until its instances are HEALTHY and print where
they answer (bindings/README.md).

    PYTHONPATH=build/release/bindings/python examples/python/deploy.py \\
        --endpoint http://127.0.0.1:4000 --spec examples/specs/application.json --instances 2
"""
import argparse
import json
import os
import sys

import drove

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", action="append", help="controller URL (repeatable)")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--spec", default=os.path.join(HERE, "..", "specs", "application.json"))
    ap.add_argument("--name", help="override the spec's name")
    ap.add_argument("--instances", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=300, help="seconds to wait for HEALTHY")
    ap.add_argument("--destroy", action="store_true", help="scale to 0 and destroy at the end")
    a = ap.parse_args()

    with open(a.spec) as f:
        spec = json.load(f)
    if a.name:
        spec["name"] = a.name
    with drove.Client(a.endpoint or ["http://127.0.0.1:4000"], user=a.user,
                      password=a.password) as c:
        try:
            app_id = c.apps.create(spec)
            print("created %s" % app_id)
        except drove.ValidationError as e:
            print("the controller refused the spec: %s" % e.message, file=sys.stderr)
            for v in e.validation_errors:
                print("  - %s" % v, file=sys.stderr)
            return 1
        c.apps.scale(app_id, a.instances, timeout=a.timeout)
        print("scaling %s to %d" % (app_id, a.instances))
        summary = c.apps.wait(app_id, healthy=a.instances, timeout=a.timeout)
        print("%s: %s, %d/%d healthy" % (app_id, summary.state, summary.healthy_instances,
                                         summary.required_instances))
        for inst in c.apps.instances(app_id, ["HEALTHY"]):
            for p in sorted(inst.ports):
                print("  %s %s http://%s:%d (%s)" % (inst.instance_id, p.name, inst.host,
                                                     p.host_port, p.type))
        for ep in c.cluster.endpoints(spec["name"]):
            print("  vhost %s -> %s" % (ep["vhost"], ", ".join(
                "%s:%d" % (h["host"], h["port"]) for h in ep["hosts"])))
        if a.destroy:
            c.apps.scale(app_id, 0, timeout=a.timeout)
            c.apps.wait(app_id, state="MONITORING", timeout=a.timeout)
            c.apps.destroy(app_id)
            c.apps.wait(app_id, state="DESTROYED", timeout=a.timeout)
            print("destroyed %s" % app_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
