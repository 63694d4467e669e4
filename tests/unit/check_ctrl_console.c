/* The console's template helper and pages (libdrove/ctrl/console*.c, docs/console.md):
 * escaping, URL segments, the template's directives, and pages rendered from a controller's
 * memory: data is shown as text (a <script> in a tag, an env value, an executor tag or an
 * event stays text), links lead between pages, a follower says so and links to the leader,
 * and no page carries a write action. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/ctx.h>

#include "harness.h"
#include "ctrl_console_fake.h"

#define EVIL      "<script>alert(1)</script>"
#define EVIL_TEXT "&lt;script&gt;alert(1)&lt;/script&gt;"

static drove__buf b;

static void buf_setup(void)
{
	memset(&b, 0, sizeof(b));
}

static void buf_teardown(void)
{
	drove__buf_free(&b);
}

START_TEST(test_esc)
{
	ck_assert_int_eq(drove__html_esc(&b, "a<b>&\"'c"), 0);
	ck_assert_str_eq(b.data, "a&lt;b&gt;&amp;&quot;&#39;c");
	drove__buf_reset(&b);
	ck_assert_int_eq(drove__html_esc(&b, NULL), 0);
	ck_assert_int_eq(drove__html_esc(&b, "plain"), 0);
	ck_assert_str_eq(b.data, "plain");
}
END_TEST

START_TEST(test_url)
{
	ck_assert_int_eq(drove__html_url(&b, "AI-1_2.x~ a/\"<>?#%"), 0);
	ck_assert_str_eq(b.data, "AI-1_2.x~%20a%2F%22%3C%3E%3F%23%25");
	drove__buf_reset(&b);
	ck_assert_int_eq(drove__html_url(&b, "\xc3\xa9"), 0);
	ck_assert_str_eq(b.data, "%C3%A9");
}
END_TEST

START_TEST(test_put_directives)
{
	ck_assert_int_eq(drove__html_put(&b, "<a href=\"/x/%u\">%s</a> %r %d %t %% %s|", "a b",
	                                 "<i>", "<b>raw</b>", (int64_t)-42, (int64_t)1733397753000,
	                                 NULL),
	                 0);
	ck_assert_str_eq(b.data, "<a href=\"/x/a%20b\">&lt;i&gt;</a> <b>raw</b> -42 2024-12-05 "
	                         "11:22:33 UTC % |");
}
END_TEST

START_TEST(test_put_bad_directive)
{
	ck_assert_int_eq(drove__html_put(&b, "x%q", "y"), DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "%q"));
	drove__buf_reset(&b);
	ck_assert_int_eq(drove__html_put(&b, "trailing %"), DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "unknown directive"));
}
END_TEST

START_TEST(test_time_and_json)
{
	struct json_object *j = json_object_new_object();
	ck_assert_int_eq(drove__html_time(&b, 0), 0);
	ck_assert_str_eq(b.data, "-");
	drove__buf_reset(&b);
	json_object_object_add(j, "k", json_object_new_string(EVIL));
	ck_assert_int_eq(drove__html_json(&b, j), 0);
	ck_assert_ptr_nonnull(strstr(b.data, EVIL_TEXT));
	ck_assert_ptr_null(strstr(b.data, "<script"));
	json_object_put(j);
}
END_TEST

/* ---- pages ---- */

static drove_ctx *ctx;
static drove_controller *c;

static void ctrl_setup(void)
{
	buf_setup();
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	c = fake_ctrl_new(ctx, 3, 4, 2, EVIL);
}

static void ctrl_teardown(void)
{
	fake_ctrl_free(c);
	drove_ctx_free(ctx);
	buf_teardown();
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static const char *doc(int page, const char *id1, const char *id2)
{
	drove__buf_reset(&b);
	ck_assert_int_eq(drove__console_document(c, page, id1, id2, 0, &b), 0);
	/* only the console's two script tags; no form or other write action */
	ck_assert_uint_eq(count(b.data, "<script"), 2);
	ck_assert_ptr_null(strstr(b.data, "<form"));
	ck_assert_ptr_null(strstr(b.data, "<button"));
	ck_assert_ptr_null(strstr(b.data, "method="));
	ck_assert_ptr_nonnull(strstr(b.data, "</html>"));
	return b.data;
}

START_TEST(test_every_page_escapes)
{
	static const struct {
		int page;
		const char *id1, *id2;
	} pages[] = {
	        {DROVE__CONSOLE_CLUSTER, NULL, NULL},
	        {DROVE__CONSOLE_EXECUTORS, NULL, NULL},
	        {DROVE__CONSOLE_EXECUTOR, "E0", NULL},
	        {DROVE__CONSOLE_APPS, NULL, NULL},
	        {DROVE__CONSOLE_APP, "app-001-1", NULL},
	        {DROVE__CONSOLE_APP_INSTANCE, "app-001-1", "AI-000004"},
	        {DROVE__CONSOLE_TASKS, NULL, NULL},
	        {DROVE__CONSOLE_TASK, "app", "T1"},
	        {DROVE__CONSOLE_LSVCS, NULL, NULL},
	        {DROVE__CONSOLE_LSVC, "svc-1", NULL},
	        {DROVE__CONSOLE_LSVC_INSTANCE, "svc-1", "SI-1"},
	        {DROVE__CONSOLE_APP, EVIL, NULL},
	        {DROVE__CONSOLE_EXECUTOR, EVIL, NULL},
	};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(pages); i++)
		doc(pages[i].page, pages[i].id1, pages[i].id2);
}
END_TEST

