"""Tests of the Python binding (bindings/drove.i) against the built libdrove."""
import os
import unittest

from drove import native as drove


class CoreTest(unittest.TestCase):
    def test_version(self):
        major, minor, patch = drove.drove_version()
        self.assertEqual((major, minor), (drove.DROVE_VERSION_MAJOR, drove.DROVE_VERSION_MINOR))
        self.assertEqual(drove.drove_version_string(), drove.DROVE_VERSION_STRING)

    def test_duration_round_trip(self):
        d = drove.drove_duration_parse("1m")
        self.assertEqual((d.count, d.unit), (1, drove.DROVE_MINUTES))
        self.assertEqual(drove.drove_duration_format(d), "1 minute")
        self.assertEqual(drove.drove_duration_ms(d), 60000)

    def test_size(self):
        sz = drove.drove_size_parse("100MiB")
        self.assertEqual(drove.drove_size_bytes(sz), 104857600)
        self.assertEqual(drove.drove_size_format(sz), "100 mebibytes")

    def test_errors_raise_with_message(self):
        with self.assertRaises(ValueError) as cm:
            drove.drove_duration_parse("5 parsecs")
        self.assertIn("parsecs", str(cm.exception))
        with self.assertRaises(ValueError) as cm:
            drove.drove_app_id("bad name", "1")
        self.assertIn("name", str(cm.exception))

    def test_ids(self):
        self.assertEqual(drove.drove_app_id("TEST_APP", "1"), "TEST_APP-1")
        self.assertEqual(drove.drove_executor_id("ppessdev", 3000),
                         "a45442a1-d4d0-3479-ab9e-3ed0aa5f7d2d")
        self.assertEqual(drove.drove_id_is_valid_name("ok_1"), 1)
        self.assertEqual(drove.drove_id_is_valid_name("not ok"), 0)
        ctx = drove.drove_ctx_new()
        try:
            iid = drove.drove_instance_id_new(ctx, drove.DROVE_KIND_APP)
            self.assertTrue(iid.startswith("AI-"))
            self.assertEqual(len(iid), 39)
        finally:
            drove.drove_ctx_free(ctx)

    def test_strlist(self):
        lst = drove.drove_strlist_new()
        try:
            drove.drove_strlist_add(lst, "a")
            drove.drove_strlist_add(lst, "b")
            self.assertEqual(drove.drove_strlist_count(lst), 2)
            self.assertEqual(drove.drove_strlist_join(lst, ","), "a,b")
            self.assertEqual(drove.drove_strlist_contains(lst, "b"), 1)
        finally:
            drove.drove_strlist_free(lst)


def strlist(lst):
    try:
        return [drove.drove_strlist_get(lst, i) for i in range(drove.drove_strlist_count(lst))]
    finally:
        drove.drove_strlist_free(lst)


SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data", "model")


class SpecTest(unittest.TestCase):
    def setUp(self):
        self.ctx = drove.drove_ctx_new()

    def tearDown(self):
        drove.drove_ctx_free(self.ctx)

    def test_valid_sample(self):
        with open(os.path.join(SAMPLE, "application.json")) as f:
            text = f.read()
        self.assertEqual(strlist(drove.drove_spec_problems(self.ctx, text, None)), [])
        spec = drove.drove_spec_from_json(self.ctx, drove.DROVE_KIND_UNKNOWN, text, None)
        try:
            self.assertEqual(drove.drove_spec_id(spec), "DROVE_TEST_APP-1")
            self.assertEqual(drove.drove_spec_cpu_count(spec), 1)
            self.assertIn('"data":""', drove.drove_spec_to_json(spec, 1))
        finally:
            drove.drove_spec_free(spec)

    def test_invalid_spec_lists_every_field(self):
        with open(os.path.join(SAMPLE, "invalid_app.json")) as f:
            problems = strlist(drove.drove_spec_problems(self.ctx, f.read(), None))
        fields = [p.split(":")[0] for p in problems]
        self.assertIn("name", fields)
        self.assertIn("resources[0].count", fields)
        self.assertIn("placementPolicy.type", fields)

    def test_malformed_json_raises(self):
        with self.assertRaises(ValueError):
            drove.drove_spec_from_json(self.ctx, drove.DROVE_KIND_UNKNOWN, "{", None)


class SchedTest(unittest.TestCase):
    def test_plan_on_two_numa_nodes(self):
        ctx = drove.drove_ctx_new()
        drove.drove_ctx_set_seed(ctx, 7)
        sched = drove.drove_sched_new(ctx)
        snap = drove.drove_sched_snapshot_new("e1", "host1", 3000)
        drove.drove_sched_snapshot_set_free_cores(snap, 0, [0, 1, 2, 3])
        drove.drove_sched_snapshot_set_free_cores(snap, 1, [4, 5, 6, 7])
        drove.drove_sched_snapshot_set_memory(snap, 0, 4096, 0)
        drove.drove_sched_snapshot_set_memory(snap, 1, 4096, 0)
        drove.drove_sched_executor_update(sched, snap)
        drove.drove_sched_snapshot_free(snap)
        policy = drove.drove_sched_policy_any()
        plan = drove.drove_sched_plan_new(sched, None, drove.DROVE_KIND_APP, policy, 3, 512, 3)
        try:
            self.assertEqual(drove.drove_sched_plan_placed(plan), 2)
            nodes = sorted(drove.drove_sched_plan_node(plan, i) for i in range(2))
            self.assertEqual(nodes, [0, 1])  # 3 cores never span nodes: one per node
            self.assertIn("3 free cores", drove.drove_sched_plan_reason(plan))
            cores = [drove.drove_sched_plan_core(plan, 0, j)
                     for j in range(drove.drove_sched_plan_core_count(plan, 0))]
            self.assertEqual(len(cores), 3)
        finally:
            drove.drove_sched_plan_free(plan)
            drove.drove_sched_policy_free(policy)
            drove.drove_sched_free(sched)
            drove.drove_ctx_free(ctx)


if __name__ == "__main__":
    unittest.main(verbosity=2)
