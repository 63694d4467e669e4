/* Scheduler: HOPE rules for RULE_BASED placement — every operator and function, HOPE's
 * precedence and type rules, missing values, parse errors with positions, Drove's own examples
 * (DROVE_API.md §9.3 and Drove's tests), and dry runs over SchedulingInfo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drove/drove.h>
#include <drove/sched.h>
#include "core/internal.h"
#include "harness.h"
#include "model/hope.h"
#include "sched/rule.h"

static drove_sched_info *info;

static void setup(void)
{
	ck_assert_int_eq(drove_sched_info_new(&info), 0);
	ck_assert_int_eq(drove_sched_info_set_executor_id(info, "exec-1"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "rack", "r1"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "cores", "64"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "ssd", "true"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "a/b", "slash"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "t~", "tilde"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "first name", "ss"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "envvar1", "val1"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "empty", ""), 0);
	ck_assert_int_eq(drove_sched_info_set_executor_metadata(info, "exec-0", "rack", "r2"), 0);
	ck_assert_int_eq(drove_sched_info_set_env(info, "ZONE", "z1"), 0);
	ck_assert_int_eq(drove_sched_info_set_env(info, "NAME", "Hello World"), 0);
	ck_assert_int_eq(drove_sched_info_set_env(info, "GREET", "hello"), 0);
}

static void teardown(void)
{
	drove_sched_info_free(info);
}

#define E (-1) /* the evaluation fails: the rule does not hold, the dry run reports why */

struct ecase {
	const char *rule;
	int want;        /* 1, 0 or E */
	const char *why; /* E: a piece of the message */
};

/* Evaluate through both public calls; they must agree (a failed evaluation is false). */
static void check_case(const struct ecase *c)
{
	drove_sched_policy *p = NULL;
	int r = -1, r2 = -1, rc;

	rc = drove_sched_policy_rule_hope(&p, c->rule);
	ck_assert_msg(rc == 0, "rule '%s' rejected: %s", c->rule, drove_error_last()->message);
	ck_assert_int_eq(drove_sched_rule_eval(p, info, &r), 0);
	rc = drove_sched_rule_eval_strict(p, info, &r2);
	if (c->want == E) {
		ck_assert_msg(rc == DROVE_EINVAL, "rule '%s' should fail, got %d", c->rule, r2);
		ck_assert_msg(strstr(drove_error_last()->message, c->why) != NULL,
		              "rule '%s': message '%s' lacks '%s'", c->rule,
		              drove_error_last()->message, c->why);
		ck_assert_int_eq(r, 0);
		ck_assert_int_eq(r2, 0);
	} else {
		ck_assert_msg(rc == 0, "rule '%s' failed: %s", c->rule,
		              drove_error_last()->message);
		ck_assert_msg(r == c->want && r2 == c->want, "rule '%s': got %d/%d, want %d",
		              c->rule, r, r2, c->want);
	}
	drove_sched_policy_free(p);
}

static void run_cases(const struct ecase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_case(&cases[i]);
}

/* Drove's own rules: DROVE_API.md §9.3, and the rules of Drove's tests (HopeRuleStrategyTest,
 * RuleTest, DefaultInstanceSchedulerTest) over this SchedulingInfo. */
static const struct ecase drove_examples[] = {
        {"\"/allocatedExecutorNodeMetadata/rack\" == \"r1\"", 1, NULL},
        {"\"/allocatedExecutorNodeMetadata/rack\" == \"r2\"", 0, NULL},
        {"1 == 1", 1, NULL},
        {"2 < 4", 1, NULL},
        {"'/allocatedExecutorNodeMetadata/first name' == 'ss'", 1, NULL},
        {"'/allocatedExecutorNodeMetadata/first name' == 'XX'", 0, NULL},
        {"'/allocatedExecutorNodeMetadata/none' == 'SS'", E, "no value at"},
        {"str.match('^s.*', '/allocatedExecutorNodeMetadata/first name') == true", 1, NULL},
        {"str.match('^sas.*', '/allocatedExecutorNodeMetadata/first name') == true", 0, NULL},
        {"'/allocatedExecutorNodeMetadata/envvar1' == \"val1\"", 1, NULL},
        {"'/allocatedExecutorNodeMetadata/envvar1' == \"val2\"", 0, NULL},
        /* docs/scheduler.md's examples */
        {"arr.in('/applicationEnvironment/ZONE', ['z1', 'z2']) == true", 1, NULL},
        {"(\"/allocatedExecutorNodeMetadata/rack\" != 'r2') && "
         "pointer.exists('/allExecutorMetadata/exec-9') == false",
         1, NULL},
};

