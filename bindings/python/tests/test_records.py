"""The package's records (drove/_records.py) against a canned controller: typed attributes from
the C record getters, and Drove's JSON as a mapping as before. The answers are
bindings/tests/records.json (the C test check_client_records's). Run by ctest
(bindings_python)."""
import http.server
import json
import os
import threading
import unittest

import drove

ANSWERS = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "records.json")


class _Controller(http.server.BaseHTTPRequestHandler):
    answers: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        if path in self.answers:
            body = {"status": "SUCCESS", "data": self.answers[path], "message": "success"}
        else:
            body = {"status": "FAILED", "message": "No such object " + path}
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


class RecordsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(ANSWERS) as f:
            _Controller.answers = json.load(f)
        cls.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Controller)
        cls.thread = threading.Thread(target=cls.srv.serve_forever, daemon=True)
        cls.thread.start()
        cls.client = drove.Client("http://127.0.0.1:%d" % cls.srv.server_address[1], retries=0)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.srv.shutdown()
        cls.srv.server_close()

    def test_apps(self):
        apps = self.client.apps.list()
        self.assertEqual(list(apps), ["TEST_APP-1", "OTHER-2"])  # the controller's order
        a = apps["TEST_APP-1"]
        self.assertIsInstance(a, drove.App)
        self.assertEqual((a.id, a.name, a.state), ("TEST_APP-1", "TEST_APP", "RUNNING"))
        self.assertEqual((a.required_instances, a.healthy_instances), (2, 1))
        self.assertEqual((a.total_cpus, a.total_memory), (2, 256))
        self.assertEqual(a.tags, {"k": "v"})
        self.assertEqual((a.created, a.updated), (1719826995764, 1719892126096))
        other = apps["OTHER-2"]
        self.assertIsNone(other.state)  # no state machine
        self.assertEqual(other.tags, {})
        # read as a mapping: Drove's JSON, as before records
        self.assertEqual(a["healthyInstances"], 1)
        self.assertEqual(a.get("state"), "RUNNING")
        self.assertIsNone(other.get("state"))
        self.assertEqual(json.loads(json.dumps(a))["totalCPUs"], 2)
        d = a.to_dict()
        self.assertIs(type(d), dict)
        d["tags"]["k"] = "changed"
        self.assertEqual(a["tags"]["k"], "v")  # a deep copy
        self.assertIn("healthy_instances=1", repr(a))
        self.assertEqual(self.client.apps.get("TEST_APP-1"), a)
        with self.assertRaises(drove.NotFoundError):
            self.client.apps.get("NOPE-1")

    def test_a_value_the_decoder_does_not_know_fails_naming_the_field(self):
        with self.assertRaises(drove.DroveError) as cm:
            self.client.apps.get("BAD-1")
        self.assertIn("state", cm.exception.message)
        # the JSON is still reachable through the raw call
        self.assertEqual(self.client.call("GET", "/applications/BAD-1")["state"], "SOMETHING_NEW")

    def test_instances(self):
        inst, pending = self.client.apps.instances("TEST_APP-1", ["HEALTHY", "PENDING"])
        self.assertIsInstance(inst, drove.Instance)
        self.assertEqual((inst.app_id, inst.app_name, inst.instance_id, inst.executor_id),
                         ("TEST_APP-1", "TEST_APP", "AI-58eb", "a45442a1"))
        self.assertEqual((inst.host, inst.state, inst.error_message),
                         ("ppessdev", "HEALTHY", ""))
        self.assertEqual(inst.ports, [drove.Port("main", 33857, 8000, "HTTP")])
        self.assertEqual(inst.ports[0].host_port, 33857)
        self.assertEqual(inst["localInfo"]["ports"]["main"]["hostPort"], 33857)
        self.assertEqual((pending.host, pending.ports, pending.state), (None, [], "PENDING"))
        self.assertEqual(self.client.apps.instance("TEST_APP-1", "AI-2").instance_id, "AI-2")
        self.assertEqual(self.client.apps.old_instances("TEST_APP-1"), [])

    def test_tasks(self):
        done, running = self.client.tasks.list()
        self.assertIsInstance(done, drove.Task)
        self.assertEqual((done.source_app, done.task_id, done.instance_id, done.host),
                         ("TEST_APP", "T0012", "TI-6cf3", "ppessdev"))
        self.assertEqual((done.state, done.result_status, done.exit_code),
                         ("STOPPED", "SUCCESSFUL", 3))
        self.assertEqual((running.state, running.result_status, running.host),
                         ("PROVISIONING", None, None))
        self.assertEqual(self.client.tasks.wait_result("TEST_APP", "T0012", timeout=5),
                         {"status": "SUCCESSFUL", "exitCode": 3})
        self.assertEqual(self.client.tasks.wait("TEST_APP", "T2", "PROVISIONING").task_id, "T2")

    def test_local_services(self):
        (sid, ls), = self.client.local_services.list().items()
        self.assertEqual(sid, "LS-1")
        self.assertIsInstance(ls, drove.LocalService)
        self.assertEqual((ls.id, ls.name, ls.state, ls.activation_state),
                         ("LS-1", "LS", "DEPLOYING_TEST_INSTANCE", "CONFIG_TESTING"))
        self.assertEqual((ls.instances_per_host, ls.healthy_instances, ls.total_cpus,
                          ls.total_memory, ls.tags), (2, 3, 4, 512, {"t": "u"}))
        self.assertEqual(self.client.local_services.wait("LS-1", healthy=3, timeout=5), ls)
        (inst,) = self.client.local_services.instances("LS-1")
        self.assertEqual((inst.app_id, inst.app_name, inst.state, inst.error_message),
                         ("LS-1", "LS", "START_FAILED", "pull failed"))
        self.assertEqual(inst.ports, [drove.Port("admin", 40001, 9000, "TCP")])
        self.assertEqual(inst["serviceId"], "LS-1")
        self.assertEqual(self.client.local_services.instance("LS-1", "SI-9"), inst)

    def test_executors_and_cluster(self):
        ex, gone = self.client.executors.list()
        self.assertIsInstance(ex, drove.Executor)
        self.assertEqual((ex.executor_id, ex.host, ex.port, ex.transport, ex.state),
                         ("a45442a1", "ppessdev", 3000, "HTTP", "ACTIVE"))
        self.assertEqual((ex.free_cores, ex.used_cores, ex.free_memory, ex.used_memory),
                         (9, 1, 18898, 128))
        self.assertEqual(ex.tags, ["ppessdev", "gpu"])
        self.assertEqual((gone.state, gone.tags), ("REMOVED", []))
        node = self.client.executors.get("a45442a1")
        # summed over the NUMA nodes; the mapping is the whole ExecutorNodeData
        self.assertEqual((node.state, node.free_cores, node.free_memory),
                         ("BLACKLISTED", 4, 18998))
        self.assertEqual(node["state"]["executorId"], "a45442a1")
        cs = self.client.cluster.summary()
        self.assertIsInstance(cs, drove.ClusterSummary)
        self.assertEqual((cs.leader, cs.state, cs.executors), ("ppessdev:4000", "MAINTENANCE", 1))
        self.assertEqual((cs.applications, cs.active_applications, cs.active_tasks,
                          cs.local_services, cs.active_local_services), (3, 2, 4, 5, 6))
        self.assertEqual((cs.free_cores, cs.used_cores, cs.total_cores), (9, 1, 10))
        self.assertEqual((cs.free_memory, cs.used_memory, cs.total_memory), (18898, 128, 19026))
        self.assertEqual(cs["numExecutors"], 1)

    def test_events(self):
        ev, ev2 = self.client.events.list(0, 10)
        self.assertIsInstance(ev, drove.Event)
        self.assertEqual((ev.type, ev.id, ev.time),
                         ("INSTANCE_STATE_CHANGE", "55d5876f", 1719977631534))
        self.assertEqual(ev.metadata["CREATED"], "1719977629042")  # text, as the C getter
        self.assertEqual(ev["metadata"]["CREATED"], 1719977629042)  # the JSON's number
        self.assertEqual(ev2.metadata, {"HOSTNAME": "ppessdev"})
        seen = [e.id for e in self.client.events.follow(since=0, interval=0.05, timeout=0.2)]
        self.assertEqual(seen, ["e2", "55d5876f"])  # oldest first, each once
        only = list(self.client.events.follow(since=0, types=["MAINTENANCE_MODE_SET"],
                                              interval=0.05, timeout=0.1))
        self.assertEqual([e.type for e in only], ["MAINTENANCE_MODE_SET"])