START_TEST(test_app_page)
{
	const char *h = doc(DROVE__CONSOLE_APP, "app-001-1", NULL);
	/* tag and env value as text, in the tags table and in the spec */
	ck_assert_uint_ge(count(h, EVIL_TEXT), 2);
	ck_assert_ptr_nonnull(strstr(h, "&quot;GREETING&quot;"));
	/* its four instances, linked, with their executor */
	ck_assert_uint_eq(count(h, "href=\"/ui/applications/app-001-1/instances/AI-"), 4);
	ck_assert_ptr_nonnull(strstr(h, "href=\"/ui/executors/E0\">exec-0:3000</a>"));
	ck_assert_ptr_nonnull(strstr(h, "<code>exec-0:"));
	ck_assert_ptr_nonnull(strstr(h, ">RUNNING</span>"));
	ck_assert_ptr_nonnull(strstr(h, "Current operation: <strong>none</strong>"));
	ck_assert_ptr_nonnull(strstr(h, "nav-link active\" href=\"/ui/applications\""));
}
END_TEST

START_TEST(test_missing_object_is_text)
{
	const char *h = doc(DROVE__CONSOLE_APP, EVIL, NULL);
	ck_assert_ptr_nonnull(strstr(h, "No application <code>" EVIL_TEXT "</code>"));
}
END_TEST

START_TEST(test_instance_page_has_logs)
{
	const char *h = doc(DROVE__CONSOLE_APP_INSTANCE, "app-001-1", "AI-000004");
	ck_assert_ptr_nonnull(
	        strstr(h, "data-base=\"/apis/v1/logfiles/applications/app-001-1/AI-000004\""));
	ck_assert_ptr_nonnull(strstr(h, "id=\"tail\""));
	ck_assert_ptr_nonnull(strstr(h, ">HEALTHY</span>"));
	h = doc(DROVE__CONSOLE_APP_INSTANCE, "a b", "<x>");
	ck_assert_ptr_nonnull(strstr(h, "/apis/v1/logfiles/applications/a%20b/%3Cx%3E\""));
}
END_TEST

START_TEST(test_cluster_and_executor_pages)
{
	const char *h = doc(DROVE__CONSOLE_CLUSTER, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(h, "ctrl-1:4000"));
	ck_assert_ptr_nonnull(strstr(h, ">NORMAL</span>"));
	ck_assert_ptr_nonnull(strstr(h, "APP_STATE_CHANGE"));
	ck_assert_ptr_null(strstr(h, "<script>alert"));
	ck_assert_ptr_nonnull(strstr(h, EVIL_TEXT)); /* event metadata and executor tags */
	h = doc(DROVE__CONSOLE_EXECUTOR, "E1", NULL);
	ck_assert_ptr_nonnull(strstr(h, "NUMA node 0"));
	ck_assert_ptr_nonnull(strstr(h, "NUMA node 1"));
	/* 12 instances over 2 executors: 6 cores of E1 link to their instances */
	ck_assert_uint_eq(count(h, "class=\"core core-app\" href=\"/ui/applications/"), 6);
	ck_assert_ptr_nonnull(strstr(h, "class=\"core core-free\""));
	h = doc(DROVE__CONSOLE_APPS, NULL, NULL);
	ck_assert_uint_eq(count(h, "<tr><td><a href=\"/ui/applications/app-"), 3);
	ck_assert_ptr_nonnull(strstr(h, "<td>4 / 4 / 4</td>"));
}
END_TEST

START_TEST(test_fragment_is_content_only)
{
	drove__buf_reset(&b);
	ck_assert_int_eq(drove__console_document(c, DROVE__CONSOLE_APPS, NULL, NULL, 1, &b), 0);
	ck_assert_ptr_null(strstr(b.data, "<html"));
	ck_assert_ptr_null(strstr(b.data, "<script"));
	ck_assert_ptr_nonnull(strstr(b.data, "Applications"));
}
END_TEST

START_TEST(test_follower_links_to_leader)
{
	const char *h;
	c->leader = 0;
	h = doc(DROVE__CONSOLE_APPS, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(h, "is a follower"));
	ck_assert_ptr_nonnull(strstr(h, "No leader is known yet"));
	ck_assert_ptr_null(strstr(h, "app-001-1")); /* no state shown */
	c->standby.leader_hp = strdup("ctrl-2:4000\"><x");
	h = doc(DROVE__CONSOLE_APP_INSTANCE, "a", "b");
	ck_assert_ptr_nonnull(strstr(h, "href=\"http://ctrl-2:4000&quot;&gt;&lt;x/\""));
	ck_assert_ptr_null(strstr(h, "id=\"logs\""));
	drove__buf_reset(&b);
	ck_assert_int_eq(drove__console_document(c, DROVE__CONSOLE_CLUSTER, NULL, NULL, 1, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "id=\"leader-link\""));
}
END_TEST

Suite *ctrl_console_suite(void)
{
	Suite *s = suite_create("ctrl_console");
	TCase *t = tcase_create("template");
	tcase_add_checked_fixture(t, buf_setup, buf_teardown);
	tcase_add_test(t, test_esc);
	tcase_add_test(t, test_url);
	tcase_add_test(t, test_put_directives);
	tcase_add_test(t, test_put_bad_directive);
	tcase_add_test(t, test_time_and_json);
	suite_add_tcase(s, t);
	t = tcase_create("pages");
	tcase_add_checked_fixture(t, ctrl_setup, ctrl_teardown);
	tcase_add_test(t, test_every_page_escapes);
	tcase_add_test(t, test_app_page);
	tcase_add_test(t, test_missing_object_is_text);
	tcase_add_test(t, test_instance_page_has_logs);
	tcase_add_test(t, test_cluster_and_executor_pages);
	tcase_add_test(t, test_fragment_is_content_only);
	tcase_add_test(t, test_follower_links_to_leader);
	suite_add_tcase(s, t);
	return s;
}
