#!/usr/bin/python3
"""The bindings against a real cluster (issue 19): starts one drove-controller (Basic auth)
and one drove-executor on podman, then runs the Python suite (pytest-3
bindings/python/tests/test_cluster.py) and the Go suite (go test in bindings/go) against it,
and stops everything it started.

Components: reuses DROVE_TEST_ZK / DROVE_TEST_DOCKER_SOCK / DROVE_TEST_IMAGE when set
(scripts/test.sh exports them), else starts its own with tests/harness/components.sh.
The suites get DROVE_TEST_ENDPOINT, DROVE_TEST_USER, DROVE_TEST_PASSWORD, DROVE_TEST_SPECS.

Usage: run_cluster_tests.py BUILD_DIR SOURCE_DIR [python|go|all]
Exit 77 when a component is missing, unless DROVE_REQUIRE_COMPONENTS=1 makes that a failure.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import base64

BUILD, SRC = (os.path.abspath(a) for a in sys.argv[1:3])
WHICH = sys.argv[3] if len(sys.argv) > 3 else "all"
WORK = os.path.join(BUILD, "bindings", "cluster-test-" + WHICH)
REQUIRE = os.environ.get("DROVE_REQUIRE_COMPONENTS") == "1"
USER, PASSWORD = "admin", "bindings-pw"
T0 = time.time()
procs = []


def say(msg):
    print("bindings-cluster: [%5.1fs] %s" % (time.time() - T0, msg), flush=True)


def skip(why):
    if REQUIRE:
        say("FAIL: missing component (DROVE_REQUIRE_COMPONENTS=1): " + why)
        sys.exit(1)
    say("SKIP: " + why)
    sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def api(port, path):
    req = urllib.request.Request("http://127.0.0.1:%d/apis/v1%s" % (port, path))
    req.add_header("Authorization",
                   "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read().decode())
    except (OSError, ValueError):
        return {}


def wait_for(secs, what, fn):
    end = time.time() + secs
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.3)
    raise AssertionError("%s did not happen within %ds" % (what, secs))


def spawn(argv, log):
    f = open(log, "ab")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    procs.append(p)
    return p


CONTROLLER = """server: { applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}], adminConnectors: [] }
logging: { level: INFO }
zookeeper: { connectionString: "%s", nameSpace: %s, sessionTimeout: 30s }
clusterAuth:
  secrets:
    - { nodeType: CONTROLLER, secret: bindings-controller-secret }
    - { nodeType: EXECUTOR, secret: bindings-executor-secret }
userAuth:
  enabled: true
  encoding: PLAIN
  users:
    - { username: %s, password: %s, role: EXTERNAL_ROOT }
options:
  executorCheckInterval: 500ms
  reconcileInterval: 1s
  maintenanceWindowTail: 0s
"""

EXECUTOR = """server:
  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]
  adminConnectors: []
logging:
  level: INFO
  appenders:
    - {type: drove, logPath: %s/logs}
clusterAuth:
  secrets:
    - {nodeType: CONTROLLER, secret: bindings-controller-secret}
    - {nodeType: EXECUTOR, secret: bindings-executor-secret}
resources:
  overProvisioning: {enabled: true, cpuMultiplier: 4, memoryMultiplier: 1}
options:
  hostname: 127.0.0.1
  dockerSocketPath: %s
  remoteUpdateMode: RPC
  cacheImages: true
  maxOpenFiles: 1024
  snapshotInterval: 500ms
  leaderLookupInterval: 500ms
controllers:
  endpoints: ["http://127.0.0.1:%d"]
