/* Quartz cron expressions: a table of expressions and their next five fire times (UTC and
 * zones with daylight saving), errors naming the field, and the time zone reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "cron/cron_internal.h"
#include "harness.h"

static int64_t iso_ms(const char *s)
{
	struct tm tm = {0};
	ck_assert_ptr_nonnull(strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm));
	return (int64_t)timegm(&tm) * 1000;
}

static void ms_iso(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct row {
	const char *expr, *tz, *from, *next[5];
};

static const struct row TABLE[] = {
        {"0 0 12 * * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z", "2026-01-03T12:00:00Z",
          "2026-01-04T12:00:00Z", "2026-01-05T12:00:00Z"}},
        {"*/15 * * * * ?",
         "UTC",
         "2026-01-01T00:00:00Z",
         {"2026-01-01T00:00:15Z", "2026-01-01T00:00:30Z", "2026-01-01T00:00:45Z",
          "2026-01-01T00:01:00Z", "2026-01-01T00:01:15Z"}},
        {"* * * * * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z",
          "2026-01-01T00:00:04Z", "2026-01-01T00:00:05Z"}},
        {"5/20 * * * * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-01T00:00:05Z", "2026-01-01T00:00:25Z", "2026-01-01T00:00:45Z",
          "2026-01-01T00:01:05Z", "2026-01-01T00:01:25Z"}},
        {"0 15 10 ? * MON-FRI",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-01T10:15:00Z", "2026-01-02T10:15:00Z", "2026-01-05T10:15:00Z",
          "2026-01-06T10:15:00Z", "2026-01-07T10:15:00Z"}},
        {"0 15 10 ? * mon-fri",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-01T10:15:00Z", "2026-01-02T10:15:00Z", "2026-01-05T10:15:00Z",
          "2026-01-06T10:15:00Z", "2026-01-07T10:15:00Z"}},
        {"0 30 9 ? * 2-6/2",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-02T09:30:00Z", "2026-01-05T09:30:00Z", "2026-01-07T09:30:00Z",
          "2026-01-09T09:30:00Z", "2026-01-12T09:30:00Z"}},
        {"0 15 10 L * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-31T10:15:00Z", "2026-02-28T10:15:00Z", "2026-03-31T10:15:00Z",
          "2026-04-30T10:15:00Z", "2026-05-31T10:15:00Z"}},
        {"0 15 10 L-2 * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-29T10:15:00Z", "2026-02-26T10:15:00Z", "2026-03-29T10:15:00Z",
          "2026-04-28T10:15:00Z", "2026-05-29T10:15:00Z"}},
        {"0 15 10 ? * 6L",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-30T10:15:00Z", "2026-02-27T10:15:00Z", "2026-03-27T10:15:00Z",
          "2026-04-24T10:15:00Z", "2026-05-29T10:15:00Z"}},
        {"0 15 10 ? * FRIL",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-30T10:15:00Z", "2026-02-27T10:15:00Z", "2026-03-27T10:15:00Z",
          "2026-04-24T10:15:00Z", "2026-05-29T10:15:00Z"}},
        {"0 15 10 ? * 6#3",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-16T10:15:00Z", "2026-02-20T10:15:00Z", "2026-03-20T10:15:00Z",
          "2026-04-17T10:15:00Z", "2026-05-15T10:15:00Z"}},
        {"0 0 0 15W * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-15T00:00:00Z", "2026-02-16T00:00:00Z", "2026-03-16T00:00:00Z",
          "2026-04-15T00:00:00Z", "2026-05-15T00:00:00Z"}},
        {"0 0 0 1W * ?",
         NULL,
         "2026-07-15T00:00:00Z",
         {"2026-08-03T00:00:00Z", "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z",
          "2026-11-02T00:00:00Z", "2026-12-01T00:00:00Z"}},
        {"0 0 0 LW * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-31T00:00:00Z",
          "2026-04-30T00:00:00Z", "2026-05-29T00:00:00Z"}},
        {"0 0 12 ? JAN,JUL MON#1",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-05T12:00:00Z", "2026-07-06T12:00:00Z", "2027-01-04T12:00:00Z",
          "2027-07-05T12:00:00Z", "2028-01-03T12:00:00Z"}},
        {"0 0 22-2 * * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T22:00:00Z",
          "2026-01-01T23:00:00Z", "2026-01-02T00:00:00Z"}},
        {"0 0 0 1 1 ? 2027/2",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2027-01-01T00:00:00Z", "2029-01-01T00:00:00Z", "2031-01-01T00:00:00Z",
          "2033-01-01T00:00:00Z", "2035-01-01T00:00:00Z"}},
        {"0 0 0 29 2 ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z",
          "2040-02-29T00:00:00Z", "2044-02-29T00:00:00Z"}},
        {"0 0 0 ? * L",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-03T00:00:00Z", "2026-01-10T00:00:00Z", "2026-01-17T00:00:00Z",
          "2026-01-24T00:00:00Z", "2026-01-31T00:00:00Z"}},
        {"0 0,30 8-9 1,15 * ?",
         NULL,
         "2026-01-01T00:00:00Z",
         {"2026-01-01T08:00:00Z", "2026-01-01T08:30:00Z", "2026-01-01T09:00:00Z",
          "2026-01-01T09:30:00Z", "2026-01-15T08:00:00Z"}},
        {"\t0  0 0 1 * ?  ",
         NULL,
         "2026-12-31T23:59:59Z",
         {"2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z",
          "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z"}},
        /* fractional start: the next whole second after it */
        {"0 0 9 * * ?",
         "Asia/Kolkata",
         "2026-01-01T00:00:00Z",
         {"2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z", "2026-01-03T03:30:00Z",
          "2026-01-04T03:30:00Z", "2026-01-05T03:30:00Z"}},
        /* DST: a daily time inside the spring-forward gap fires at the end of the gap */
        {"0 30 2 * * ?",
         "Europe/Berlin",
         "2026-03-27T00:00:00Z",
         {"2026-03-27T01:30:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z",
          "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"}},
        /* DST: a daily time in the repeated hour fires once, at its first occurrence */
        {"0 30 2 * * ?",
         "Europe/Berlin",
         "2026-10-24T00:00:00Z",
         {"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z",
          "2026-10-27T01:30:00Z", "2026-10-28T01:30:00Z"}},
        /* DST: hourly schedules follow elapsed time: both passes of 02:00, no 02:00 in a gap */
        {"0 0 * * * ?",
         "Europe/Berlin",
         "2026-10-24T23:30:00Z",
         {"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z",
          "2026-10-25T03:00:00Z", "2026-10-25T04:00:00Z"}},
        {"0 0 * * * ?",
         "Europe/Berlin",
         "2026-03-28T23:30:00Z",
         {"2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z",
          "2026-03-29T03:00:00Z", "2026-03-29T04:00:00Z"}},
        {"0 0/30 * * * ?",
         "America/New_York",
         "2026-11-01T05:00:00Z",
         {"2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z",
          "2026-11-01T07:00:00Z", "2026-11-01T07:30:00Z"}},
        {"0 0/30 * * * ?",
         "EST5EDT,M3.2.0,M11.1.0",
         "2026-11-01T05:00:00Z",
         {"2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z",
          "2026-11-01T07:00:00Z", "2026-11-01T07:30:00Z"}},
        /* southern hemisphere: Sydney leaves DST on the first Sunday of April */
        {"0 30 2 * * ?",
         "Australia/Sydney",
         "2026-04-03T00:00:00Z",
         {"2026-04-03T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z",
          "2026-04-06T16:30:00Z", "2026-04-07T16:30:00Z"}},
        {"0 30 2 * * ?",
         "AEST-10AEDT,M10.1.0,M4.1.0/3",
         "2026-04-03T00:00:00Z",
         {"2026-04-03T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z",
          "2026-04-06T16:30:00Z", "2026-04-07T16:30:00Z"}},
        /* beyond the zoneinfo transitions (2037): the file's POSIX footer rule */
        {"0 30 2 * * ?",
         "Europe/Berlin",
         "2040-03-23T00:00:00Z",
         {"2040-03-23T01:30:00Z", "2040-03-24T01:30:00Z", "2040-03-25T01:00:00Z",
          "2040-03-26T00:30:00Z", "2040-03-27T00:30:00Z"}},
};

