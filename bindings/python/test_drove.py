"""Tests of the Python binding (bindings/drove.i) against the built libdrove."""
import unittest

import drove


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
            iid = drove.drove_instance_id_new(ctx, drove.DROVE_INSTANCE_APP)
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