"""


def our_containers(executor_id):
    out = subprocess.run(["podman", "ps", "-a", "--filter", "label=drove.instance.id",
                          "--format", "json"], capture_output=True, text=True).stdout
    try:
        cs = json.loads(out or "[]")
    except ValueError:
        return []
    return [c["Id"] for c in cs
            if '"executorId":"%s"' % executor_id in (c.get("Labels") or {}).get(
                "drove.instance.info", "")]


def suites(env):
    rc = 0
    if WHICH in ("python", "all"):
        pytest = shutil.which("pytest-3") or "/usr/bin/pytest-3"
        if not os.access(pytest, os.X_OK):
            skip("pytest-3 is not installed (python3-pytest)")
        say("python: pytest-3 bindings/python/tests/test_cluster.py")
        r = subprocess.run([pytest, "-v", "-p", "no:cacheprovider",
                            os.path.join(SRC, "bindings", "python", "tests", "test_cluster.py")],
                           env=dict(env, PYTHONPATH=os.path.join(BUILD, "bindings", "python")),
                           cwd=WORK)
        rc = rc or r.returncode
        say("python: examples/python/deploy.py")
        r = subprocess.run([sys.executable, os.path.join(SRC, "examples", "python", "deploy.py"),
                            "--endpoint", env["DROVE_TEST_ENDPOINT"], "--user", USER,
                            "--password", PASSWORD, "--name", "PYDEPLOY_APP", "--instances", "1",
                            "--timeout", "120", "--destroy"],
                           env=dict(env, PYTHONPATH=os.path.join(BUILD, "bindings", "python")),
                           capture_output=True, text=True)
        print(r.stdout + r.stderr, flush=True)
        if r.returncode != 0 or "1/1 healthy" not in r.stdout or "destroyed" not in r.stdout:
            say("FAIL: examples/python/deploy.py")
            rc = rc or 1
    if WHICH in ("go", "all"):
        say("go: go test in bindings/go")
        r = subprocess.run([os.path.join(SRC, "bindings", "go", "run_client_test.sh"),
                            os.path.join(SRC, "bindings", "go"),
                            os.path.join(BUILD, "bindings", "go"),  # the Go cache of bindings_go
                            os.path.join(SRC, "include"),
                            os.path.join(BUILD, "include"), os.path.join(BUILD, "libdrove")],
                           env=env)
        rc = rc or r.returncode
    return rc


def main():
    ctrl_bin = os.path.join(BUILD, "daemons", "drove-controller", "drove-controller")
    exec_bin = os.path.join(BUILD, "daemons", "drove-executor", "drove-executor")
    for b in (ctrl_bin, exec_bin):
        if not os.access(b, os.X_OK):
            raise AssertionError("not built: " + b)
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    comp = None
    components = os.path.join(SRC, "tests", "harness", "components.sh")
    if not (os.environ.get("DROVE_TEST_ZK") and os.environ.get("DROVE_TEST_DOCKER_SOCK")):
        comp = os.path.join(WORK, "components")
        r = subprocess.run([components, "start", comp], capture_output=True, text=True)
        if r.returncode != 0:
            skip("components.sh start failed: " + r.stdout + r.stderr)
        for line in open(os.path.join(comp, "env")):
            if line.startswith("export "):
                k, _, v = line[7:].strip().partition("=")
                os.environ[k] = v
    executor_id = None
    rc = 1
    try:
        cport, eport = free_port(), free_port()
        ns = "bindings%d" % os.getpid()
        with open(os.path.join(WORK, "controller.yml"), "w") as f:
            f.write(CONTROLLER % (cport, os.environ["DROVE_TEST_ZK"], ns, USER, PASSWORD))
        spawn([ctrl_bin, "-c", os.path.join(WORK, "controller.yml")],
              os.path.join(WORK, "controller.log"))
        wait_for(30, "the controller leading",
                 lambda: api(cport, "/ping").get("status") == "SUCCESS")
        with open(os.path.join(WORK, "executor.yml"), "w") as f:
            f.write(EXECUTOR % (eport, WORK, os.environ["DROVE_TEST_DOCKER_SOCK"], cport))
        spawn([exec_bin, "-c", os.path.join(WORK, "executor.yml")],
              os.path.join(WORK, "executor.log"))
        execs = wait_for(60, "the executor becoming ACTIVE",
                         lambda: [e for e in (api(cport, "/cluster/executors").get("data") or [])
                                  if e.get("state") == "ACTIVE"])
        executor_id = execs[0]["executorId"]
        say("controller :%d, executor %s" % (cport, executor_id))
        env = dict(os.environ, DROVE_TEST_ENDPOINT="http://127.0.0.1:%d" % cport,
                   DROVE_TEST_USER=USER, DROVE_TEST_PASSWORD=PASSWORD,
                   DROVE_TEST_SPECS=os.path.join(SRC, "examples", "specs"),
                   DROVE_TEST_EXECUTOR=executor_id)
        rc = suites(env)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if executor_id:
            for c in our_containers(executor_id):
                subprocess.run(["podman", "rm", "-f", c], capture_output=True)
        if comp:
            subprocess.run([components, "stop", comp], capture_output=True)
    if rc != 0:
        for f in ("controller.log", "executor.log"):
            p = os.path.join(WORK, f)
            if os.path.exists(p):
                print("---- %s (tail)" % f, file=sys.stderr)
                print("".join(open(p, errors="replace").readlines()[-30:]), file=sys.stderr)
    return rc


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        say("FAIL: %s" % e)
        sys.exit(1)
