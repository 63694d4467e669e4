/* Scheduler: HOPE-style RULE_BASED rules, their errors, and dry runs over SchedulingInfo. */
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include <drove/sched.h>
#include "core/internal.h"
#include "harness.h"

static drove_sched_info *info;

static void setup(void)
{
	ck_assert_int_eq(drove_sched_info_new(&info), 0);
	ck_assert_int_eq(drove_sched_info_set_executor_id(info, "exec-1"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "rack", "r1"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "cores", "64"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "ssd", "true"), 0);
	ck_assert_int_eq(drove_sched_info_set_allocated_metadata(info, "a/b", "slash"), 0);
	ck_assert_int_eq(drove_sched_info_set_executor_metadata(info, "exec-0", "rack", "r2"), 0);
	ck_assert_int_eq(drove_sched_info_set_env(info, "ZONE", "z1"), 0);
}

static void teardown(void)
{
	drove_sched_info_free(info);
}

static int eval(const char *rule)
{
	drove_sched_policy *p = NULL;
	int r = -1;
	int rc = drove_sched_policy_rule_hope(&p, rule);
	ck_assert_msg(rc == 0, "rule '%s' rejected: %s", rule, drove_error_last()->message);
	ck_assert_int_eq(drove_sched_rule_eval(p, info, &r), 0);
	drove_sched_policy_free(p);
	return r;
}

static void reject(const char *rule, const char *msg)
{
	drove_sched_policy *p = NULL;
	drove_assert_error(drove_sched_policy_rule_hope(&p, rule), DROVE_EINVAL, msg);
	ck_assert_ptr_null(p);
}

START_TEST(test_comparisons)
{
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/rack\" == \"r1\""), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/rack\" == \"r2\""), 0);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/rack\" != \"r2\""), 1);
	ck_assert_int_eq(eval("'r1' == \"/allocatedExecutorNodeMetadata/rack\""), 1);
	ck_assert_int_eq(eval("\"/executorNodeId\" == \"exec-1\""), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/cores\" == 64"), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/cores\" == 64.0"), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/cores\" == 63"), 0);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/ssd\" == true"), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/ssd\" == false"), 0);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/a~1b\" == 'slash'"), 1);
	ck_assert_int_eq(eval("\"/applicationEnvironment/ZONE\" == 'z1'"), 1);
	ck_assert_int_eq(eval("\"/allExecutorMetadata/exec-0/rack\" == 'r2'"), 1);
	ck_assert_int_eq(eval("\"/allExecutorMetadata/exec-0/rack\" == "
	                      "\"/allocatedExecutorNodeMetadata/rack\""),
	                 0);
	/* a literal starting with '/' in single quotes is a string, not a pointer */
	ck_assert_int_eq(eval("'/x' == '/x'"), 1);
	ck_assert_int_eq(eval("1 == 1"), 1);
	ck_assert_int_eq(eval("1 == '1'"), 0);
	ck_assert_int_eq(eval("true"), 1);
	ck_assert_int_eq(eval("false"), 0);
}
END_TEST

START_TEST(test_missing_and_existence)
{
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/nope\" == 'x'"), 0);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/nope\" != 'x'"), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/rack\""), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/nope\""), 0);
	ck_assert_int_eq(eval("\"/allExecutorMetadata/exec-0\""), 1);
	ck_assert_int_eq(eval("\"/allExecutorMetadata/exec-9\""), 0);
	ck_assert_int_eq(eval("\"/allExecutorMetadata\""), 1);
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata/rack/deeper\""), 0);
	/* an object is never equal to a string */
	ck_assert_int_eq(eval("\"/allocatedExecutorNodeMetadata\" == 'r1'"), 0);
}
END_TEST

START_TEST(test_boolean_operators)
{
	ck_assert_int_eq(eval("true && false || true"), 1);
	ck_assert_int_eq(eval("true && (false || false)"), 0);
	ck_assert_int_eq(eval("!false"), 1);
	ck_assert_int_eq(eval("!!true"), 1);
	ck_assert_int_eq(eval("!(\"/allocatedExecutorNodeMetadata/rack\" == 'r1')"), 0);
	ck_assert_int_eq(eval("  \"/applicationEnvironment/ZONE\" == 'z1' &&\n"
	                      "  (\"/allocatedExecutorNodeMetadata/rack\" == 'r1' || false)  "),
	                 1);
	ck_assert_int_eq(eval("'a\\'b' == \"a'b\""), 1);
}
END_TEST

START_TEST(test_syntax_errors_name_the_position)
{
	reject("", "rule: empty rule");
	reject("   ", "rule: empty rule");
	reject("\"/allocatedExecutorNodeMetadata/rack\" < 'r1'", "unexpected '<' at position 39");
	reject("'a' == 'b' &", "unexpected '&' at position 12");
	reject("('a' == 'b'", "expected ')' at end of rule (position 12)");
	reject("'abc", "rule: unterminated string at position 1");
	reject("\"/foo/bar\" == 'x'", "rule: unknown JSON pointer root '/foo' at position 1");
	reject("'a' == ", "expected a pointer or literal after comparison at end of rule");
	reject("'a'", "expected '==' or '!=' after a literal");
	reject("contains('a')", "rule: unsupported word 'contains' at position 1");
	reject("'a' == 'b' 'c'",
	       "expected '&&', '||' or end of rule: unexpected ''' at position 12");
	reject("1.2.3 == 1", "rule: bad number '1.2.3' at position 1");
	reject("'\\n' == 'a'", "rule: unknown escape '\\n'");
	reject("\"/allocatedExecutorNodeMetadata/a~2\" == 'x'", "bad JSON pointer escape");
	char deep[200];
	memset(deep, '(', 40);
	memcpy(deep + 40, "true", 4);
	memset(deep + 44, ')', 40);
	deep[84] = '\0';
	reject(deep, "rule: nesting deeper than 32");
	char *big = malloc(5000);
	memset(big, ' ', 4999);
	big[4999] = '\0';
	reject(big, "rule: 4999 bytes exceeds the 4096-byte limit");
	free(big);
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
	ck_assert_int_eq(drove_sched_policy_rule(&p, "true", "Hope"), 0);
	drove_sched_policy_free(p);
	ck_assert_int_eq(drove_sched_policy_any(&p), 0);
	int r;
	drove_assert_error(drove_sched_rule_eval(p, info, &r), DROVE_EINVAL, "not RULE_BASED");
	drove_sched_policy_free(p);
	ck_assert_int_eq(drove_sched_policy_match_tag(&p, "x"), 0);
	drove_sched_policy_free(p);
	p = NULL;
	drove_assert_error(drove_sched_policy_match_tag(&p, ""), DROVE_EINVAL,
	                   "placementPolicy.tag: must not be empty");
}
END_TEST

Suite *sched_rule_suite(void)
{
	Suite *su = suite_create("sched_rule");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_comparisons);
	tcase_add_test(tc, test_missing_and_existence);
	tcase_add_test(tc, test_boolean_operators);
	tcase_add_test(tc, test_syntax_errors_name_the_position);
	tcase_add_test(tc, test_rule_types);
	suite_add_tcase(su, tc);
	return su;
}
