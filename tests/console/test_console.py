#!/usr/bin/python3
"""The web console in a real browser (issue 17, docs/console.md).

Starts ZooKeeper and podman (tests/harness/components.sh), two drove-controllers (a leader
and a follower) with Basic auth and one drove-executor, deploys an application, a task and a
local service whose tags and env hold <script> tags, then drives headless Chromium (Debian's
`chromium`) over the DevTools protocol (python3-websocket) through every page:
  - each page loads without a JavaScript exception, console error or failed request, shows
    the running instances and has no form or button (read-only);
  - the <script> values show as text and no dialog opens;
  - the page refreshes its content without reloading;
  - the instance page's live tail shows a line written into the container after it opened,
    and its download link serves the file;
  - the follower says so and links to the leader.
Screenshots of every page go to BUILD/console-shots/.

Usage: test_console.py BUILD_DIR SOURCE_DIR   (exit 77 when a component is missing, unless
DROVE_REQUIRE_COMPONENTS=1 makes that a failure)
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

BUILD, SRC = (os.path.abspath(a) for a in sys.argv[1:3])
WORK = os.path.join(BUILD, "console-test")
SHOTS = os.path.join(BUILD, "console-shots")
REQUIRE = os.environ.get("DROVE_REQUIRE_COMPONENTS") == "1"
EVIL_TAG = "<script>alert('tag')</script>"
EVIL_ENV = "<script>alert('env')</script>"
AUTH = "Basic " + base64.b64encode(b"viewer:viewerpw").decode()
ADMIN = "Basic " + base64.b64encode(b"admin:adminpw").decode()
T0 = time.time()
procs = []


def say(msg):
    print("test_console: [%5.1fs] %s" % (time.time() - T0, msg), flush=True)


def fail(msg):
    raise AssertionError(msg)


def skip(why):
    if REQUIRE:
        fail("missing component (DROVE_REQUIRE_COMPONENTS=1): " + why)
    print("test_console: SKIP: " + why)
    sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http(port, method, path, body=None, auth=ADMIN):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    if auth:
        req.add_header("Authorization", auth)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), e.headers
    except OSError as e:
        return 0, str(e), {}


def api(port, method, path, body=None):
    code, text, _ = http(port, method, "/apis/v1" + path, body)
    try:
        return code, json.loads(text)
    except ValueError:
        return code, {"raw": text}


def wait_for(secs, what, fn):
    end = time.time() + secs
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.3)
    fail("%s did not happen within %ds" % (what, secs))


def spawn(argv, log):
    f = open(log, "ab")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    procs.append(p)
    return p


# ---- the DevTools protocol ----

class Browser:
    def __init__(self, websocket):
        self.websocket = websocket
        self.dir = os.path.join(WORK, "chromium")
        os.makedirs(self.dir, exist_ok=True)
        self.proc = spawn(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-extensions", "--remote-debugging-port=0",
                           "--remote-allow-origins=*", "--user-data-dir=" + self.dir,
                           "--window-size=1280,900", "about:blank"],
                          os.path.join(WORK, "chromium.log"))
        self.ws = None

    def connect(self):
        portfile = os.path.join(self.dir, "DevToolsActivePort")
        wait_for(30, "chromium's DevTools port",
                 lambda: os.path.exists(portfile) and open(portfile).read().strip())
        port = int(open(portfile).read().split()[0])
        targets = wait_for(10, "a page target", lambda: [
            t for t in json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % port))
            if t.get("type") == "page"])
        self.ws = self.websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=30,
                                                   suppress_origin=True)
        self.n = 0
        self.events = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable")
        self.call("Network.setExtraHTTPHeaders", headers={"Authorization": AUTH})
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)

    def _recv(self):
        m = json.loads(self.ws.recv())
        if "method" in m:
            self.events.append(m)
        return m

    def call(self, method, **params):
        self.n += 1
        me = self.n
        self.ws.send(json.dumps({"id": me, "method": method, "params": params}))
        while True:
            m = self._recv()
            if m.get("id") == me:
                if "error" in m:
                    fail("%s: %s" % (method, m["error"]))
                return m.get("result", {})

    def pump(self, secs, until=None):
        end = time.time() + secs
        self.ws.settimeout(0.2)
        try:
            while time.time() < end:
                try:
                    m = self._recv()
                except self.websocket.WebSocketTimeoutException:
                    continue
                if until and m.get("method") == until:
                    return True
        finally:
            self.ws.settimeout(30)
        return False

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            fail("evaluate %s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def problems(self):
        out = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append("exception: %s" % p["exceptionDetails"].get("text"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.%s: %s" % (p["type"], [a.get("value") for a in p["args"]]))
            elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append("log: %s %s" % (p["entry"]["text"], p["entry"].get("url", "")))
            elif m == "Network.loadingFailed":
                out.append("request failed: %s" % p.get("errorText"))
            elif m == "Network.responseReceived" and p["response"]["status"] >= 400:
                out.append("HTTP %d %s" % (p["response"]["status"], p["response"]["url"]))
            elif m == "Page.javascriptDialogOpening":
                out.append("a dialog opened: %s" % p.get("message"))
        return out

    def open(self, port, path, name, settle=0.7):
        t0 = time.time()
        self.events = []
        self.call("Page.navigate", url="http://127.0.0.1:%d%s" % (port, path))
        if not self.pump(20, until="Page.loadEventFired"):
            fail("%s: no load event within 20 s" % path)
        self.pump(settle)
        self.check(path)
        self.shot(name)
        say("%s: loaded and checked in %.1f s" % (path, time.time() - t0))

    def check(self, path):
        bad = self.problems()
        if bad:
            fail("%s: %s" % (path, "; ".join(bad)))
        n = self.eval("document.querySelectorAll('form,button,input,textarea,select,"
                      "[method]').length")
        if n:
            fail("%s: %d form elements on a read-only page" % (path, n))
        scripts = self.eval("Array.from(document.scripts).map(s => s.src)")
        if sorted(os.path.basename(s) for s in scripts) != ["bootstrap.bundle.min.js",
                                                           "console.js"]:
            fail("%s: unexpected scripts %s" % (path, scripts))

    def text(self):
        return self.eval("document.body.innerText")

    def shot(self, name):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(SHOTS, name + ".png"), "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            if self.ws:
                self.ws.close()
        except Exception:
            pass


def expect(text, *needles, where=""):
    for n in needles:
        if n not in text:
            fail("%s: '%s' not shown; page text:\n%s" % (where, n, text[:3000]))


# ---- the cluster ----

def controller_yaml(port, zk, ns):
    return """server: { applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}], adminConnectors: [] }