START_TEST(test_drove_examples)
{
	run_cases(drove_examples, DROVE_ARRAY_LEN(drove_examples));
}
END_TEST

static const struct ecase comparisons[] = {
        /* strings, both quotes, pointers in either quote */
        {"'abc' == \"abc\"", 1, NULL},
        {"\"a b c\" == 'a b c'", 1, NULL},
        {"'abc' != 'abd'", 1, NULL},
        {"'/allocatedExecutorNodeMetadata/rack' != 'r1'", 0, NULL},
        {"'r1' == \"/allocatedExecutorNodeMetadata/rack\"", 1, NULL},
        {"\"/executorNodeId\" == \"exec-1\"", 1, NULL},
        {"\"/allocatedExecutorNodeMetadata/a~1b\" == 'slash'", 1, NULL},
        {"\"/allocatedExecutorNodeMetadata/t~0\" == 'tilde'", 1, NULL},
        {"\"/applicationEnvironment/ZONE\" == 'z1'", 1, NULL},
        {"\"/allExecutorMetadata/exec-0/rack\" == 'r2'", 1, NULL},
        {"\"/allExecutorMetadata/exec-0/rack\" == \"/allocatedExecutorNodeMetadata/rack\"", 0,
         NULL},
        {"'/allocatedExecutorNodeMetadata/empty' == ''", 1, NULL},
        /* a backslash is an ordinary character (HOPE has no escapes) */
        {"'a\\b' == \"a\\b\"", 1, NULL},
        /* JSONPath */
        {"\"$.allocatedExecutorNodeMetadata.rack\" == 'r1'", 1, NULL},
        {"'$.executorNodeId' == \"/executorNodeId\"", 1, NULL},
        {"\"$.allExecutorMetadata.exec-0.rack\" != 'r1'", 1, NULL},
        /* numbers */
        {"1 == 1.0", 1, NULL},
        {"-1.5 < .5", 1, NULL},
        {"3. >= 3", 1, NULL},
        {"3 <= 2", 0, NULL},
        {"3 > 2", 1, NULL},
        {"3 != 3", 0, NULL},
        {"0 == -0", 0, NULL}, /* Java's Double.equals tells 0.0 from -0.0 */
        /* booleans */
        {"true == TRUE", 1, NULL},
        {"false != FALSE", 0, NULL},
        {"true & false", 0, NULL},
        {"true | false", 1, NULL},
        {"^false", 1, NULL},
        {"^true", 0, NULL},
        {"(^false)", 1, NULL},
        /* HOPE's types: a string is never equal to a number or a boolean */
        {"\"/allocatedExecutorNodeMetadata/cores\" == 64", 0, NULL},
        {"\"/allocatedExecutorNodeMetadata/cores\" != 64", 1, NULL},
        {"\"/allocatedExecutorNodeMetadata/ssd\" == true", 0, NULL},
        {"\"/allocatedExecutorNodeMetadata/cores\" == '64'", 1, NULL},
};

START_TEST(test_comparisons)
{
	run_cases(comparisons, DROVE_ARRAY_LEN(comparisons));
}
END_TEST

/* Metadata values are strings: numeric and boolean operators on them are type mismatches,
 * missing values fail the rule, objects are not values. */
static const struct ecase type_rules[] = {
        {"\"/allocatedExecutorNodeMetadata/cores\" > 4", E,
         "type mismatch at /allocatedExecutorNodeMetadata/cores (position 1): expected NUMBER, "
         "found STRING"},
        {"4 < '/allocatedExecutorNodeMetadata/cores'", E, "expected NUMBER, found STRING"},
        {"'/allocatedExecutorNodeMetadata/ssd' & true", E, "expected BOOLEAN, found STRING"},
        {"^'/allocatedExecutorNodeMetadata/ssd'", E, "expected BOOLEAN, found STRING"},
        {"'x' == '/allocatedExecutorNodeMetadata'", E, "expected STRING, found OBJECT"},
        {"'/allocatedExecutorNodeMetadata' == 'x'", E,
         "no value at /allocatedExecutorNodeMetadata"},
        {"\"/allocatedExecutorNodeMetadata/nope\" == 'x'", E, "no value at"},
        {"\"/allocatedExecutorNodeMetadata/nope\" != 'x'", E, "no value at"},
        {"\"/allocatedExecutorNodeMetadata/rack/deeper\" == 'x'", E, "no value at"},
        {"\"/nosuchroot/x\" == 'x'", E, "no value at /nosuchroot/x"},
        {"\"/executorNodeId/x\" == 'x'", E, "no value at"},
        {"\"/allExecutorMetadata/exec-9/rack\" == 'r2'", E, "no value at"},
        {"\"$.allocatedExecutorNodeMetadata.nope\" == 'x'", E,
         "no value at $.allocatedExecutorNodeMetadata.nope"},
        {"math.abs('x') == 1", E, "a STRING literal (position 10) cannot be used where a NUMBER"},
        {"str.len(5) == 1", E, "a NUMBER literal"},
        {"str.len(math.abs(1)) == 1", E, "math.abs (position 9) gives a NUMBER where a STRING"},
        {"arr.in([1], [1]) == true", E, "an array (position 8) cannot be compared"},
        /* false || error: the error fails the rule; true || error short-cuts before it */
        {"1 == 2 || '/applicationEnvironment/NOPE' == 'x'", E, "no value at"},
        {"1 == 1 || '/applicationEnvironment/NOPE' == 'x'", 1, NULL},
        {"1 == 2 && '/applicationEnvironment/NOPE' == 'x'", 0, NULL},
        /* '&' and '|' evaluate both sides */
        {"false & '/applicationEnvironment/NOPE'", E, "no value at"},
};