START_TEST(test_table)
{
	const struct row *r = &TABLE[_i];
	drove_cron *c = NULL;
	int64_t t = iso_ms(r->from), n;
	char got[32];

	if (_i == 22)
		t += 250; /* a start inside a second */
	if (drove_cron_parse(&c, r->expr, r->tz) != 0)
		ck_abort_msg("%s: %s", r->expr, drove_error_last()->message);
	for (int k = 0; k < 5; k++) {
		ck_assert_int_eq(drove_cron_next(c, t, &n), 0);
		ms_iso(n, got, sizeof(got));
		ck_assert_msg(strcmp(got, r->next[k]) == 0, "%s [%s] #%d: got %s, want %s", r->expr,
		              r->tz ? r->tz : "UTC", k, got, r->next[k]);
		ck_assert_int_gt(n, t);
		t = n;
	}
	drove_cron_free(c);
}
END_TEST

struct bad {
	const char *expr, *tz, *msg;
};

static const struct bad BAD[] = {
        {"0 0 12 * *", NULL, "expression: 5 fields"},
        {"", NULL, "expression: 0 fields"},
        {"0 0 0 1 * ? * 1", NULL, "expression: more than 7"},
        {"61 * * * * ?", NULL, "seconds: 61 is outside 0-59"},
        {"0 60 * * * ?", NULL, "minutes: 60 is outside 0-59"},
        {"0 0 24 * * ?", NULL, "hours: 24 is outside 0-23"},
        {"0 0 0 32 * ?", NULL, "dayOfMonth: 32 is outside 1-31"},
        {"0 0 0 0 * ?", NULL, "dayOfMonth: 0 is outside 1-31"},
        {"0 0 0 ? 13 *", NULL, "month: 13 is outside 1-12"},
        {"0 0 0 ? * 8", NULL, "dayOfWeek: 8 is outside 1-7"},
        {"0 0 0 ? * 0", NULL, "dayOfWeek: 0 is outside 1-7"},
        {"0 0 0 ? * MON 1969", NULL, "year: 1969 is outside"},
        {"0 0 0 ? * MON 2030-2020", NULL, "year: range 2030-2020 goes backwards"},
        {"0 0 0 * * *", NULL, "dayOfWeek: one of dayOfMonth and dayOfWeek must be '?'"},
        {"0 0 0 ? * ?", NULL, "dayOfWeek: '?' in both"},
        {"? * * * * ?", NULL, "seconds: '?' is only allowed"},
        {"0 0 0 ?,1 * ?", NULL, "dayOfMonth: '?' must stand alone"},
        {"0 0 0 ? FOO *", NULL, "month: unknown name 'FOO'"},
        {"0 0 0 ? JANUARY *", NULL, "month: unexpected 'U'"},
        {"0 0 0 ? * 6#6", NULL, "dayOfWeek: '#' must be followed by 1-5"},
        {"0 0 0 ? * 6#", NULL, "dayOfWeek: '#' must be followed by 1-5"},
        {"0 0 0 ? * 1L,2", NULL, "dayOfWeek: 'L' and '#' cannot be combined"},
        {"0 0 0 L,5 * ?", NULL, "dayOfMonth: 'L' and 'W' cannot be combined"},
        {"0 0 0 L-31 * ?", NULL, "dayOfMonth: offset after 'L-' must be 1-30"},
        {"0 0 0 32W * ?", NULL, "dayOfMonth: 'W' must follow a day 1-31"},
        {"0 0 0 5L * ?", NULL, "dayOfMonth: 'L' or 'W' misplaced"},
        {"*/0 * * * * ?", NULL, "seconds: increment 0 is outside 1-59"},
        {"0 */61 * * * ?", NULL, "minutes: increment 61 is outside 1-59"},
        {"0 0/ * * * ?", NULL, "minutes: '/' must be followed by a number"},
        {"0 0 0 1,,2 * ?", NULL, "dayOfMonth: empty list item"},
        {"0 0 0 1- * ?", NULL, "dayOfMonth: value missing"},
        {"0 0 0 1 * ? x", NULL, "year: unexpected 'x'"},
        {"0 0 1234567 * * ?", NULL, "hours: number too long"},
        {"0 0 0 * * ?", "Mars/Olympus", "time zone Mars/Olympus: unknown zone"},
        {"0 0 0 * * ?", "../../etc/passwd", "time zone ../../etc/passwd: unknown zone"},
        {"0 0 0 * * ?", "", "time zone: empty"},
        {"0 0 0 * * ?", "Europe", "time zone Europe: not a TZif file"},
};

