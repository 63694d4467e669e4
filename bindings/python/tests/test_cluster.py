"""The Python package `drove` against a real cluster (bindings/tests/run_cluster_tests.py
starts it and sets DROVE_TEST_ENDPOINT, DROVE_TEST_USER, DROVE_TEST_PASSWORD,
DROVE_TEST_SPECS). Run with pytest-3."""
import json
import os
import time

import pytest

import drove

ENDPOINT = os.environ.get("DROVE_TEST_ENDPOINT")
if not ENDPOINT:
    if os.environ.get("DROVE_REQUIRE_COMPONENTS") == "1":
        raise RuntimeError("DROVE_TEST_ENDPOINT is not set (run through run_cluster_tests.py)")
    pytest.skip("no cluster (DROVE_TEST_ENDPOINT)", allow_module_level=True)
USER = os.environ.get("DROVE_TEST_USER")
PASSWORD = os.environ.get("DROVE_TEST_PASSWORD")
SPECS = os.environ.get("DROVE_TEST_SPECS", "")


def load(name):
    with open(os.path.join(SPECS, name)) as f:
        return json.load(f)


def quick(spec):
    for k in ("readiness", "healthcheck"):
        if spec.get(k):
            spec[k]["interval"] = "1 second"
            spec[k]["initialDelay"] = "0 seconds"
    if spec.get("readiness"):
        spec["readiness"]["attempts"] = 30
    return spec


@pytest.fixture(scope="module")
def client():
    with drove.Client([ENDPOINT], user=USER, password=PASSWORD, request_timeout=30) as c:
        yield c


def test_cluster_and_executors(client):
    client.cluster.ping()
    assert client.leader == ENDPOINT
    end = time.time() + 40  # the leader computes the summary in the background
    while True:
        try:
            s = client.cluster.summary()
            if s.executors == 1 or time.time() > end:
                break
        except drove.DroveError:
            if time.time() > end:
                raise
        time.sleep(0.5)
    assert isinstance(s, drove.ClusterSummary)
    assert s.state == "NORMAL" and s.executors == 1, s
    assert s["numExecutors"] == 1 and s.total_cores > 0 and s.leader, s  # also a mapping
    (ex,) = client.executors.list()
    assert ex.executor_id == os.environ["DROVE_TEST_EXECUTOR"] == ex["executorId"]
    assert (ex.state, ex.transport, ex.host) == ("ACTIVE", "HTTP", ex["hostname"]), ex
    info = client.executors.get(ex.executor_id)
    assert info.executor_id == ex.executor_id and info.state == "ACTIVE", info
    assert info.free_cores + info.used_cores == ex.free_cores + ex.used_cores, (info, ex)
    assert info["state"]["executorId"] == ex.executor_id  # the whole ExecutorNodeData
    assert client.cluster.maintenance(True)["state"] == "MAINTENANCE"
    assert client.cluster.maintenance(False)["state"] == "NORMAL"


def test_typed_records_in_the_native_module(client):
    """The C typed client through SWIG: records, getters, lists (test_cluster_and_executors
    waited for the summary)."""
    from drove import native
    cs = client._native(native.drove_client_cluster_get)
    try:
        assert native.drove_cluster_summary_state(cs) == native.DROVE_CLUSTER_NORMAL
        assert native.drove_cluster_summary_executors(cs) == 1
        assert native.drove_cluster_summary_total_cores(cs) > 0
        assert json.loads(native.drove_cluster_summary_json(cs))["numExecutors"] == 1
    finally:
        native.drove_cluster_summary_free(cs)
    xl = client._native(native.drove_client_executor_list)
    try:
        assert native.drove_executor_info_list_count(xl) == 1
        ex = native.drove_executor_info_list_get(xl, 0)
        assert native.drove_executor_info_id(ex) == os.environ["DROVE_TEST_EXECUTOR"]
        assert native.drove_executor_info_state(ex) == native.DROVE_EXECUTOR_ACTIVE
        assert native.drove_executor_info_transport(ex) == "HTTP"
    finally:
        native.drove_executor_info_list_free(xl)
    with pytest.raises(drove.NotFoundError):
        client._native(native.drove_client_app_get, "NOPE-1")


def test_wrong_password_is_auth_error():
    with drove.Client(ENDPOINT, user=USER, password="wrong", retries=0) as c:
        with pytest.raises(drove.AuthError):
            c.apps.list()


def test_not_found(client):
    with pytest.raises(drove.NotFoundError) as ei:
        client.apps.get("NO_SUCH_APP-1")
    assert "NO_SUCH_APP-1" in ei.value.message