START_TEST(test_type_rules_and_missing_values)
{
	run_cases(type_rules, DROVE_ARRAY_LEN(type_rules));
}
END_TEST

/* '&&' does not bind tighter than '||' in HOPE: a chain is one combiner of its last kind. */
static const struct ecase combiners[] = {
        {"1 == 1 && 1 == 2", 0, NULL},
        {"1 == 1 && 2 == 2 && 3 == 3", 1, NULL},
        {"1 == 2 || 2 == 2", 1, NULL},
        {"1 == 2 || 2 == 3 || 3 == 4", 0, NULL},
        /* a && b || c is any-of(a, b, c): with b true it holds though a is false */
        {"1 == 2 && 2 == 2 || 3 == 4", 1, NULL},
        /* a || b && c is all-of(a, b, c) */
        {"1 == 1 || 2 == 2 && 3 == 4", 0, NULL},
        /* parentheses give the usual reading */
        {"(1 == 2 && 2 == 2) || 3 == 4", 0, NULL},
        {"1 == 1 || (2 == 2 && 3 == 4)", 1, NULL},
        {"((((1 == 1))))", 1, NULL},
        {"(1 == 1 && (2 == 2 || (3 == 4 && 5 == 5)))", 1, NULL},
        /* libdrove's additions: '!' over an expression, a lone pointer tests existence,
         * a lone boolean */
        {"!(1 == 2)", 1, NULL},
        {"!!(1 == 1)", 1, NULL},
        {"!'/allocatedExecutorNodeMetadata/rack' == 'r1'", 0, NULL},
        {"\"/allocatedExecutorNodeMetadata/rack\"", 1, NULL},
        {"\"/allocatedExecutorNodeMetadata/nope\"", 0, NULL},
        {"\"/allExecutorMetadata/exec-0\"", 1, NULL},
        {"\"/allExecutorMetadata/exec-9\"", 0, NULL},
        {"\"/allExecutorMetadata\"", 1, NULL},
        {"!\"/allExecutorMetadata/exec-9\" && \"/executorNodeId\"", 1, NULL},
        {"true", 1, NULL},
        {"false || true", 1, NULL},
        {"!(\"/allocatedExecutorNodeMetadata/nope\" == 'x')", E, "no value at"},
        {"  \"/applicationEnvironment/ZONE\" == 'z1' &&\n\t"
         "  (\"/allocatedExecutorNodeMetadata/rack\" == 'r1' || false)  ",
         1, NULL},
};

START_TEST(test_combiners_and_precedence)
{
	run_cases(combiners, DROVE_ARRAY_LEN(combiners));
}
END_TEST