START_TEST(test_errors)
{
	const struct bad *b = &BAD[_i];
	drove_cron *c = NULL;

	ck_assert_int_eq(drove_cron_parse(&c, b->expr, b->tz), DROVE_EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(drove_error_last()->message, b->msg) != NULL,
	              "'%s': message '%s' lacks '%s'", b->expr, drove_error_last()->message,
	              b->msg);
}
END_TEST

START_TEST(test_too_long)
{
	char big[DROVE_CRON_EXPR_MAX + 8];
	drove_cron *c = NULL;

	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(drove_cron_parse(&c, big, NULL), DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "longer than"));
	ck_assert_int_eq(drove_cron_parse(&c, NULL, NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove_cron_parse(NULL, "* * * * * ?", NULL), DROVE_EINVAL);
}
END_TEST

START_TEST(test_accessors_and_end)
{
	drove_cron *c = NULL;
	int64_t n = 0;

	ck_assert_int_eq(drove_cron_parse(&c, "0 0 0 1 1 ? 2026", NULL), 0);
	ck_assert_str_eq(drove_cron_expr(c), "0 0 0 1 1 ? 2026");
	ck_assert_str_eq(drove_cron_tz(c), "UTC");
	ck_assert_int_eq(drove_cron_next(c, iso_ms("2025-06-01T00:00:00Z"), &n), 0);
	ck_assert_int_eq(n, iso_ms("2026-01-01T00:00:00Z"));
	/* the last fire time: nothing after it */
	ck_assert_int_eq(drove_cron_next(c, n, &n), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_cron_next(c, 0, NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove_cron_next(NULL, 0, &n), DROVE_EINVAL);
	drove_cron_free(c);
	drove_cron_free(NULL);
	ck_assert_ptr_null(drove_cron_expr(NULL));

	/* never: February 30th */
	ck_assert_int_eq(drove_cron_parse(&c, "0 0 0 30 2 ?", "Europe/Berlin"), 0);
	ck_assert_str_eq(drove_cron_tz(c), "Europe/Berlin");
	ck_assert_int_eq(drove_cron_next(c, 0, &n), DROVE_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "no fire time"));
	/* far outside the calendar */
	ck_assert_int_eq(drove_cron_next(c, INT64_MAX, &n), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_cron_next(c, INT64_MIN, &n), DROVE_ENOTFOUND);
	drove_cron_free(c);

	/* before 1970: the first fire is in 1970 */
	ck_assert_int_eq(drove_cron_parse(&c, "0 0 0 1 1 ?", NULL), 0);
	ck_assert_int_eq(drove_cron_next(c, -86400000LL * 400, &n), 0);
	ck_assert_int_eq(n, 0);
	drove_cron_free(c);
}
END_TEST