logging: { level: INFO }
zookeeper: { connectionString: "%s", nameSpace: %s, sessionTimeout: 30s }
clusterAuth:
  secrets:
    - { nodeType: CONTROLLER, secret: console-controller-secret }
    - { nodeType: EXECUTOR, secret: console-executor-secret }
userAuth:
  enabled: true
  encoding: PLAIN
  users:
    - { username: viewer, password: viewerpw, role: EXTERNAL_READ_ONLY }
    - { username: admin, password: adminpw, role: EXTERNAL_ROOT }
options:
  executorCheckInterval: 500ms
  reconcileInterval: 1s
  maintenanceWindowTail: 0s
  consoleAssetsPath: /usr/share/javascript/bootstrap5
""" % (port, zk, ns)


def executor_yaml(port, sock, ctrl_ports):
    return """server:
  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]
  adminConnectors: []
logging:
  level: INFO
  appenders:
    - {type: drove, logPath: %s/logs}
clusterAuth:
  secrets:
    - {nodeType: CONTROLLER, secret: console-controller-secret}
    - {nodeType: EXECUTOR, secret: console-executor-secret}
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
  endpoints: [%s]
""" % (port, WORK, sock,
       ", ".join('"http://127.0.0.1:%d"' % p for p in ctrl_ports))


def load_spec(name):
    with open(os.path.join(SRC, "examples", "specs", name)) as f:
        return json.load(f)


def quick_checks(spec):
    """Readiness and health every second, so that instances are HEALTHY sooner; readiness
    may take 30 tries (a busy CI machine runs a CMD check slowly)."""
    for k in ("readiness", "healthcheck"):
        if spec.get(k):
            spec[k]["interval"] = "1 second"
            spec[k]["initialDelay"] = "0 seconds"
    if spec.get("readiness"):
        spec["readiness"]["attempts"] = 30


def deploy(port):
    op = {"timeout": "2m", "parallelism": 1, "failureStrategy": "STOP"}
    app = load_spec("application.json")
    app["name"] = "CONSOLE_APP"
    quick_checks(app)
    app["tags"] = {"owner": EVIL_TAG}
    app["env"] = {"GREETING": EVIL_ENV}
    app["args"] = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done & "
                   "exec httpd -f -p 8000 -h /www"]
    code, r = api(port, "POST", "/applications/operations",
                  {"type": "CREATE", "spec": app, "opSpec": op})
    if r.get("status") != "SUCCESS":
        fail("app CREATE: %d %s" % (code, r))
    app_id = r["data"]["appId"]
    code, r = api(port, "POST", "/applications/operations",
                  {"type": "SCALE", "appId": app_id, "requiredInstances": 1, "opSpec": op})
    if r.get("status") != "SUCCESS":
        fail("app SCALE: %d %s" % (code, r))
    task = load_spec("task.json")
    task["sourceAppName"] = "CONSOLE_APP"
    task["taskId"] = "T-console"
    task["env"] = {"ITERATIONS": "600", "NOTE": EVIL_ENV}
    code, r = api(port, "POST", "/tasks/operations", {"type": "CREATE", "spec": task, "opSpec": op})
    if r.get("status") != "SUCCESS":
        fail("task CREATE: %d %s" % (code, r))
    ls = load_spec("localservice.json")
    ls["name"] = "CONSOLE_LS"
    quick_checks(ls)
    ls["tags"] = {"owner": EVIL_TAG}
    code, r = api(port, "POST", "/localservices/operations",
                  {"type": "CREATE", "spec": ls, "instancesPerHost": 1})
    if r.get("status") != "SUCCESS":
        fail("local service CREATE: %d %s" % (code, r))
    svc_id = r["data"]["serviceId"]
    code, r = api(port, "POST", "/localservices/operations",
                  {"type": "ACTIVATE", "serviceId": svc_id})
    if r.get("status") != "SUCCESS":
        fail("local service ACTIVATE: %d %s" % (code, r))
    return app_id, svc_id


def healthy(port, path):
    code, r = api(port, "GET", path)
    return [i for i in (r.get("data") or []) if i.get("state") == "HEALTHY"]


def task_running(port):
    code, r = api(port, "GET", "/tasks/CONSOLE_APP/instances/T-console")
    d = r.get("data") or {}
    return d if d.get("state") == "RUNNING" else None


def container_of(instance_id):
    out = subprocess.run(["podman", "ps", "-q", "--filter",
                          "label=drove.instance.id=" + instance_id],
                         capture_output=True, text=True).stdout.split()
    return out[0] if out else None


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


def main():
    try:
        import websocket
    except ImportError:
        skip("python3-websocket is not installed")
    if not shutil.which("chromium"):
        skip("chromium is not installed")
    if not os.path.exists("/usr/share/javascript/bootstrap5/css/bootstrap.min.css"):
        skip("libjs-bootstrap5 is not installed")
    ctrl_bin = os.path.join(BUILD, "daemons", "drove-controller", "drove-controller")
    exec_bin = os.path.join(BUILD, "daemons", "drove-executor", "drove-executor")
    for b in (ctrl_bin, exec_bin):
        if not os.access(b, os.X_OK):
            fail("not built: " + b)
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(SHOTS, ignore_errors=True)
    os.makedirs(WORK)
    os.makedirs(SHOTS)
    comp = os.path.join(WORK, "components")
    components = os.path.join(SRC, "tests", "harness", "components.sh")
    r = subprocess.run([components, "start", comp], capture_output=True, text=True)
    if r.returncode != 0:
        skip("components.sh start failed: " + r.stdout + r.stderr)
    env = {}
    for line in open(os.path.join(comp, "env")):
        if line.startswith("export "):
            k, _, v = line[7:].strip().partition("=")
            env[k] = v
    os.environ.update(env)
    browser = None
    executor_id = None
    try:
        say("components up (ZooKeeper %s)" % env["DROVE_TEST_ZK"])
        browser = Browser(websocket)  # starts while the cluster comes up
        cports = [free_port(), free_port()]
        ns = "console%d" % os.getpid()
        for i, p in enumerate(cports):
            path = os.path.join(WORK, "controller%d.yml" % i)
            with open(path, "w") as f:
                f.write(controller_yaml(p, env["DROVE_TEST_ZK"], ns))
            spawn([ctrl_bin, "-c", path], os.path.join(WORK, "controller%d.log" % i))
            if i == 0:
                wait_for(30, "the first controller leading",
                         lambda: api(p, "GET", "/ping")[0] == 200)
        leader, follower = cports
        wait_for(30, "the second controller answering as a follower",
                 lambda: api(follower, "GET", "/ping")[0] == 400)
        eport = free_port()
        path = os.path.join(WORK, "executor.yml")
        with open(path, "w") as f:
            f.write(executor_yaml(eport, env["DROVE_TEST_DOCKER_SOCK"], cports))
        spawn([exec_bin, "-c", path], os.path.join(WORK, "executor.log"))

        def active_executor():
            code, r = api(leader, "GET", "/cluster/executors")
            return [e for e in (r.get("data") or []) if e.get("state") == "ACTIVE"]
        executor_id = wait_for(60, "the executor becoming ACTIVE", active_executor)[0]["executorId"]
        wait_for(30, "three free cores", lambda: (api(leader, "GET", "/cluster")[1].get("data")
                                                  or {}).get("freeCores", 0) >= 3)
        say("leader :%d, follower :%d, executor %s" % (leader, follower, executor_id))

        # the console answers / with HTML; the API is not shadowed; auth applies
        code, body, hdrs = http(leader, "GET", "/", auth=AUTH)
        if code != 200 or "text/html" not in hdrs.get("Content-Type", ""):
            fail("GET /: %d %s" % (code, body[:200]))
        if "default-src 'self'" not in hdrs.get("Content-Security-Policy", ""):
            fail("GET /: no Content-Security-Policy")
        if http(leader, "GET", "/", auth=None)[0] != 401:
            fail("GET / without credentials is not 401")
        if http(leader, "GET", "/ui/applications", auth="Basic " + base64.b64encode(
                b"viewer:wrong").decode())[0] != 401:
            fail("GET /ui/applications with a bad password is not 401")
        if api(leader, "GET", "/ping")[1].get("data") != "pong":
            fail("the console shadows /apis/v1/ping")
        if http(leader, "POST", "/", body={}, auth=ADMIN)[0] not in (404, 405):
            fail("POST / is accepted")
        if http(leader, "GET", "/ui/assets/bootstrap.min.css", auth=AUTH)[0] != 200:
            fail("bootstrap.min.css is not served")
        if http(leader, "GET", "/ui/assets/..%2Fetc%2Fpasswd", auth=AUTH)[0] != 404:
            fail("an asset outside the list is served")

        app_id, svc_id = deploy(leader)
        inst = wait_for(90, "a HEALTHY app instance",
                        lambda: healthy(leader, "/applications/%s/instances" % app_id))[0]
        task = wait_for(60, "the task RUNNING", lambda: task_running(leader))
        lsi = wait_for(60, "a HEALTHY local service instance",
                       lambda: healthy(leader, "/localservices/%s/instances" % svc_id))[0]
        iid, tid, sid = inst["instanceId"], task["instanceId"], lsi["instanceId"]
        say("app %s (%s), task T-console (%s), local service %s (%s)" %
            (app_id, iid, tid, svc_id, sid))

        browser.connect()
        b = browser
        b.open(leader, "/", "cluster")
        expect(b.text(), "Cluster", "NORMAL", "Recent events", executor_id, where="cluster")
        b.open(leader, "/ui/executors", "executors")
        expect(b.text(), executor_id, "ACTIVE", where="executors")
        b.open(leader, "/ui/executors/" + executor_id, "executor")
        expect(b.text(), "NUMA node 0", "Core map", iid, sid, "T-console", where="executor")
        for cls in ("core-app", "core-task", "core-lsvc"):
            if not b.eval("document.querySelectorAll('a.core.%s').length" % cls):
                fail("executor page: no %s core in the core map" % cls)
        b.open(leader, "/ui/applications", "applications")
        expect(b.text(), app_id, "RUNNING", where="applications")
        b.open(leader, "/ui/applications/" + app_id, "application")
        t = b.text()
        expect(t, iid, "HEALTHY", EVIL_TAG, EVIL_ENV, "Endpoints", where="application")
        # the <script> values are text, never elements
        if b.eval("document.querySelectorAll('script').length") != 2:
            fail("application page: a <script> from the spec became an element")
        # the content refreshes without a reload
        b.eval("window.__noReload = 1")
        b.events = []
        b.pump(6.5)
        b.check("application (after refresh)")
        if not (b.eval("window.__noReload") == 1 and
                (b.eval("document.getElementById('refreshed').textContent") or "")
                .startswith("refreshed")):
            fail("the application page did not refresh its content in place")
        expect(b.text(), iid, where="application after refresh")

        # the instance page: log files, download, live tail
        path = "/ui/applications/%s/instances/%s" % (app_id, iid)
        b.open(leader, path, "instance")
        expect(b.text(), iid, "HEALTHY", "Live tail", where="instance")
        wait_for(15, "the tail following output.log", lambda: (b.eval(
            "document.getElementById('tail-state').textContent") or "").startswith("following"))
        links = b.eval("Array.from(document.querySelectorAll('#logfiles a')).map(a => "
                       "a.getAttribute('href'))")
        dl = [h for h in links or [] if h.endswith("/download/output.log")]
        if not dl:
            fail("instance page: no download link for output.log: %s" % links)
        code, body, _ = http(leader, "GET", dl[0], auth=AUTH)
        if code != 200 or "tick" not in body:
            fail("download %s: %d %s" % (dl[0], code, body[:200]))
        marker = "console-marker-" + uuid.uuid4().hex
        cid = container_of(iid)
        if not cid:
            fail("no container for %s" % iid)
        r = subprocess.run(["podman", "exec", cid, "sh", "-c", "echo %s > /proc/1/fd/1" % marker],
                           capture_output=True, text=True)
        if r.returncode:
            fail("podman exec: %s" % r.stderr)
        written = time.time()
        end = written + 20
        while time.time() < end:
            b.pump(0.5)
            if marker in (b.eval("document.getElementById('tail').textContent") or ""):
                break
        else:
            fail("the tail did not show the line written after the page opened")
        say("the tail showed a line written after the page opened, %.1f s later" %
            (time.time() - written))
        b.check(path)
        b.shot("instance-tail")

        b.open(leader, "/ui/tasks", "tasks")
        expect(b.text(), "T-console", "RUNNING", where="tasks")
        b.open(leader, "/ui/tasks/CONSOLE_APP/T-console", "task")
        expect(b.text(), "T-console", tid, "RUNNING", EVIL_ENV, "Live tail", where="task")
        b.open(leader, "/ui/localservices", "localservices")
        expect(b.text(), svc_id, "ACTIVE", where="localservices")
        b.open(leader, "/ui/localservices/" + svc_id, "localservice")
        expect(b.text(), sid, "HEALTHY", EVIL_TAG, where="localservice")
        b.open(leader, "/ui/localservices/%s/instances/%s" % (svc_id, sid), "service-instance")
        expect(b.text(), sid, "HEALTHY", "Log files", where="service instance")
        b.open(leader, "/ui/applications/nope-1", "missing")
        expect(b.text(), "No application", where="missing app")

        # the follower says so and links to the leader
        b.open(follower, "/ui/applications", "follower")
        expect(b.text(), "is a follower", where="follower")
        href = b.eval("document.getElementById('leader-link').getAttribute('href')")
        if not (href or "").endswith(":%d/" % leader):
            fail("follower: the leader link is %s, not the leader's port %d" % (href, leader))
        if app_id in b.text():
            fail("follower: shows state it does not hold")
        say("PASS: %d pages in Chromium, screenshots in %s" % (len(os.listdir(SHOTS)), SHOTS))
    finally:
        if browser:
            browser.close()
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if executor_id:
            for c in our_containers(executor_id):
                subprocess.run(["podman", "rm", "-f", c], capture_output=True)
        subprocess.run([components, "stop", comp], capture_output=True)
    # the daemons (ASan builds in CI) reported no memory error or undefined behaviour
    for f in ("controller0.log", "controller1.log", "executor.log"):
        text = open(os.path.join(WORK, f), errors="replace").read()
        for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if bad in text:
                fail("%s reports %s" % (f, bad))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("test_console: FAIL: %s" % e, file=sys.stderr)
        for f in ("controller0.log", "controller1.log", "executor.log", "chromium.log"):
            p = os.path.join(WORK, f)
            if os.path.exists(p):
                print("---- %s (tail)" % f, file=sys.stderr)
                print("".join(open(p, errors="replace").readlines()[-25:]), file=sys.stderr)
        sys.exit(1)