static const struct ecase functions[] = {
        /* math */
        {"math.abs(-3) == 3", 1, NULL},
        {"math.add(2, 3, 7) == 12", 1, NULL},
        {"math.add() == 0", 1, NULL},
        {"7 <= math.add(2, 3, 7)", 1, NULL},
        {"math.prod(2, 3, 7) == 42", 1, NULL},
        {"math.prod() == 1", 1, NULL},
        {"math.negate(math.sub(math.add(2, 3, 7), 13)) == 1", 1, NULL},
        {"math.add(math.add(2, 3, 7), 9, 4) == 25", 1, NULL},
        {"math.div(7, 2) == 3.5", 1, NULL},
        {"math.div(7, 0) == 1", E, "math.div (position 1): denominator is zero"},
        {"math.mod(7, 4) == 3", 1, NULL},
        {"math.mod(-7, 4) == -3", 1, NULL},
        {"math.mod(7, 0) == 1", E, "denominator is zero"},
        {"math.ceil(1.2) == 2", 1, NULL},
        {"math.floor(-1.2) == -2", 1, NULL},
        {"math.negate(2) < 0", 1, NULL},
        {"math.sub(5, 7) == -2", 1, NULL},
        {"math.abs(utils.hash_j(-23)) == math.abs(-1070137344)", 1, NULL},
        {"utils.hash_j('abc') == 96354", 1, NULL},
        /* HOPE's own test vector for utils.hash_m128 */
        {"math.abs(utils.hash_m128(-23)) == 2940310638642342768", 1, NULL},
        {"utils.hash_m128('hello') == utils.hash_m128('/applicationEnvironment/GREET')", 1, NULL},
        {"utils.hash_m128('hello') != utils.hash_m128('hellp')", 1, NULL},
        {"utils.hash_m128(true) != utils.hash_m128(false)", 1, NULL},
        /* MurmurHash3_x64_128 reference values (seed 0, first 64 bits, signed): a tail only,
         * and two 16-byte blocks plus an 11-byte tail */
        {"utils.hash_m128('hello') == -3758069500696749310", 1, NULL},
        {"utils.hash_m128('The quick brown fox jumps over the lazy dog') == "
         "-2068352364225029268",
         1, NULL},
        {"utils.hash_m128([1]) == 0", E, "an array"},
        {"utils.hash_j(true) == 1231", 1, NULL},
        {"utils.hash_j('/allocatedExecutorNodeMetadata/rack') == utils.hash_j('r1')", 1, NULL},
        /* strings */
        {"str.len('/allocatedExecutorNodeMetadata/rack') == 2", 1, NULL},
        {"str.len('/allocatedExecutorNodeMetadata/rack') > 1", 1, NULL},
        {"str.lower('/applicationEnvironment/NAME') == 'hello world'", 1, NULL},
        {"str.upper('/applicationEnvironment/NAME') == 'HELLO WORLD'", 1, NULL},
        {"str.substr('/applicationEnvironment/NAME', 6) == 'World'", 1, NULL},
        {"str.substr('/applicationEnvironment/NAME', 0, 5) == 'Hello'", 1, NULL},
        /* an end of 0 means length - start, so this is substring(2, 9) */
        {"str.substr('/applicationEnvironment/NAME', 2, 0) == 'llo Wor'", 1, NULL},
        {"str.substr('abc', 2, 9) == 'c'", E, "str.substr (position 1): range 2..9"},
        {"str.substr('abc', -1) == 'c'", E, "outside a string of length 3"},
        {"str.match('r[0-9]+', '/allocatedExecutorNodeMetadata/rack') == true", 1, NULL},
        {"str.match('r', '/allocatedExecutorNodeMetadata/rack') == true", 0, NULL},
        {"str.match('\\w\\d', '/allocatedExecutorNodeMetadata/rack') == true", 1, NULL},
        {"str.match('[\\d]+', '/allocatedExecutorNodeMetadata/cores') == true", 1, NULL},
        {"str.match('\\D+', '/allocatedExecutorNodeMetadata/cores') == true", 0, NULL},
        {"str.match('Hello\\sWorld', '/applicationEnvironment/NAME') == true", 1, NULL},
        {"str.match('a|b{1,3}', 'bbb') == true", 1, NULL},
        /* a regex read from the document is compiled at evaluation (literals at parse) */
        {"str.match('/applicationEnvironment/NAME', 'Hello World') == true", 1, NULL},
        {"str.match('/applicationEnvironment/NAME', 'Hello') == true", 0, NULL},
        {"str.match('', 'x') == true", E, "regex is empty"},
        {"str.match('(', 'x') == true", E, "bad regex '('"},
        /* PCRE2 (Java's syntax): nested and stacked repetitions compile small or are refused,
         * and a match that backtracks without end stops at the step limit */
        {"str.match('(a{1,8}){1,8}{2}', 'x') == true", E,
         "quantifier does not follow a repeatable item at offset 15"},
        {"str.match('((a{1,20}){1,20}){1,20}', 'x') == true", 0, NULL},
        {"str.match('((a{0,255}){0,255}){0,255}', 'a') == true", E,
         "regular expression is too large"},
        {"str.match('(a{0,50}){1,50}', 'aaa') == true", 1, NULL},
        {"str.match('a++++++++++++++++++++++++++++++++++++++++', 'a') == true", E,
         "quantifier does not follow a repeatable item at offset 3"},
        {"str.match('((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+', 'a') == true", 1, NULL},
        {"str.match('()++++++++++;+\xc2++++++++>=*', 'aa') == true", E, "UTF-8 error"},
        {"str.match('(\\w+\\s?)+$', 'word word word word word word word word word word "
         "!') == true",
         E, "str.match (position 1): regex needs more than 100000 steps on this value"},
        {"str.match('(a|a)*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaac b') == true", E, "(match limit)"},
        {"str.match('a**********', 'aaa') == true", E, "quantifier does not follow"},
        {"str.match('[[:alpha:]]+[0-9]{2,}', 'ab12') == true", 1, NULL},
        {"str.match('(a{0,4}){1,4}b{2,}', 'aaabb') == true", 1, NULL},
        {"str.match('(a{0,4}){1,4}b{2,}', 'aaab') == true", 0, NULL},
        /* Java's constructs beyond POSIX: back-references, lazy and possessive quantifiers,
         * lookarounds, \\p classes */
        {"str.match('(a*)*\\1', 'aaaa') == true", 1, NULL},
        {"str.match('(ab)c\\1', 'abcab') == true", 1, NULL},
        {"str.match('a+?b', 'aab') == true", 1, NULL},
        {"str.match('a++a', 'aaa') == true", 0, NULL},
        {"str.match('r(?=\\d)\\d', 'r1') == true", 1, NULL},
        {"str.match('(?!x).*', 'xy') == true", 0, NULL},
        {"str.match('\\p{Lu}\\p{Ll}+', 'Hello') == true", 1, NULL},
        {"str.match('[a-c]+x?', 'abc') == true", 1, NULL},
        {"str.match('[^\\d]+', 'abc') == true", 1, NULL},
        {"str.match('[\\D]', 'a') == true", 1, NULL},
        {"str.match('[\\D]', '1') == true", 0, NULL},
        {"str.match('a\\.b', 'a.b') == true", 1, NULL},
        {"str.match('a\\.b', 'axb') == true", 0, NULL},
        /* the regex can come from the document too */
        {"str.match('/allocatedExecutorNodeMetadata/rack', 'r1') == true", 1, NULL},
        /* arrays */
        {"arr.in('/allocatedExecutorNodeMetadata/rack', ['r1', 'r2']) == true", 1, NULL},
        {"arr.in('/allocatedExecutorNodeMetadata/rack', ['r3', 'r2']) == true", 0, NULL},
        {"arr.not_in('r9', ['r1', '/allExecutorMetadata/exec-0/rack']) == true", 1, NULL},
        {"arr.not_in('r2', ['r1', '/allExecutorMetadata/exec-0/rack']) == true", 0, NULL},
        {"arr.in('/applicationEnvironment/NOPE', ['x']) == true", E, "no value at"},
        {"arr.in('x', ['/applicationEnvironment/NOPE']) == true", E, "no value at"},
        {"arr.in('x', '/allocatedExecutorNodeMetadata') == true", E,
         "expected ARRAY, found OBJECT"},
        {"arr.in('1', [1, 2]) == false", 1, NULL},
        {"arr.contains_any(['a', 'b'], ['b', 'c']) == true", 1, NULL},
        {"arr.contains_any(['a', 'b'], ['c']) == true", 0, NULL},
        {"arr.contains_all(['a', 'b', 'c'], ['c', 'a', 'a']) == true", 1, NULL},
        {"arr.contains_all(['a', 'b'], ['a', 'd']) == true", 0, NULL},
        {"arr.contains_all(['a', 1], ['a']) == true", E, "mixes STRING and NUMBER"},
        {"arr.is_empty([]) == true", 1, NULL},
        {"arr.is_empty([1]) == false", 1, NULL},
        {"arr.is_empty(5) == true", 1, NULL}, /* not an array: counts as empty, as in HOPE */
        {"arr.len([1, 'a', true]) == 3", 1, NULL},
        {"arr.len('/executorNodeId') == 0", E, "expected ARRAY, found STRING"},
        /* existence */
        {"pointer.exists('/allocatedExecutorNodeMetadata/rack') == true", 1, NULL},
        {"pointer.exists('/allocatedExecutorNodeMetadata/nope') == true", 0, NULL},
        {"pointer.exists('/allExecutorMetadata/exec-0') == true", 1, NULL},
        {"pointer.exists('not a pointer') == true", 0, NULL},
        {"path.exists('$.allocatedExecutorNodeMetadata.rack') == true", 1, NULL},
        {"path.exists('$.allocatedExecutorNodeMetadata.nope') == true", 0, NULL},
        {"path.exists('/allocatedExecutorNodeMetadata/rack') == true", 0, NULL},
        /* clocks (values checked against the C library below) */
        {"sys.epoch() > 1600000000000", 1, NULL},
        {"date.now() > 1600000000000", 1, NULL},
        {"date.year() >= 2024", 1, NULL},
        {"date.month_of_year() >= 1 && date.month_of_year() <= 12", 1, NULL},
        {"date.day_of_month() >= 1 && date.day_of_month() <= 31", 1, NULL},
        {"date.day_of_week() >= 1 && date.day_of_week() <= 7", 1, NULL},
        {"date.day_of_year() >= 1 && date.day_of_year() <= 366", 1, NULL},
        {"date.hour_of_day() >= 0 && date.hour_of_day() < 24", 1, NULL},
        {"date.minute_of_hour() >= 0 && date.minute_of_hour() < 60", 1, NULL},
        {"date.second_of_minute() >= 0 && date.second_of_minute() <= 60", 1, NULL},
        {"date.week_of_month() >= 1 && date.week_of_month() <= 6", 1, NULL},
        {"date.week_of_year() >= 1 && date.week_of_year() <= 54", 1, NULL},
        /* function results in every operand position */
        {"str.lower('ABC') == str.lower('aBc')", 1, NULL},
        {"str.match('r.', '/allocatedExecutorNodeMetadata/rack') & true", 1, NULL},
        {"^str.match('r.', '/allocatedExecutorNodeMetadata/rack')", 0, NULL},
        {"'hello world' == str.lower('/applicationEnvironment/NAME')", 1, NULL},
        {"true == arr.in(1, [1])", 1, NULL},
};