/* Every whole second of a week in UTC: next() is the first matching second after it. */
START_TEST(test_every_second_consistency)
{
	drove_cron *c = NULL;
	int64_t start = iso_ms("2026-02-27T00:00:00Z"), n, prev = 0;

	ck_assert_int_eq(drove_cron_parse(&c, "10/25 */7 1-3,22 ? * L", NULL), 0);
	/* plain checks in the loop: each ck_assert costs a message to check's parent process */
	for (int64_t t = start; t < start + 8 * 86400000LL; t += 1000) {
		struct tm tm;
		if (drove_cron_next(c, t, &n) != 0 || n <= t || (prev > t && n != prev))
			ck_abort_msg("at %lld: next %lld, previous %lld", (long long)t,
			             (long long)n, (long long)prev);
		prev = n;
		time_t s = (time_t)(n / 1000);
		gmtime_r(&s, &tm);
		if (tm.tm_wday != 6 || (tm.tm_sec != 10 && tm.tm_sec != 35) || tm.tm_min % 7 != 0 ||
		    !(tm.tm_hour == 22 || (tm.tm_hour >= 1 && tm.tm_hour <= 3)))
			ck_abort_msg("at %lld: %lld does not match", (long long)t, (long long)n);
	}
	drove_cron_free(c);
}
END_TEST

