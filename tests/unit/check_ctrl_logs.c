/* The log proxy's pure parts (libdrove/ctrl/logs.h): file-name confinement, §2.9 offset and
 * length validation, download names and content types. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "ctrl/logs.h"
#include "harness.h"

static void expect_bad(const char *what, const char *name, const char *msg)
{
	drove_error_clear();
	ck_assert_int_eq(drove__ctrl_log_name_check(what, name), DROVE_EINVAL);
	ck_assert_int_eq(drove_error_last()->code, DROVE_EINVAL);
	ck_assert_str_eq(drove_error_last()->message, msg);
}

START_TEST(test_name_plain_ok)
{
	ck_assert_int_eq(drove__ctrl_log_name_check("fileName", "output.log"), 0);
	ck_assert_int_eq(drove__ctrl_log_name_check("fileName", "output.log-1"), 0);
	ck_assert_int_eq(drove__ctrl_log_name_check("fileName", "..x"), 0);
	ck_assert_int_eq(drove__ctrl_log_name_check("id", "AI-7d0c-UTF8-\xc3\xa9"), 0);
}
END_TEST

START_TEST(test_name_escapes_refused)
{
	char big[300];
	expect_bad("fileName", "..", "fileName: '..' is not a plain file name");
	expect_bad("fileName", ".", "fileName: '.' is not a plain file name");
	expect_bad("fileName", "../x", "fileName: '../x' is not a plain file name");
	expect_bad("fileName", "a/b", "fileName: 'a/b' is not a plain file name");
	expect_bad("fileName", "/etc/passwd", "fileName: '/etc/passwd' is not a plain file name");
	expect_bad("fileName", "..\\x", "fileName: '..\\x' is not a plain file name");
	expect_bad("fileName", "", "fileName: empty");
	expect_bad("fileName", NULL, "fileName: empty");
	expect_bad("instance id", "a\r\nSet-Cookie: x", "instance id: control character 0x0d at 1");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_bad("fileName", big, "fileName: 299 bytes is above 255");
	big[255] = '\0';
	ck_assert_int_eq(drove__ctrl_log_name_check("fileName", big), 0);
}
END_TEST

static void range_ok(const char *o, const char *l, int64_t eo, int64_t el)
{
	int64_t off = 99, len = 99;
	ck_assert_int_eq(drove__ctrl_log_range(o, l, &off, &len), 0);
	ck_assert_int_eq(off, eo);
	ck_assert_int_eq(len, el);
}

static void range_bad(const char *o, const char *l, const char *msg)
{
	int64_t off = 99, len = 99;
	ck_assert_int_eq(drove__ctrl_log_range(o, l, &off, &len), DROVE_EINVAL);
	ck_assert_str_eq(drove_error_last()->message, msg);
	ck_assert_int_eq(off, 99);
	ck_assert_int_eq(len, 99);
}

START_TEST(test_range_semantics)
{
	range_ok(NULL, NULL, -1, -1); /* the defaults: the file size */
	range_ok("", "", -1, -1);
	range_ok("-1", "-1", -1, -1);
	range_ok("0", "-1", 0, -1); /* 32 KiB from 0 on the executor */
	range_ok("100", "10", 100, 10);
	range_ok("0", "0", 0, 0);
	range_ok("5", "104857600", 5, DROVE__CTRL_LOG_READ_MAX); /* capped */
	range_ok("9223372036854775807", "1", INT64_MAX, 1);
	range_bad("-2", "-1", "offset: -2 is below -1");
	range_bad("0", "-5", "length: -5 is below -1");
	range_bad("-1", "100", "offset: -1 (the file size) needs length -1, not 100");
	range_bad("abc", "1", "offset: 'abc' is not an integer");
	range_bad("1", "2x", "length: '2x' is not an integer");
	range_bad("99999999999999999999", "1", "offset: '99999999999999999999' is not an integer");
	range_bad(" 1", "1", "offset: ' 1' is not an integer");
}
END_TEST

START_TEST(test_download_name)
{
	char *s;
	/* 2024-07-03 10:20:30 UTC */
	const int64_t t = 1720002030000LL;
	setenv("TZ", "UTC", 1);
	tzset();
	s = drove__ctrl_log_download_name("APP-1", "AI-1", "output.log", false, t);
	ck_assert_str_eq(s, "output.log");
	free(s);
	s = drove__ctrl_log_download_name("APP-1", "AI-1", "output.log", true, t);
	ck_assert_str_eq(s, "APP-1_AI-1_output.log-2024-07-03_10-20-30");
	free(s);
}
END_TEST

START_TEST(test_content_type_and_kind)
{
	ck_assert_str_eq(drove__ctrl_log_content_type("output.log"), "text/plain");
	ck_assert_str_eq(drove__ctrl_log_content_type("output.log-2"), "text/plain");
	ck_assert_str_eq(drove__ctrl_log_content_type("output.log.gz"), "application/gzip");
	ck_assert_str_eq(drove__ctrl_log_content_type("output.json"), "application/json");
	ck_assert_str_eq(drove__ctrl_log_content_type(NULL), "text/plain");
	ck_assert_int_eq(drove__ctrl_log_kind("applications"), 0);
	ck_assert_int_eq(drove__ctrl_log_kind("tasks"), 1);
	ck_assert_int_eq(drove__ctrl_log_kind("localservices"), 2);
	ck_assert_int_eq(drove__ctrl_log_kind("application"), -1);
	ck_assert_int_eq(drove__ctrl_log_kind(NULL), -1);
}
END_TEST

Suite *ctrl_logs_suite(void)
{
	Suite *s = suite_create("ctrl_logs");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, test_name_plain_ok);
	tcase_add_test(tc, test_name_escapes_refused);
	tcase_add_test(tc, test_range_semantics);
	tcase_add_test(tc, test_download_name);
	tcase_add_test(tc, test_content_type_and_kind);
	suite_add_tcase(s, tc);
	return s;
}