START_TEST(test_functions)
{
	run_cases(functions, DROVE_ARRAY_LEN(functions));
	/* a long regex is refused before PCRE2 sees it */
	drove__buf b = DROVE_BUF_INIT;
	drove__buf_puts(&b, "str.match('");
	for (int i = 0; i < 300; i++)
		drove__buf_putc(&b, 'a');
	drove__buf_puts(&b, "', 'a') == true");
	struct ecase long_re = {b.data, E, "regex longer than 256 bytes"};
	check_case(&long_re);
	drove__buf_free(&b);
}
END_TEST

/* The calendar functions against the C library's local time (skipping a minute change). */
START_TEST(test_date_functions_match_localtime)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		time_t now = time(NULL);
		struct tm tm;
		char rule[256];
		localtime_r(&now, &tm);
		snprintf(rule, sizeof(rule),
		         "date.year() == %d && date.month_of_year() == %d && "
		         "date.day_of_month() == %d && date.day_of_year() == %d && "
		         "date.day_of_week() == %d && date.hour_of_day() == %d && "
		         "date.minute_of_hour() == %d",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_yday + 1,
		         tm.tm_wday == 0 ? 7 : tm.tm_wday, tm.tm_hour, tm.tm_min);
		drove_sched_policy *p = NULL;
		int r = 0;
		ck_assert_int_eq(drove_sched_policy_rule_hope(&p, rule), 0);
		ck_assert_int_eq(drove_sched_rule_eval_strict(p, info, &r), 0);
		drove_sched_policy_free(p);
		if (r == 1 && time(NULL) / 60 == now / 60)
			return;
	}
	ck_abort_msg("date functions disagree with localtime_r");
}
END_TEST