def test_400_carries_validation_errors(client):
    spec = load("application.json")
    spec["name"] = "bad name"
    spec["resources"][0]["count"] = 0
    with pytest.raises(drove.ValidationError) as ei:
        client.apps.create(spec, instances=1)
    e = ei.value
    assert e.status == 400
    assert e.message.startswith("Command validation failure")
    assert len(e.validation_errors) >= 2, e.validation_errors
    joined = " | ".join(e.validation_errors)
    assert "name" in joined and "count" in joined, joined
    assert client.apps.list().get("bad name-1") is None  # nothing stored


def test_deploy_scale_events_logs(client, tmp_path):
    since = int(time.time() * 1000) - 1
    spec = quick(load("application.json"))
    spec["name"] = "PYBIND_APP"
    spec["args"] = ["sh", "-c", "echo hello from pybind; exec httpd -f -p 8000 -h /www"]
    app_id = client.apps.create(spec, timeout=120)
    assert app_id == "PYBIND_APP-1"
    assert client.apps.spec(app_id)["name"] == "PYBIND_APP"
    assert app_id in client.apps.list()
    try:
        with pytest.raises(drove.TimeoutError):
            client.apps.wait(app_id, healthy=1, timeout=0.5, interval=0.1)
        client.apps.scale(app_id, 1, timeout=120)
        summary = client.apps.wait(app_id, healthy=1, timeout=90)
        assert summary["healthyInstances"] == 1  # read as a mapping, as before records
        client.apps.scale(app_id, 2, timeout=120)
        summary = client.apps.wait(app_id, state="RUNNING", healthy=2, timeout=90)
        assert isinstance(summary, drove.App)
        assert (summary.id, summary.name) == (app_id, "PYBIND_APP")
        assert (summary.required_instances, summary.healthy_instances) == (2, 2), summary
        assert (summary.total_cpus, summary.total_memory) == (2, 128), summary
        assert client.apps.list()[app_id].required_instances == 2
        healthy = client.apps.instances(app_id, ["HEALTHY"])
        assert len(healthy) == 2
        iid = healthy[0].instance_id
        inst = client.apps.instance(app_id, iid)
        assert (inst.state, inst.app_id, inst["instanceId"]) == ("HEALTHY", app_id, iid)
        assert inst.host and [p.container_port for p in inst.ports] == [8000], inst

        eps = [e for e in client.cluster.endpoints() if e["appId"] == app_id]
        assert eps and len(eps[0]["hosts"]) == 2

        # events: the follow iterator sees the app's instances become HEALTHY
        seen = set()
        for ev in client.events.follow(since=since, interval=0.5, timeout=5):
            assert isinstance(ev, drove.Event) and ev.time >= since - 1, ev
            if ev.metadata.get("APP_ID") == app_id:
                seen.add((ev.type, ev.metadata.get("CURRENT_STATE")))
        assert ("INSTANCE_STATE_CHANGE", "HEALTHY") in seen, seen
        assert any(t == "APP_STATE_CHANGE" for t, _ in seen), seen
        counts = client.events.summary(since)["eventsCount"]
        assert counts.get("INSTANCE_STATE_CHANGE", 0) >= 2

        # logs: list, read, follow
        assert "output.log" in client.logs.list("applications", app_id, iid)
        text = client.logs.read_all("applications", app_id, iid)
        assert "hello from pybind" in text, text
        lines = list(client.logs.follow("applications", app_id, iid, from_start=True,
                                        interval=0.2, timeout=2))
        assert any("hello from pybind" in l for l in lines), lines
        # download: to a path and to a file object
        path = os.path.join(tmp_path, "out.log")
        n = client.logs.download("applications", app_id, iid, "output.log", path)
        with open(path, "rb") as f:
            body = f.read()
        assert n == len(body) and b"hello from pybind" in body, (n, body)
        with open(os.path.join(tmp_path, "out2.log"), "w+b") as f:
            assert client.logs.download("applications", app_id, iid, "output.log", f) == n
            f.seek(0)
            assert f.read() == body
        with pytest.raises(drove.DroveError):
            client.logs.download("applications", app_id, iid, "no-such.log",
                                 os.path.join(tmp_path, "none.log"))

        # replace one instance: a new one takes its place, the old one is listed as old
        client.apps.replace_instances(app_id, [iid], timeout=120)
        end = time.time() + 90
        while True:
            cur = [i.instance_id for i in client.apps.instances(app_id, ["HEALTHY"])]
            if len(cur) == 2 and iid not in cur:
                break
            assert time.time() < end, cur
            time.sleep(0.3)
        while iid not in [i.instance_id for i in client.apps.old_instances(app_id)]:
            assert time.time() < end, client.apps.old_instances(app_id)  # listed once stopped
            time.sleep(0.3)

        client.apps.scale(app_id, 0, timeout=120)
        client.apps.wait(app_id, state="MONITORING", timeout=90)
    finally:
        end = time.time() + 60
        while True:  # scaling is refused while another operation (a replace) still runs
            try:
                client.apps.scale(app_id, 0, timeout=60)
                break
            except drove.ValidationError:
                if time.time() > end:
                    break
                time.sleep(0.5)
        try:
            client.apps.wait(app_id, state="MONITORING", timeout=60)
        except drove.DroveError:
            pass
        client.apps.destroy(app_id)
    assert client.apps.wait(app_id, state="DESTROYED", timeout=60) is None


