/* HOPE rule evaluation over SchedulingInfo (see rule.h; the tree comes from model/hope.c).
 * Semantics follow HOPE's evaluator with its default error strategy: a missing value, a type
 * mismatch or an illegal operation fails the whole rule. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/internal.h"
#include "sched/rule.h"

struct drove__sched_rule {
	drove__hope *h;
	/* per node of h: the regex of a str.match whose regex is a string literal, compiled once
	 * here (NULL for every other node, and where it does not compile: evaluation then reports
	 * the error as for a regex read from the document) */
	drove__regex **rx;
};

#define RULE_REGEX_MAX 256 /* bytes of a rule's regex */

/* Compile the literal regexes of str.match calls (an executor's placement evaluates the rule
 * once per candidate executor: compiling there would repeat the work for each). */
static int precompile(struct drove__sched_rule *r)
{
	const drove__hope *h = r->h;
	for (size_t i = 0; i < h->n; i++) {
		const struct drove__hope_node *f = &h->nodes[i], *re;
		if (f->kind != HOPE_FUNC || f->fn != HF_STR_MATCH || f->n < 1)
			continue;
		re = &h->nodes[h->kids[f->first]];
		if (re->kind != HOPE_STR || !re->str || !*re->str ||
		    strlen(re->str) > RULE_REGEX_MAX)
			continue;
		if (!r->rx && !(r->rx = calloc(h->n, sizeof(*r->rx))))
			return drove__enomem();
		if (drove__regex_compile(&r->rx[i], re->str) == DROVE_ENOMEM)
			return DROVE_ENOMEM;
		drove_error_clear(); /* a bad literal fails each evaluation, with its message */
	}
	return 0;
}