struct pcase {
	const char *rule;
	const char *msg;
};

static const struct pcase parse_errors[] = {
        {"", "rule: empty rule"},
        {"   ", "rule: empty rule"},
        /* Drove's: a lone value is no rule */
        {"1", "rule: expected '==', '!=', '>', '>=', '<' or '<=' after a number at end of rule "
              "(position 2)"},
        {"'/data' ~ 'x'", "unexpected character, found '~ 'x'' at position 9"},
        {"2 asdj 4ada", "after a number, found 'asdj 4ada' at position 3"},
        {"SOME_RULE", "rule: unknown function 'SOME_RULE' at position 1"},
        {"'abc'", "expected '==' or '!=' after a string at end of rule (position 6)"},
        {"'a' > 'b'", "expected '==' or '!=' after a string, found '> 'b'' at position 5"},
        {"'a' == 1", "expected a string, pointer, path or function, found '1' at position 8"},
        {"1 == 'a'", "expected a number, pointer, path or function"},
        {"true == 1", "expected a boolean, pointer, path or function"},
        {"true > false", "after a boolean"},
        {"^1", "expected a boolean, pointer, path or function, found '1' at position 2"},
        {"'/a' == ", "expected a string, number, boolean, pointer, path or function at end"},
        {"'/a' > 'x'", "expected a number, pointer, path or function, found ''x''"},
        {"'/a' == [1]", "found '[1]' at position 9"},
        {"('a' == 'b'", "expected '&&', '||' or ')' at end of rule (position 12)"},
        {"()", "expected an expression (a comparison, '(', '^' or '!'), found ')' at position 2"},
        {"'a' == 'b' &", "expected '&&', '||' or end of rule, found '&' at position 12"},
        {"arr.in(2, [1, 2, 3])", "expected a comparison ('==', '!=', '>', '>=', '<', '<=', '&' or "
                                 "'|') at end of rule"},
        {"'a' == 'b' 'c'", "expected '&&', '||' or end of rule, found ''c'' at position 12"},
        {"'a' == 'b' &&", "expected an expression"},
        {"'abc", "rule: unterminated string (no closing ') at position 1"},
        {"\"abc", "no closing \""},
        {"1.2.3 == 1", "after a number, found '.3 == 1' at position 4"},
        {"- 1 == 1", "expected a number, found '- 1 == 1' at position 1"},
        {"1e3 == 1", "after a number, found 'e3 == 1'"},
        {"'/' == 'a'", "rule: empty JSON pointer '/' at position 1"},
        {"'$' == 'a'", "rule: empty JSONPath '$' at position 1"},
        {"'/a+b' == 'x'", "character '+' at position 4 is not allowed in a JSON pointer"},
        {"'$.a[0]' == 'x'", "JSONPath '$.a[0]' at position 1: only $ and $.name.name"},
        {"'$..a' == 'x'", "only $ and $.name.name paths"},
        {"'$.*' == 'x'", "only $ and $.name.name paths"},
        {"x == 1", "unknown function 'x' at position 1"},
        {"True == 1", "unknown function 'True'"},
        {"str.len == 1", "expected '(' after a function name, found '== 1' at position 9"},
        {"str.len('a' == 1", "expected ',' or ')' in a function call, found '== 1'"},
        {"str.len('a', 'b') == 1", "function 'str.len' takes 1 argument, got 2 at position 1"},
        {"str.substr('a') == 'a'", "function 'str.substr' takes 2 to 3 arguments, got 1"},
        {"math.div(1) == 1", "function 'math.div' takes 2 arguments, got 1"},
        {"sys.epoch(1) == 1", "takes 0 arguments, got 1"},
        {"arr.in(1, [1, 2) == true", "expected ',' or ']' in an array, found ')"},
        {"arr.in(1, [[1]]) == true", "found '[1]]) == true' at position 12"},
        {"utils.hash_m128(str.len('a')) == 1",
         "utils.hash_m128 of a function result (position 1) is not supported"},
        {"mvel.eval('x') == 1", "unknown function 'mvel.eval'"},
        {"'/a' == 'b' # comment", "unexpected character, found '# comment' at position 13"},
};