def test_task_result_and_logs(client):
    spec = load("task.json")
    spec["sourceAppName"] = "PYBIND_APP"
    spec["taskId"] = "T-pybind"
    spec["env"] = {"ITERATIONS": "2"}
    assert client.tasks.create(spec, timeout=60) == "PYBIND_APP-T-pybind"
    info = client.tasks.wait("PYBIND_APP", "T-pybind", "RUNNING", timeout=90, interval=0.2)
    assert info.state in ("RUNNING", "STOPPED"), info
    assert (info.source_app, info.task_id, info["taskId"]) == ("PYBIND_APP", "T-pybind",
                                                              "T-pybind")
    # the task list: wait until the task has left the active states
    client.tasks.wait_list(lambda ts: not [t for t in ts if t.task_id == "T-pybind" and
                                           t.state not in ("STOPPED", "LOST")],
                           timeout=90, interval=0.5)
    with pytest.raises(drove.TimeoutError):
        client.tasks.wait_list(lambda ts: False, timeout=0.3, interval=0.1)
    result = client.tasks.wait_result("PYBIND_APP", "T-pybind", timeout=90, interval=0.5)
    assert result == {"status": "SUCCESSFUL", "exitCode": 0}
    done = client.tasks.get("PYBIND_APP", "T-pybind")
    assert (done.result_status, done.exit_code) == ("SUCCESSFUL", 0), done
    assert "iteration 2" in client.tasks.logs("PYBIND_APP", "T-pybind")
    # a second CREATE of the same task is a 400 with the API's reason
    with pytest.raises(drove.ValidationError) as ei:
        client.tasks.create(spec)
    assert any("already exists" in v for v in ei.value.validation_errors), ei.value
    client.tasks.delete("PYBIND_APP", "T-pybind")


def test_local_service(client):
    spec = quick(load("localservice.json"))
    spec["name"] = "PYBIND_LS"
    sid = client.local_services.create(spec, instances_per_host=1)
    assert sid in client.local_services.list()
    assert client.local_services.spec(sid)["name"] == "PYBIND_LS"
    try:
        client.local_services.activate(sid)
        # ACTIVE, not only one healthy: until the service settles out of ADJUSTING_INSTANCES
        # every operation (the DEACTIVATE below too) is refused, as in Drove
        s = client.local_services.wait(sid, state="ACTIVE", healthy=1, timeout=90)
        assert isinstance(s, drove.LocalService) and s.id == sid
        assert s.activation_state == "ACTIVE" == s["activationState"], s
        assert client.local_services.list()[sid].instances_per_host == 1
        (inst,) = client.local_services.instances(sid, ["HEALTHY"])
        assert inst.app_id == sid, inst  # the serviceId
        assert client.local_services.instance(sid, inst.instance_id).state == "HEALTHY"
        assert "output.log" in client.logs.list("localservices", sid, inst.instance_id)
    finally:
        client.local_services.deactivate(sid)
    end = time.time() + 60
    while True:  # DESTROY is refused until the service is INACTIVE
        try:
            client.local_services.destroy(sid)
            break
        except drove.ValidationError:
            if time.time() > end:
                raise
            time.sleep(0.5)
    assert client.local_services.wait(sid, state="DESTROYED", timeout=60) is None


def test_blacklist_and_unblacklist(client):
    ex = os.environ["DROVE_TEST_EXECUTOR"]
    r = client.executors.blacklist(ex)
    assert ex in r["successful"], r
    try:
        end = time.time() + 30
        while client.executors.list()[0].state not in ("BLACKLISTED", "BLACKLIST_REQUESTED"):
            assert time.time() < end, client.executors.list()
            time.sleep(0.3)
    finally:
        r = client.executors.unblacklist([ex])
        assert ex in r["successful"], r
    end = time.time() + 30
    while client.executors.list()[0].state != "ACTIVE":
        assert time.time() < end, client.executors.list()
        time.sleep(0.3)
