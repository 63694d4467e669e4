/* Java-syntax regular expressions through PCRE2, every match under limits.
 *
 * PCRE2 reads the Java syntax rules and configs use (\d \w \s and their negations, classes,
 * lazy and possessive quantifiers, lookarounds, back-references) and, unlike glibc's regcomp(),
 * never builds an automaton exponential in the pattern: a compiled pattern is capped by the
 * library (64 KiB with Debian's link size), and each match by the step, depth and heap limits
 * below, so no pattern/subject pair can hold a thread for more than a few milliseconds. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

/* Backtracking steps, nested backtracking frames and frame memory (KiB) for one match. */
#define MATCH_STEPS    100000
#define MATCH_DEPTH    2000
#define MATCH_HEAP_KIB 2048
#define PARENS_NEST    64

struct drove__regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
};

void drove__regex_free(drove__regex *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re);
}

int drove__regex_compile(drove__regex **out, const char *pattern)
{
	pcre2_compile_context *cctx;
	drove__regex *re;
	PCRE2_SIZE off = 0;
	int err = 0;
	size_t len;

	*out = NULL;
	len = strlen(pattern);
	if (len > DROVE__REGEX_MAX)
		return drove__error(DROVE_EINVAL, "regex longer than %d bytes", DROVE__REGEX_MAX);
	if (!(re = calloc(1, sizeof(*re))) || !(cctx = pcre2_compile_context_create(NULL))) {
		free(re);
		return drove__enomem();
	}
	pcre2_set_parens_nest_limit(cctx, PARENS_NEST);
	/* UTF-8 as Java's strings are Unicode; a subject that is not valid UTF-8 still matches
	 * byte-wise where it is valid instead of failing the call */
	re->code = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
	                         &err, &off, cctx);
	pcre2_compile_context_free(cctx);
	if (!re->code) {
		PCRE2_UCHAR msg[120];
		free(re);
		if (err == PCRE2_ERROR_NOMEMORY)
			return drove__enomem();
		pcre2_get_error_message(err, msg, sizeof(msg));
		return drove__error(DROVE_EINVAL, "%s at offset %zu", (const char *)msg,
		                    (size_t)off);
	}
	if (!(re->mctx = pcre2_match_context_create(NULL))) {
		drove__regex_free(re);
		return drove__enomem();
	}
	pcre2_set_match_limit(re->mctx, MATCH_STEPS);
	pcre2_set_depth_limit(re->mctx, MATCH_DEPTH);
	pcre2_set_heap_limit(re->mctx, MATCH_HEAP_KIB);
	*out = re;
	return 0;
}

int drove__regex_match(const drove__regex *re, const char *s, bool whole)
{
	pcre2_match_data *md;
	int rc;

	if (!(md = pcre2_match_data_create_from_pattern(re->code, NULL)))
		return drove__enomem();
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, strlen(s), 0,
	                 whole ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0, md, re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return drove__enomem();
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT)
		return drove__error(DROVE_EINVAL,
		                    "regex needs more than %d steps on this value (match limit)",
		                    MATCH_STEPS);
	{
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(rc, msg, sizeof(msg));
		return drove__error(DROVE_EINVAL, "regex match failed: %s", (const char *)msg);
	}
}