START_TEST(test_parse_errors_name_position_and_expectation)
{
	for (size_t i = 0; i < DROVE_ARRAY_LEN(parse_errors); i++) {
		drove_sched_policy *p = NULL;
		int rc = drove_sched_policy_rule_hope(&p, parse_errors[i].rule);
		ck_assert_msg(rc == DROVE_EINVAL, "rule '%s' accepted", parse_errors[i].rule);
		ck_assert_msg(strstr(drove_error_last()->message, parse_errors[i].msg) != NULL,
		              "rule '%s': message '%s' lacks '%s'", parse_errors[i].rule,
		              drove_error_last()->message, parse_errors[i].msg);
		ck_assert_ptr_null(p);
	}
}
END_TEST

START_TEST(test_caps)
{
	drove_sched_policy *p = NULL;
	char deep[200];
	memset(deep, '(', 40);
	memcpy(deep + 40, "1 == 1", 6);
	memset(deep + 46, ')', 40);
	deep[86] = '\0';
	drove_assert_error(drove_sched_policy_rule_hope(&p, deep), DROVE_EINVAL,
	                   "rule: nesting deeper than 32 at position 33");
	/* 32 levels are fine */
	memset(deep, '(', 32);
	memcpy(deep + 32, "1 == 1", 6);
	memset(deep + 38, ')', 32);
	deep[70] = '\0';
	ck_assert_int_eq(drove_sched_policy_rule_hope(&p, deep), 0);
	drove_sched_policy_free(p);
	p = NULL;
	/* nested calls count as nesting too */
	drove__buf b = DROVE_BUF_INIT;
	for (int i = 0; i < 40; i++)
		drove__buf_puts(&b, "math.abs(");
	drove__buf_puts(&b, "1");
	for (int i = 0; i < 40; i++)
		drove__buf_puts(&b, ")");
	drove__buf_puts(&b, " == 1");
	drove_assert_error(drove_sched_policy_rule_hope(&p, b.data), DROVE_EINVAL,
	                   "nesting deeper than 32");
	drove__buf_reset(&b);
	/* node cap: a long flat chain within the byte limit */
	for (int i = 0; i < 400; i++)
		drove__buf_puts(&b, i ? "||1==1" : "1==1");
	ck_assert_uint_le(b.len, DROVE_HOPE_MAX_LEN);
	drove_assert_error(drove_sched_policy_rule_hope(&p, b.data), DROVE_EINVAL,
	                   "rule: more than 1024 terms");
	drove__buf_free(&b);
	char *big = malloc(5000);
	memset(big, ' ', 4999);
	big[4999] = '\0';
	drove_assert_error(drove_sched_policy_rule_hope(&p, big), DROVE_EINVAL,
	                   "rule: 4999 bytes exceeds the 4096-byte limit");
	free(big);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_rule_types)
{
	drove_sched_policy *p = NULL;
	drove_assert_error(drove_sched_policy_rule(&p, "true", "MVEL"), DROVE_EINVAL,
	                   "placementPolicy.ruleType: MVEL rules are not supported; use HOPE");
	drove_assert_error(drove_sched_policy_rule(&p, "true", "JS"), DROVE_EINVAL,
	                   "placementPolicy.ruleType: 'JS' is not HOPE");
	ck_assert_ptr_null(p);
	ck_assert_int_eq(drove_sched_policy_rule(&p, "1 < 2", "Hope"), 0);
	drove_sched_policy_free(p);
	ck_assert_int_eq(drove_sched_policy_any(&p), 0);
	int r;
	drove_assert_error(drove_sched_rule_eval(p, info, &r), DROVE_EINVAL, "not RULE_BASED");
	drove_assert_error(drove_sched_rule_eval_strict(p, info, &r), DROVE_EINVAL,
	                   "not RULE_BASED");
	drove_sched_policy_free(p);
	ck_assert_int_eq(drove_sched_policy_match_tag(&p, "x"), 0);
	drove_sched_policy_free(p);
	p = NULL;
	drove_assert_error(drove_sched_policy_match_tag(&p, ""), DROVE_EINVAL,
	                   "placementPolicy.tag: must not be empty");
}
END_TEST