START_TEST(test_tz_offsets)
{
	drove__tz *file = NULL, *rule = NULL;

	ck_assert_int_eq(drove__tz_load(&file, "Europe/Berlin"), 0);
	ck_assert_int_eq(drove__tz_from_posix(&rule, "CET-1CEST,M3.5.0,M10.5.0/3"), 0);
	/* the file's transitions and the POSIX rule agree hour by hour over two years */
	for (int64_t t = iso_ms("2030-01-01T00:00:00Z") / 1000;
	     t < iso_ms("2032-01-01T00:00:00Z") / 1000; t += 1800)
		ck_assert_int_eq(drove__tz_offset(file, t), drove__tz_offset(rule, t));
	ck_assert_int_eq(drove__tz_offset(file, iso_ms("2026-07-01T00:00:00Z") / 1000), 7200);
	ck_assert_int_eq(drove__tz_offset(file, iso_ms("2026-03-29T00:59:59Z") / 1000), 3600);
	ck_assert_int_eq(drove__tz_offset(file, iso_ms("2026-03-29T01:00:00Z") / 1000), 7200);
	ck_assert_int_eq(drove__tz_offset(file, iso_ms("2090-07-01T00:00:00Z") / 1000), 7200);
	ck_assert_int_eq(drove__tz_offset(file, iso_ms("1800-07-01T00:00:00Z") / 1000) / 60,
	                 53); /* local mean time, 0:53:28 */
	ck_assert_str_eq(drove__tz_name(file), "Europe/Berlin");
	drove__tz_free(file);
	drove__tz_free(rule);

	ck_assert_int_eq(drove__tz_from_posix(&rule, "<+0530>-5:30"), 0);
	ck_assert_int_eq(drove__tz_offset(rule, 0), 19800);
	drove__tz_free(rule);
	ck_assert_int_eq(drove__tz_from_posix(&rule, "EST5EDT"), 0); /* US rule by default */
	ck_assert_int_eq(drove__tz_offset(rule, iso_ms("2026-07-01T00:00:00Z") / 1000), -14400);
	drove__tz_free(rule);
	ck_assert_int_eq(drove__tz_from_posix(&rule, "XX"), DROVE_EINVAL);
	ck_assert_int_eq(drove__tz_from_posix(&rule, "CET-1CEST,M13.5.0,M10.5.0"), DROVE_EINVAL);
	ck_assert_int_eq(drove__tz_from_posix(&rule, "CET-1CEST,J366,M10.5.0"), DROVE_EINVAL);

	static const unsigned char junk[] = "TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\xff\xff";
	ck_assert_int_eq(drove__tz_from_tzif(&file, "junk", junk, sizeof(junk)), DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "time zone junk"));
	ck_assert_int_eq(drove__tz_from_tzif(&file, "short", junk, 4), DROVE_EINVAL);
}
END_TEST