int drove__sched_rule_parse(const char *text, struct drove__sched_rule **out)
{
	struct drove__sched_rule *r;
	int rc;

	DROVE_CHECK_ARG(text && out);
	if (!(r = calloc(1, sizeof(*r))))
		return drove__enomem();
	if ((rc = drove__model_hope_parse(text, &r->h)) < 0 || (rc = precompile(r)) < 0) {
		drove__sched_rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void drove__sched_rule_free(struct drove__sched_rule *r)
{
	if (!r)
		return;
	if (r->rx)
		for (size_t i = 0; i < r->h->n; i++)
			drove__regex_free(r->rx[i]);
	free(r->rx);
	drove__model_hope_free(r->h);
	free(r);
}

/* ---- values ---- */

enum vt { V_NONE, V_STR, V_NUM, V_BOOL, V_OBJ, V_ARR };

static const char *const vt_name[] = {"MISSING", "STRING", "NUMBER", "BOOLEAN", "OBJECT", "ARRAY"};

struct val {
	enum vt t;
	const char *s;
	double n;
	bool b;
	int32_t arr; /* V_ARR: the array literal's node */
};

struct ectx {
	const drove__hope *h;
	drove__regex *const *rx; /* the rule's precompiled regexes, or NULL */
	const drove__sched_ruledoc *d;
	char err[256];
	char **owned; /* strings made during this evaluation */
	size_t nowned, capowned;
};

static int fail(struct ectx *c, const char *fmt, ...) DROVE_PRINTF(2, 3);

static int fail(struct ectx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *keep(struct ectx *c, char *s)
{
	if (!s || drove__grow(&c->owned, &c->capowned, c->nowned + 1, sizeof(*c->owned)) < 0) {
		free(s);
		fail(c, "out of memory");
		return NULL;
	}
	c->owned[c->nowned++] = s;
	return s;
}

static const struct drove__hope_node *node(const struct ectx *c, int32_t i)
{
	return &c->h->nodes[i];
}

static int32_t kid(const struct ectx *c, const struct drove__hope_node *n, uint32_t k)
{
	return c->h->kids[n->first + k];
}

/* Walk the document: only objects and strings, as SchedulingInfo has. */
static struct val resolve(const struct ectx *c, const struct drove__hope_node *n)
{
	const drove__sched_ruledoc *d = c->d;
	struct val v = {V_NONE, NULL, 0, false, -1};
	char *const *s = n->seg;
	const char *str = NULL;

	if (n->nseg == 0) {
		v.t = V_OBJ;
		return v;
	}
	if (strcmp(s[0], "executorNodeId") == 0) {
		if (n->nseg == 1)
			str = d->executor_id;
	} else if (strcmp(s[0], "allocatedExecutorNodeMetadata") == 0 ||
	           strcmp(s[0], "applicationEnvironment") == 0) {
		bool alloc = s[0][0] == 'a' && s[0][1] == 'l';
		if (n->nseg == 1)
			v.t = V_OBJ;
		else if (n->nseg == 2)
			str = alloc ? (d->alloc_meta ? d->alloc_meta(d->ud, s[1]) : NULL)
			            : (d->env ? d->env(d->ud, s[1]) : NULL);
	} else if (strcmp(s[0], "allExecutorMetadata") == 0) {
		if (n->nseg == 1)
			v.t = V_OBJ;
		else if (n->nseg == 2 && d->exec_known && d->exec_known(d->ud, s[1]))
			v.t = V_OBJ;
		else if (n->nseg == 3 && d->exec_meta)
			str = d->exec_meta(d->ud, s[1], s[2]);
	}
	if (str) {
		v.t = V_STR;
		v.s = str;
	}
	return v;
}

static int get(struct ectx *c, int32_t i, struct val *out);

static int call(struct ectx *c, const struct drove__hope_node *n, struct val *out);

static int wrong_kind(struct ectx *c, const struct drove__hope_node *n, enum vt want, enum vt got)
{
	if (n->kind == HOPE_PTR || n->kind == HOPE_PATH) {
		if (got == V_NONE)
			return fail(c, "no value at %s (position %u)", n->str, n->pos);
		return fail(c, "type mismatch at %s (position %u): expected %s, found %s", n->str,
		            n->pos, vt_name[want], vt_name[got]);
	}
	if (n->kind == HOPE_FUNC)
		return fail(c, "%s (position %u) gives a %s where a %s is needed",
		            drove__model_hope_fn_name(n->fn), n->pos, vt_name[got], vt_name[want]);
	return fail(c, "a %s literal (position %u) cannot be used where a %s is needed",
	            vt_name[got], n->pos, vt_name[want]);
}

/* HOPE's typed conversions: the value must already have the wanted type. */
static int typed(struct ectx *c, int32_t i, enum vt want, struct val *out)
{
	const struct drove__hope_node *n = node(c, i);
	if (get(c, i, out) < 0)
		return -1;
	if (out->t != want)
		return wrong_kind(c, n, want, out->t);
	return 0;
}

/* HOPE's objectValue: a string, number or boolean; objects and missing values fail. */
static int object(struct ectx *c, int32_t i, struct val *out)
{
	const struct drove__hope_node *n = node(c, i);
	if (get(c, i, out) < 0)
		return -1;
	if (out->t == V_STR || out->t == V_NUM || out->t == V_BOOL)
		return 0;
	if (n->kind == HOPE_PTR || n->kind == HOPE_PATH)
		return fail(c, "no value at %s (position %u)", n->str, n->pos);
	return fail(c, "an array (position %u) cannot be compared", n->pos);
}

/* A value node as its context wants it (node->as). */
static int operand(struct ectx *c, int32_t i, struct val *out)
{
	switch (node(c, i)->as) {
	case HOPE_AS_STR:
		return typed(c, i, V_STR, out);
	case HOPE_AS_NUM:
		return typed(c, i, V_NUM, out);
	case HOPE_AS_BOOL:
		return typed(c, i, V_BOOL, out);
	default:
		return object(c, i, out);
	}
}

static int get(struct ectx *c, int32_t i, struct val *out)
{
	const struct drove__hope_node *n = node(c, i);
	memset(out, 0, sizeof(*out));
	out->arr = -1;
	switch (n->kind) {
	case HOPE_STR:
		out->t = V_STR;
		out->s = n->str;
		return 0;
	case HOPE_NUM:
		out->t = V_NUM;
		out->n = n->num;
		return 0;
	case HOPE_BOOL:
		out->t = V_BOOL;
		out->b = n->b;
		return 0;
	case HOPE_PTR:
	case HOPE_PATH:
		*out = resolve(c, n);
		return 0;
	case HOPE_ARRAY:
		out->t = V_ARR;
		out->arr = i;
		return 0;
	case HOPE_FUNC:
		return call(c, n, out);
	default:
		return fail(c, "internal: not a value at position %u", n->pos);
	}
}

/* Java's Objects.equals over String / Double / Boolean. */
static bool java_equals(const struct val *a, const struct val *b)
{
	if (a->t != b->t)
		return false;
	switch (a->t) {
	case V_STR:
		return strcmp(a->s, b->s) == 0;
	case V_NUM:
		if (isnan(a->n) || isnan(b->n))
			return isnan(a->n) && isnan(b->n);
		return a->n == b->n && signbit(a->n) == signbit(b->n);
	case V_BOOL:
		return a->b == b->b;
	default:
		return false;
	}
}

/* ---- functions ---- */

static int arg_num(struct ectx *c, const struct drove__hope_node *f, uint32_t k, double *out)
{
	struct val v;
	if (typed(c, kid(c, f, k), V_NUM, &v) < 0)
		return -1;
	*out = v.n;
	return 0;
}

static int arg_str(struct ectx *c, const struct drove__hope_node *f, uint32_t k, const char **out)
{
	struct val v;
	if (typed(c, kid(c, f, k), V_STR, &v) < 0)
		return -1;
	*out = v.s;
	return 0;
}

/* HOPE's explodeArray: an array literal gives its items; a pointer must reach an array
 * (SchedulingInfo has none, so it fails); anything else counts as empty. */
static int explode(struct ectx *c, int32_t i, const struct drove__hope_node **arr)
{
	const struct drove__hope_node *n = node(c, i);
	struct val v;
	*arr = NULL;
	if (get(c, i, &v) < 0)
		return -1;
	if (v.t == V_ARR) {
		*arr = node(c, v.arr);
		return 0;
	}
	if (n->kind == HOPE_PTR || n->kind == HOPE_PATH)
		return wrong_kind(c, n, V_ARR, v.t);
	return 0;
}

static int flatten(struct ectx *c, int32_t i, struct val **items, size_t *n)
{
	const struct drove__hope_node *a;
	*n = 0;
	*items = NULL;
	if (explode(c, i, &a) < 0)
		return -1;
	if (!a || a->n == 0)
		return 0;
	if (!(*items = calloc(a->n, sizeof(**items))))
		return fail(c, "out of memory");
	for (uint32_t k = 0; k < a->n; k++)
		if (object(c, kid(c, a, k), &(*items)[(*n)++]) < 0)
			return -1;
	return 0;
}

static bool contains(const struct val *items, size_t n, const struct val *v)
{
	for (size_t k = 0; k < n; k++)
		if (java_equals(&items[k], v))
			return true;
	return false;
}

static size_t distinct(struct val *items, size_t n)
{
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (!contains(items, m, &items[k]))
			items[m++] = items[k];
	return m;
}

static int arrays(struct ectx *c, const struct drove__hope_node *f, struct val *out)
{
	struct val *l = NULL, *r = NULL, v;
	size_t nl = 0, nr = 0, common = 0;
	int rc = -1;

	out->t = V_BOOL;
	switch (f->fn) {
	case HF_ARR_IN:
	case HF_ARR_NOT_IN:
		if (object(c, kid(c, f, 0), &v) < 0 || flatten(c, kid(c, f, 1), &r, &nr) < 0)
			goto out;
		out->b = contains(r, nr, &v) == (f->fn == HF_ARR_IN);
		break;
	case HF_ARR_CONTAINS_ALL:
	case HF_ARR_CONTAINS_ANY:
		if (flatten(c, kid(c, f, 0), &l, &nl) < 0 || flatten(c, kid(c, f, 1), &r, &nr) < 0)
			goto out;
		for (size_t k = 1; k < nl; k++)
			if (l[k].t != l[0].t) {
				fail(c, "%s (position %u): the first array mixes %s and %s values",
				     drove__model_hope_fn_name(f->fn), f->pos, vt_name[l[0].t],
				     vt_name[l[k].t]);
				goto out;
			}
		nl = distinct(l, nl);
		nr = distinct(r, nr);
		for (size_t k = 0; k < nr; k++)
			common += contains(l, nl, &r[k]);
		out->b = f->fn == HF_ARR_CONTAINS_ANY ? common > 0 : nl >= nr && common == nr;
		break;
	default: { /* is_empty, len */
		const struct drove__hope_node *a;
		if (explode(c, kid(c, f, 0), &a) < 0)
			goto out;
		nl = a ? a->n : 0;
		if (f->fn == HF_ARR_LEN) {
			out->t = V_NUM;
			out->n = (double)nl;
		} else {
			out->b = nl == 0;
		}
	}
	}
	rc = 0;
out:
	free(l);
	free(r);
	return rc;
}

static int date_fn(struct ectx *c, const struct drove__hope_node *f, struct val *out)
{
	struct timeval tv;
	struct tm tm;
	time_t now;

	gettimeofday(&tv, NULL);
	now = tv.tv_sec;
	out->t = V_NUM;
	if (f->fn == HF_DATE_NOW || f->fn == HF_SYS_EPOCH) {
		out->n = (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000);
		return 0;
	}
	if (!localtime_r(&now, &tm))
		return fail(c, "%s: no local time", drove__model_hope_fn_name(f->fn));
	/* weeks as Java's default (en) locale counts them: from Sunday, week 1 holds day 1 */
	int first_wday_month = ((tm.tm_wday - (tm.tm_mday - 1)) % 7 + 7) % 7;
	int first_wday_year = ((tm.tm_wday - tm.tm_yday) % 7 + 7) % 7;
	switch (f->fn) {
	case HF_DATE_DAY_OF_MONTH:
		out->n = tm.tm_mday;
		break;
	case HF_DATE_DAY_OF_WEEK:
		out->n = tm.tm_wday == 0 ? 7 : tm.tm_wday; /* Monday 1 .. Sunday 7 */
		break;
	case HF_DATE_DAY_OF_YEAR:
		out->n = tm.tm_yday + 1;
		break;
	case HF_DATE_HOUR_OF_DAY:
		out->n = tm.tm_hour;
		break;
	case HF_DATE_MINUTE_OF_HOUR:
		out->n = tm.tm_min;
		break;
	case HF_DATE_MONTH_OF_YEAR:
		out->n = tm.tm_mon + 1;
		break;
	case HF_DATE_SECOND_OF_MINUTE:
		out->n = tm.tm_sec;
		break;
	case HF_DATE_WEEK_OF_MONTH:
		out->n = (tm.tm_mday - 1 + first_wday_month) / 7 + 1;
		break;
	case HF_DATE_WEEK_OF_YEAR:
		out->n = (tm.tm_yday + first_wday_year) / 7 + 1;
		break;
	default:
		out->n = 1900 + tm.tm_year;
		break;
	}
	return 0;
}

static int math_fn(struct ectx *c, const struct drove__hope_node *f, struct val *out)
{
	double x = 0, y = 0;
	out->t = V_NUM;
	if (f->fn == HF_MATH_ADD || f->fn == HF_MATH_PROD) {
		double acc = f->fn == HF_MATH_ADD ? 0 : 1;
		for (uint32_t k = 0; k < f->n; k++) {
			if (arg_num(c, f, k, &x) < 0)
				return -1;
			acc = f->fn == HF_MATH_ADD ? acc + x : acc * x;
		}
		out->n = acc;
		return 0;
	}
	if (arg_num(c, f, 0, &x) < 0 || (f->n > 1 && arg_num(c, f, 1, &y) < 0))
		return -1;
	switch (f->fn) {
	case HF_MATH_ABS:
		out->n = fabs(x);
		break;
	case HF_MATH_CEIL:
		out->n = ceil(x);
		break;
	case HF_MATH_FLOOR:
		out->n = floor(x);
		break;
	case HF_MATH_NEGATE:
		out->n = -x;
		break;
	case HF_MATH_SUB:
		out->n = x - y;
		break;
	default: /* div, mod */
		if (y == 0)
			return fail(c, "%s (position %u): denominator is zero",
			            drove__model_hope_fn_name(f->fn), f->pos);
		out->n = f->fn == HF_MATH_DIV ? x / y : fmod(x, y);
		break;
	}
	return 0;
}

/* Compile the Java regex `re` of str.match (PCRE2 reads Java's syntax; core/regex.c bounds
 * both its compilation and every match), at most 256 bytes as a rule's regex. */
static int rule_regex(struct ectx *c, const struct drove__hope_node *f, const char *re,
                      drove__regex **out)
{
	if (strlen(re) > RULE_REGEX_MAX)
		return fail(c, "str.match (position %u): regex longer than %d bytes", f->pos,
		            RULE_REGEX_MAX);
	if (drove__regex_compile(out, re) < 0)
		return fail(c, "str.match (position %u): bad regex '%.64s': %s", f->pos, re,
		            drove_error_last()->message);
	return 0;
}

/* Java's String.hashCode over the UTF-16 form of `s` (UTF-8 in). */
static int32_t java_string_hash(const char *s)
{
	uint32_t h = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp = *p++;
		int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
		if (more)
			cp &= 0x3Fu >> more;
		for (; more && (*p & 0xC0) == 0x80; more--)
			cp = (cp << 6) | (*p++ & 0x3F);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			h = 31 * h + (0xD800 + (cp >> 10));
			h = 31 * h + (0xDC00 + (cp & 0x3FF));
		} else {
			h = 31 * h + cp;
		}
	}
	return (int32_t)h;
}

static int32_t java_hash(const struct val *v)
{
	if (v->t == V_STR)
		return java_string_hash(v->s);
	if (v->t == V_BOOL)
		return v->b ? 1231 : 1237;
	uint64_t bits;
	double d = isnan(v->n) ? NAN : v->n;
	memcpy(&bits, &d, sizeof(bits));
	if (isnan(v->n))
		bits = 0x7ff8000000000000ull;
	return (int32_t)(uint32_t)(bits ^ (bits >> 32));
}

/* MurmurHash3 x64 128 with seed 0 over `in` (Guava's Hashing.murmur3_128()); the first
 * 64 bits, as Guava's HashCode.asLong() reads them. */
static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

static int64_t murmur3_128_first64(const unsigned char *in, size_t len)
{
	const uint64_t c1 = 0x87c37b91114253d5ull, c2 = 0x4cf5ad432745937full;
	uint64_t h1 = 0, h2 = 0, k1, k2;
	size_t i = 0;

	for (; i + 16 <= len; i += 16) {
		k1 = k2 = 0;
		for (int b = 7; b >= 0; b--) {
			k1 = (k1 << 8) | in[i + (size_t)b];
			k2 = (k2 << 8) | in[i + 8 + (size_t)b];
		}
		h1 ^= rotl64(k1 * c1, 31) * c2;
		h1 = (rotl64(h1, 27) + h2) * 5 + 0x52dce729;
		h2 ^= rotl64(k2 * c2, 33) * c1;
		h2 = (rotl64(h2, 31) + h1) * 5 + 0x38495ab5;
	}
	k1 = k2 = 0;
	for (size_t b = len - i; b > 8; b--)
		k2 = (k2 << 8) | in[i + b - 1];
	for (size_t b = len - i > 8 ? 8 : len - i; b > 0; b--)
		k1 = (k1 << 8) | in[i + b - 1];
	if (len - i > 8)
		h2 ^= rotl64(k2 * c2, 33) * c1;
	if (len - i > 0)
		h1 ^= rotl64(k1 * c1, 31) * c2;
	h1 ^= len;
	h2 ^= len;
	h1 += h2;
	h2 += h1;
	h1 = fmix64(h1);
	h2 = fmix64(h2);
	h1 += h2;
	return (int64_t)h1;
}

/* utils.hash_m128: a string hashes its UTF-8 bytes, a number the 8 little-endian bytes of
 * its IEEE bits, a boolean one byte. */
static double hash_m128(const struct val *v)
{
	unsigned char buf[8];
	if (v->t == V_STR)
		return (double)murmur3_128_first64((const unsigned char *)v->s, strlen(v->s));
	if (v->t == V_BOOL) {
		buf[0] = v->b ? 1 : 0;
		return (double)murmur3_128_first64(buf, 1);
	}
	uint64_t bits;
	memcpy(&bits, &v->n, sizeof(bits));
	for (int b = 0; b < 8; b++)
		buf[b] = (unsigned char)(bits >> (8 * b));
	return (double)murmur3_128_first64(buf, 8);
}

static int str_fn(struct ectx *c, const struct drove__hope_node *f, struct val *out)
{
	const char *s, *re;
	double start, end;
	char *copy;

	switch (f->fn) {
	case HF_STR_LEN:
		if (arg_str(c, f, 0, &s) < 0)
			return -1;
		out->t = V_NUM;
		out->n = (double)strlen(s);
		return 0;
	case HF_STR_LOWER:
	case HF_STR_UPPER:
		if (arg_str(c, f, 0, &s) < 0 || !(copy = drove__strdup(s)))
			return c->err[0] ? -1 : fail(c, "out of memory");
		for (char *p = copy; *p; p++)
			if (f->fn == HF_STR_LOWER && *p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
			else if (f->fn == HF_STR_UPPER && *p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		out->t = V_STR;
		return (out->s = keep(c, copy)) ? 0 : -1;
	case HF_STR_MATCH: {
		drove__regex *own = NULL;
		const drove__regex *rx = c->rx ? c->rx[f - c->h->nodes] : NULL;
		int m;
		if (arg_str(c, f, 0, &re) < 0 || arg_str(c, f, 1, &s) < 0)
			return -1;
		if (!*re)
			return fail(c, "str.match (position %u): regex is empty", f->pos);
		if (!rx && rule_regex(c, f, re, &own) < 0)
			return -1;
		m = drove__regex_match(rx ? rx : own, s, true);
		drove__regex_free(own);
		if (m < 0)
			return fail(c, "str.match (position %u): %s", f->pos,
			            drove_error_last()->message);
		out->t = V_BOOL;
		out->b = m == 1;
		return 0;
	}
	default: { /* substr(s, start[, end]); an end of 0 means len - start, as in HOPE */
		size_t len;
		long b, e;
		if (arg_str(c, f, 0, &s) < 0 || arg_num(c, f, 1, &start) < 0 ||
		    (f->n > 2 && arg_num(c, f, 2, &end) < 0))
			return -1;
		len = strlen(s);
		b = isnan(start) ? 0 : start < -1e9 ? -1 : start > 1e9 ? (long)1e9 : (long)start;
		if (f->n > 2) {
			e = isnan(end) ? 0 : end < -1e9 ? -1 : end > 1e9 ? (long)1e9 : (long)end;
			if (e == 0)
				e = (long)len - b;
		} else {
			e = (long)len;
		}
		if (b < 0 || e > (long)len || b > e)
			return fail(c,
			            "str.substr (position %u): range %ld..%ld is outside a "
			            "string of length %zu",
			            f->pos, b, e, len);
		out->t = V_STR;
		return (out->s = keep(c, drove__strndup(s + b, (size_t)(e - b)))) ? 0 : -1;
	}
	}
}

static int call(struct ectx *c, const struct drove__hope_node *f, struct val *out)
{
	struct val v;
	switch (f->fn) {
	case HF_ARR_CONTAINS_ALL:
	case HF_ARR_CONTAINS_ANY:
	case HF_ARR_IN:
	case HF_ARR_NOT_IN:
	case HF_ARR_IS_EMPTY:
	case HF_ARR_LEN:
		return arrays(c, f, out);
	case HF_MATH_ABS:
	case HF_MATH_ADD:
	case HF_MATH_CEIL:
	case HF_MATH_DIV:
	case HF_MATH_FLOOR:
	case HF_MATH_MOD:
	case HF_MATH_PROD:
	case HF_MATH_NEGATE:
	case HF_MATH_SUB:
		return math_fn(c, f, out);
	case HF_STR_LEN:
	case HF_STR_LOWER:
	case HF_STR_MATCH:
	case HF_STR_SUBSTR:
	case HF_STR_UPPER:
		return str_fn(c, f, out);
	case HF_PATH_EXISTS:
	case HF_POINTER_EXISTS: {
		/* the argument must be written as a path (resp. pointer); anything else is false */
		const struct drove__hope_node *a = node(c, kid(c, f, 0));
		out->t = V_BOOL;
		out->b = a->kind == (f->fn == HF_PATH_EXISTS ? HOPE_PATH : HOPE_PTR) &&
		         resolve(c, a).t != V_NONE;
		return 0;
	}
	case HF_UTILS_HASH_J:
	case HF_UTILS_HASH_M128:
		if (object(c, kid(c, f, 0), &v) < 0)
			return -1;
		out->t = V_NUM;
		out->n = f->fn == HF_UTILS_HASH_J ? java_hash(&v) : hash_m128(&v);
		return 0;
	default:
		return date_fn(c, f, out);
	}
}

/* ---- boolean expressions ---- */

static int eval_node(struct ectx *c, int32_t i, bool *out)
{
	const struct drove__hope_node *n = node(c, i);
	struct val x, y;
	bool t;

	switch (n->kind) {
	case HOPE_ALL:
	case HOPE_ANY:
		for (uint32_t k = 0; k < n->n; k++) {
			if (eval_node(c, kid(c, n, k), &t) < 0)
				return -1;
			if (t == (n->kind == HOPE_ANY)) {
				*out = t;
				return 0;
			}
		}
		*out = n->kind == HOPE_ALL;
		return 0;
	case HOPE_EQ:
	case HOPE_NE:
		if (operand(c, n->lhs, &x) < 0 || operand(c, n->rhs, &y) < 0)
			return -1;
		*out = java_equals(&x, &y) == (n->kind == HOPE_EQ);
		return 0;
	case HOPE_GT:
	case HOPE_GE:
	case HOPE_LT:
	case HOPE_LE:
		if (operand(c, n->lhs, &x) < 0 || operand(c, n->rhs, &y) < 0)
			return -1;
		*out = n->kind == HOPE_GT   ? x.n > y.n
		       : n->kind == HOPE_GE ? x.n >= y.n
		       : n->kind == HOPE_LT ? x.n < y.n
		                            : x.n <= y.n;
		return 0;
	case HOPE_BAND:
	case HOPE_BOR: /* both sides are evaluated, as in HOPE */
		if (operand(c, n->lhs, &x) < 0 || operand(c, n->rhs, &y) < 0)
			return -1;
		*out = n->kind == HOPE_BAND ? x.b && y.b : x.b || y.b;
		return 0;
	case HOPE_BNOT:
		if (operand(c, n->lhs, &x) < 0)
			return -1;
		*out = !x.b;
		return 0;
	case HOPE_XNOT:
		if (eval_node(c, n->lhs, &t) < 0)
			return -1;
		*out = !t;
		return 0;
	case HOPE_EXISTS:
		*out = resolve(c, node(c, n->lhs)).t != V_NONE;
		return 0;
	case HOPE_CONST:
		*out = n->b;
		return 0;
	default:
		return fail(c, "internal: not an expression at position %u", n->pos);
	}
}

static int run(const struct drove__sched_rule *r, const drove__sched_ruledoc *doc, bool *result,
               struct ectx *c)
{
	int rc;
	memset(c, 0, sizeof(*c));
	c->h = r->h;
	c->rx = r->rx;
	c->d = doc;
	*result = false;
	rc = eval_node(c, r->h->root, result);
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	if (rc < 0)
		*result = false;
	return rc;
}

bool drove__sched_rule_eval(const struct drove__sched_rule *r, const drove__sched_ruledoc *doc)
{
	struct ectx c;
	bool result;
	if (!r || !doc)
		return false;
	return run(r, doc, &result, &c) == 0 && result;
}

int drove__sched_rule_eval_ex(const struct drove__sched_rule *r, const drove__sched_ruledoc *doc,
                              bool *result)
{
	struct ectx c;
	DROVE_CHECK_ARG(r && doc && result);
	if (run(r, doc, result, &c) < 0)
		return drove__error(DROVE_EINVAL, "rule: %s", c.err);
	return 0;
}
