"""The package `drove` without a cluster: offline plans, errors, the GIL released by a
blocking client call. Run by ctest (bindings_python) with unittest."""
import socket
import threading
import time
import unittest

import drove


class PlanTest(unittest.TestCase):
    def test_plan_spreads_over_nodes_and_says_why_it_stopped(self):
        with drove.ClusterModel(seed=7) as m:
            m.add_executor("e1", "host1", [(4, 4096), (4, 4096)])
            m.add_executor("e2", "host2", [([8, 9, 10, 11], 1024)])
            self.assertEqual(m.executor_count, 2)
            p = m.plan(cpus=3, memory_mb=512, count=5)
            self.assertEqual((p.requested, p.placed), (5, 3))
            self.assertIn("3 free cores", p.reason)
            self.assertEqual(sorted(p.per_executor().items()), [("e1", 2), ("e2", 1)])
            for pl in p.placements:
                self.assertEqual(len(pl.cores), 3)
            e2 = [pl for pl in p.placements if pl.executor_id == "e2"][0]
            self.assertTrue(set(e2.cores) <= {8, 9, 10, 11})
            # the plan did not take the cores: the same question gives the same count
            self.assertEqual(m.plan(3, 512, 5).placed, 3)

    def test_policies(self):
        with drove.ClusterModel(strategy="SPREAD") as m:
            for i in range(3):
                m.add_executor("e%d" % i, "h%d" % i, [(8, 8192)], tags=["gpu"] if i == 2 else [])
            # a tagged executor only takes what asks for its tag (Drove's rule)
            self.assertEqual(m.plan(1, 128, 10, "ONE_PER_HOST").placed, 2)
            self.assertEqual(m.plan(1, 128, 10, {"type": "MAX_N_PER_HOST", "max": 2}).placed, 4)
            tagged = m.plan(1, 128, 4, {"type": "MATCH_TAG", "tag": "gpu"})
            self.assertEqual(set(tagged.per_executor()), {"e2"})
            both = m.plan(1, 128, 10, {"type": "COMPOSITE", "combiner": "AND", "policies": [
                {"type": "ONE_PER_HOST"}, {"type": "NO_TAG"}]})
            self.assertEqual(set(both.per_executor()), {"e0", "e1"})
            self.assertEqual(drove.plan(m, 1, 128, 1).placed, 1)

    def test_bad_input_raises_validation_error(self):
        with drove.ClusterModel() as m:
            with self.assertRaises(drove.ValidationError):
                m.plan(1, 128, 1, {"type": "SOMEWHERE"})
            with self.assertRaises(drove.ValidationError) as cm:
                m.plan(1, 128, 1, {"type": "MAX_N_PER_HOST", "max": 0})
            self.assertIn("max", str(cm.exception))
        with self.assertRaises(drove.ValidationError):
            drove.ClusterModel(strategy="NOWHERE")


class ClientOfflineTest(unittest.TestCase):
    def test_bad_endpoint_is_validation_error(self):
        with self.assertRaises(drove.ValidationError) as cm:
            drove.Client("ftp://127.0.0.1:1")
        self.assertIn("ftp://", cm.exception.message)

    def test_no_leader_is_unavailable(self):
        with drove.Client("http://127.0.0.1:1", retries=0) as c:
            with self.assertRaises(drove.UnavailableError) as cm:
                c.apps.list()
            self.assertEqual(cm.exception.status, 0)
            self.assertIsNone(c.leader)

    def test_local_service_operations_reach_the_enum(self):
        # each operation maps to the C enum (drove_client_local_service_op); with no leader
        # every one fails on the network, not on its name
        with drove.Client("http://127.0.0.1:1", retries=0) as c:
            for op in (c.local_services.activate, c.local_services.deactivate,
                       c.local_services.deploy_test_instance, c.local_services.adjust_instances,
                       c.local_services.destroy):
                with self.assertRaises(drove.UnavailableError):
                    op("LS-1")
            with self.assertRaises(drove.UnavailableError):
                c.local_services.kill_instances("LS-1", ["SI-1"])

    def test_closed_client_raises(self):
        c = drove.Client("http://127.0.0.1:1")
        c.close()
        with self.assertRaises(drove.DroveError):
            c.ping()

    def test_blocking_call_releases_the_gil(self):
        # a controller that accepts and never answers: the call blocks for the request timeout
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        port = srv.getsockname()[1]
        ticks = [0]
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                ticks[0] += 1
                time.sleep(0.01)

        t = threading.Thread(target=spin)
        try:
            with drove.Client("http://127.0.0.1:%d" % port, retries=0,
                              request_timeout=1.5) as c:
                t.start()
                time.sleep(0.05)
                before = ticks[0]
                t0 = time.monotonic()
                with self.assertRaises(drove.DroveError):
                    c.ping()
                blocked = time.monotonic() - t0
                during = ticks[0] - before
        finally:
            stop.set()
            if t.is_alive():
                t.join()
            srv.close()
        self.assertGreaterEqual(blocked, 1.0)
        # the other thread ran while the call blocked (it would be ~0 with the GIL held)
        self.assertGreater(during, 20)


if __name__ == "__main__":
    unittest.main(verbosity=2)