/* The internal API the controller and the dry run use: parse once, evaluate over lookups
 * (here with no callbacks at all: every pointer below the root is missing). */
START_TEST(test_internal_api_over_an_empty_document)
{
	struct drove__sched_rule *r = NULL;
	drove__sched_ruledoc doc = {0};
	bool ok = true;
	ck_assert_int_eq(drove__sched_rule_parse("'/executorNodeId' == 'x'", &r), 0);
	ck_assert(!drove__sched_rule_eval(r, &doc));
	drove_assert_error(drove__sched_rule_eval_ex(r, &doc, &ok), DROVE_EINVAL,
	                   "rule: no value at /executorNodeId (position 1)");
	ck_assert(!ok);
	drove__sched_rule_free(r);
	ck_assert_int_eq(
	        drove__sched_rule_parse("pointer.exists('/allExecutorMetadata') == true && "
	                                "\"/allocatedExecutorNodeMetadata\"",
	                                &r),
	        0);
	ck_assert(drove__sched_rule_eval(r, &doc));
	ck_assert_int_eq(drove__sched_rule_eval_ex(r, &doc, &ok), 0);
	ck_assert(ok);
	drove__sched_rule_free(r);
	ck_assert(!drove__sched_rule_eval(NULL, &doc));
	ck_assert_str_eq(drove__model_hope_fn_name(HF_STR_MATCH), "str.match");
	ck_assert_str_eq(drove__model_hope_fn_name(-1), "?");
}
END_TEST

Suite *sched_rule_suite(void)
{
	Suite *su = suite_create("sched_rule");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_drove_examples);
	tcase_add_test(tc, test_comparisons);
	tcase_add_test(tc, test_type_rules_and_missing_values);
	tcase_add_test(tc, test_combiners_and_precedence);
	tcase_add_test(tc, test_functions);
	tcase_add_test(tc, test_date_functions_match_localtime);
	tcase_add_test(tc, test_parse_errors_name_position_and_expectation);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_rule_types);
	tcase_add_test(tc, test_internal_api_over_an_empty_document);
	suite_add_tcase(su, tc);
	return su;
}