/* Zones loaded by name are shared while held; crons are shared with drove__cron_ref(). */
static void *load_free_loop(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		drove__tz *tz = NULL;
		if (drove__tz_load(&tz, (const char *)arg) < 0 ||
		    drove__tz_offset(tz, 1780000200) != 19800)
			return arg; /* a failure: the zone's name */
		drove__tz_free(tz);
	}
	return NULL;
}

START_TEST(test_shared)
{
	drove__tz *a = NULL, *b = NULL, *c = NULL;
	drove_cron *cron = NULL, *again;
	int64_t next = 0;
	pthread_t th[3];
	void *res;

	ck_assert_int_eq(drove__tz_load(&a, "Asia/Kolkata"), 0);
	ck_assert_int_eq(drove__tz_load(&b, "Asia/Kolkata"), 0);
	ck_assert_int_eq(drove__tz_load(&c, "UTC"), 0);
	ck_assert_ptr_eq(a, b); /* one table, its file read once */
	ck_assert_ptr_ne(a, c);
	drove__tz_free(a);
	ck_assert_int_eq(drove__tz_offset(b, 1780000200), 19800); /* still held */
	ck_assert_str_eq(drove__tz_name(b), "Asia/Kolkata");
	/* threads loading and freeing the zone while one holder stays, then while none does */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 3; i++)
			ck_assert_int_eq(pthread_create(&th[i], NULL, load_free_loop,
			                                (void *)"Asia/Kolkata"),
			                 0);
		if (round == 0) {
			drove__tz_free(b);
			b = NULL;
		}
		for (int i = 0; i < 3; i++) {
			ck_assert_int_eq(pthread_join(th[i], &res), 0);
			ck_assert_ptr_null(res);
		}
	}
	drove__tz_free(c);

	ck_assert_int_eq(drove_cron_parse(&cron, "0 30 9 * * ?", "Asia/Kolkata"), 0);
	again = drove__cron_ref(cron);
	ck_assert_ptr_eq(again, cron);
	drove_cron_free(cron); /* the other holder keeps it */
	ck_assert_int_eq(drove_cron_next(again, iso_ms("2026-06-01T00:00:00Z"), &next), 0);
	ck_assert_int_eq(next, iso_ms("2026-06-01T04:00:00Z"));
	ck_assert_str_eq(drove_cron_tz(again), "Asia/Kolkata");
	drove_cron_free(again);
}
END_TEST

START_TEST(test_calendar)
{
	int64_t y;
	unsigned m, d;

	for (int64_t z = -800000; z < 800000; z += 37) {
		drove__civil_from_days(z, &y, &m, &d);
		ck_assert_int_eq(drove__days_from_civil(y, m, d), z);
	}
	ck_assert_int_eq(drove__weekday(0), 4);  /* 1970-01-01 was a Thursday */
	ck_assert_int_eq(drove__weekday(-1), 3); /* and the day before a Wednesday */
	ck_assert_int_eq(drove__weekday(-7), 4);
	ck_assert_int_eq(drove__days_in_month(2000, 2), 29);
	ck_assert_int_eq(drove__days_in_month(2100, 2), 28);
}
END_TEST

Suite *cron_suite(void)
{
	Suite *s = suite_create("cron");
	TCase *tc = tcase_create("expressions");
	tcase_add_loop_test(tc, test_table, 0, (int)DROVE_ARRAY_LEN(TABLE));
	tcase_add_loop_test(tc, test_errors, 0, (int)DROVE_ARRAY_LEN(BAD));
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_accessors_and_end);
	tcase_add_test(tc, test_every_second_consistency);
	suite_add_tcase(s, tc);
	tc = tcase_create("zones");
	tcase_add_test(tc, test_tz_offsets);
	tcase_add_test(tc, test_shared);
	tcase_add_test(tc, test_calendar);
	suite_add_tcase(s, tc);
	return s;
}