class DecodeTest(unittest.TestCase):
    """The records a caller decodes from a body it fetched itself (the gateway's): the
    native module's decoders return record objects; a bad body raises naming the field."""

    def test_endpoints_and_event_summary(self):
        from drove import native

        body = json.dumps({"status": "SUCCESS", "message": "success", "data": [{
            "appId": "web-1", "appName": "web", "vhost": "web.example",
            "tags": {"env": "prod"},
            "hosts": [{"host": "h1", "port": 31000, "portType": "HTTP"}]}]})
        eps = native.drove_endpoint_list_decode(body)
        self.assertEqual(native.drove_endpoint_list_count(eps), 1)
        ep = native.drove_endpoint_list_get(eps, 0)
        self.assertEqual(native.drove_endpoint_app_name(ep), "web")
        self.assertEqual(native.drove_endpoint_vhost(ep), "web.example")
        self.assertEqual(native.drove_endpoint_host_count(ep), 1)
        self.assertEqual(native.drove_endpoint_host(ep, 0), "h1")
        self.assertEqual(native.drove_endpoint_host_port(ep, 0), 31000)
        native.drove_endpoint_list_free(eps)
        with self.assertRaisesRegex(RuntimeError, "port"):
            native.drove_endpoint_list_decode(body.replace("31000", "0"))

        body = json.dumps({"status": "SUCCESS", "message": "success", "data": {
            "eventsCount": {"APP_STATE_CHANGE": 3}, "lastSyncTime": 1700000000000}})
        es = native.drove_event_summary_decode(body)
        self.assertEqual(native.drove_event_summary_count(es, "APP_STATE_CHANGE"), 3)
        self.assertEqual(native.drove_event_summary_last_sync_time(es), 1700000000000)
        native.drove_event_summary_free(es)


if __name__ == "__main__":
    unittest.main(verbosity=2)
