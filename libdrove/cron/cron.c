/*
 * Quartz cron expressions: parsing into bit sets and the next fire time in a zone's wall
 * clock (include/drove/cron.h states the syntax and the daylight-saving rules).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <drove/cron.h>
#include "core/internal.h"
#include "cron/cron_internal.h"

enum { F_SEC, F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, F_YEAR, F_COUNT };

#define YEAR_MIN 1970
#define YEAR_MAX 2199

static const struct {
	const char *name;
	int lo, hi, max_step;
} FIELDS[F_COUNT] = {
        {"seconds", 0, 59, 59},
        {"minutes", 0, 59, 59},
        {"hours", 0, 23, 23},
        {"dayOfMonth", 1, 31, 31},
        {"month", 1, 12, 12},
        {"dayOfWeek", 1, 7, 7},
        {"year", YEAR_MIN, YEAR_MAX, YEAR_MAX - YEAR_MIN},
};

static const char *const MONTHS[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const DAYS[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

enum dom_kind { DOM_SET, DOM_LAST, DOM_NEAREST };
enum dow_kind { DOW_SET, DOW_LAST, DOW_NTH };

struct drove_cron {
	unsigned refs; /* drove_cron_parse() and drove__cron_ref() not yet freed (atomic) */
	char *expr;
	drove__tz *tz;
	uint64_t set[F_COUNT][4]; /* bit (value - lo) */
	int dom_any, dow_any;     /* the field is '?' */
	enum dom_kind dom_kind;
	int dom_off;     /* DOM_LAST: days before the last */
	int dom_weekday; /* DOM_LAST: then the nearest weekday (LW, L-nW) */
	int dom_day;     /* DOM_NEAREST: nW */
	enum dow_kind dow_kind;
	int dow_day, dow_nth;
	int every_hour;
};

/* ---- bit sets ---- */

static void set_bit(drove_cron *c, int f, int v)
{
	int i = v - FIELDS[f].lo;
	c->set[f][i / 64] |= (uint64_t)1 << (i % 64);
}

static int has(const drove_cron *c, int f, int64_t v)
{
	if (v < FIELDS[f].lo || v > FIELDS[f].hi)
		return 0;
	int i = (int)(v - FIELDS[f].lo);
	return (int)((c->set[f][i / 64] >> (i % 64)) & 1);
}

/* Smallest member >= v, or -1. */
static int next_in(const drove_cron *c, int f, int v)
{
	for (; v <= FIELDS[f].hi; v++)
		if (has(c, f, v))
			return v;
	return -1;
}

static int empty(const drove_cron *c, int f)
{
	return !(c->set[f][0] | c->set[f][1] | c->set[f][2] | c->set[f][3]);
}

/* ---- parsing ---- */

/* A number or (month, day-of-week) a name; advances *p. */
static int parse_value(const char **p, int f, int *out)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		long v = 0;
		int n = 0;
		while (isdigit((unsigned char)*s)) {
			if (++n > 6)
				return drove__error(DROVE_EINVAL, "%s: number too long",
				                    FIELDS[f].name);
			v = v * 10 + (*s++ - '0');
		}
		if (v < FIELDS[f].lo || v > FIELDS[f].hi)
			return drove__error(DROVE_EINVAL, "%s: %ld is outside %d-%d",
			                    FIELDS[f].name, v, FIELDS[f].lo, FIELDS[f].hi);
		*out = (int)v;
		*p = s;
		return 0;
	}
	if ((f == F_MON || f == F_DOW) && isalpha((unsigned char)s[0]) &&
	    isalpha((unsigned char)s[1]) && isalpha((unsigned char)s[2])) {
		const char *const *names = f == F_MON ? MONTHS : DAYS;
		int count = f == F_MON ? 12 : 7;
		for (int i = 0; i < count; i++)
			if (strncasecmp(s, names[i], 3) == 0) {
				*out = i + 1;
				*p = s + 3;
				return 0;
			}
		return drove__error(DROVE_EINVAL, "%s: unknown name '%.3s'", FIELDS[f].name, s);
	}
	if (*s == '\0')
		return drove__error(DROVE_EINVAL, "%s: value missing", FIELDS[f].name);
	return drove__error(DROVE_EINVAL, "%s: unexpected '%c'", FIELDS[f].name, *s);
}

static int parse_step(const char **p, int f, int *out)
{
	const char *s = *p;
	long v = 0;
	int n = 0;
	while (isdigit((unsigned char)*s) && n < 7) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0)
		return drove__error(DROVE_EINVAL, "%s: '/' must be followed by a number",
		                    FIELDS[f].name);
	if (v < 1 || v > FIELDS[f].max_step)
		return drove__error(DROVE_EINVAL, "%s: increment %ld is outside 1-%d",
		                    FIELDS[f].name, v, FIELDS[f].max_step);
	*out = (int)v;
	*p = s;
	return 0;
}

/* One list item: `*`, `v`, `a-b`, each with an optional `/n`; or `/n`. */
static int parse_item(drove_cron *c, int f, const char *s, const char *end)
{
	int lo = FIELDS[f].lo, hi = FIELDS[f].hi, a = lo, b = hi, step = 1, rc;
	int size = hi - lo + 1, ranged = 0;

	if (s == end)
		return drove__error(DROVE_EINVAL, "%s: empty list item", FIELDS[f].name);
	if (*s == '*') {
		s++;
		ranged = 1;
	} else if (*s != '/') {
		if ((rc = parse_value(&s, f, &a)) < 0)
			return rc;
		b = a;
		if (*s == '-') {
			s++;
			if ((rc = parse_value(&s, f, &b)) < 0)
				return rc;
			ranged = 1;
		}
	}
	if (*s == '/') {
		s++;
		if ((rc = parse_step(&s, f, &step)) < 0)
			return rc;
		if (!ranged)
			b = hi; /* "a/n": from a to the end */
		ranged = 1;
	}
	if (s != end)
		return drove__error(DROVE_EINVAL, "%s: unexpected '%c'", FIELDS[f].name, *s);
	if (b < a && f == F_YEAR)
		return drove__error(DROVE_EINVAL, "%s: range %d-%d goes backwards", FIELDS[f].name,
		                    a, b);
	int span = b >= a ? b - a : b + size - a; /* wrapping ranges (22-2) */
	for (int k = 0; k <= span; k += step)
		set_bit(c, f, lo + (a - lo + k) % size);
	return 0;
}

static int parse_list(drove_cron *c, int f, const char *s)
{
	if (strchr(s, '?') != NULL) {
		if (strcmp(s, "?") != 0)
			return drove__error(DROVE_EINVAL, "%s: '?' must stand alone",
			                    FIELDS[f].name);
		if (f != F_DOM && f != F_DOW)
			return drove__error(DROVE_EINVAL,
			                    "%s: '?' is only allowed in dayOfMonth or dayOfWeek",
			                    FIELDS[f].name);
		if (f == F_DOM)
			c->dom_any = 1;
		else
			c->dow_any = 1;
		return 0;
	}
	for (;;) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		int rc = parse_item(c, f, s, end);
		if (rc < 0)
			return rc;
		if (!comma)
			break;
		s = comma + 1;
	}
	return 0;
}

static int parse_int_tail(const char *s, int lo, int hi, int *out)
{
	long v = 0;
	int n = 0;
	while (isdigit((unsigned char)*s) && n < 7) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return (int)n;
}

/* L, L-n, LW, L-nW, nW. Returns 1 when `s` was one of them, 0 when it is a plain list. */
static int parse_dom_special(drove_cron *c, const char *s)
{
	const char *name = FIELDS[F_DOM].name;
	size_t len = strlen(s);
	int n;

	if (!strpbrk(s, "LWlw"))
		return 0;
	if (strchr(s, ',') || strchr(s, '/'))
		return drove__error(DROVE_EINVAL,
		                    "%s: 'L' and 'W' cannot be combined with "
		                    "other values",
		                    name);
	if (toupper((unsigned char)s[0]) == 'L') {
		c->dom_kind = DOM_LAST;
		s++;
		if (*s == '-') {
			int k = parse_int_tail(s + 1, 1, 30, &n);
			if (k < 0)
				return drove__error(DROVE_EINVAL,
				                    "%s: offset after 'L-' must be 1-30", name);
			c->dom_off = n;
			s += 1 + k;
		}
		if (toupper((unsigned char)*s) == 'W') {
			c->dom_weekday = 1;
			s++;
		}
		if (*s)
			return drove__error(DROVE_EINVAL, "%s: unexpected '%c'", name, *s);
		return 1;
	}
	if (len >= 2 && toupper((unsigned char)s[len - 1]) == 'W') {
		int k = parse_int_tail(s, 1, 31, &n);
		if (k < 0 || (size_t)k != len - 1)
			return drove__error(DROVE_EINVAL, "%s: 'W' must follow a day 1-31", name);
		c->dom_kind = DOM_NEAREST;
		c->dom_day = n;
		return 1;
	}
	return drove__error(DROVE_EINVAL, "%s: 'L' or 'W' misplaced in '%s'", name, s);
}

/* L, dL, d#n. Returns 1 when `s` was one of them, 0 when it is a plain list. */
static int parse_dow_special(drove_cron *c, const char *s)
{
	const char *name = FIELDS[F_DOW].name;
	int d, rc;

	if (!strpbrk(s, "#Ll")) /* no day name contains an L */
		return 0;
	if (strchr(s, ',') || strchr(s, '/') || strchr(s, '-'))
		return drove__error(DROVE_EINVAL,
		                    "%s: 'L' and '#' cannot be combined with "
		                    "other values",
		                    name);
	if (!strcasecmp(s, "L")) {
		set_bit(c, F_DOW, 7); /* "L" alone is the last day of the week: Saturday */
		return 1;
	}
	if ((rc = parse_value(&s, F_DOW, &d)) < 0)
		return rc;
	if (toupper((unsigned char)*s) == 'L' && s[1] == '\0') {
		c->dow_kind = DOW_LAST;
		c->dow_day = d;
		return 1;
	}
	if (*s == '#') {
		int n, k = parse_int_tail(s + 1, 1, 5, &n);
		if (k < 0 || s[1 + k] != '\0')
			return drove__error(DROVE_EINVAL, "%s: '#' must be followed by 1-5", name);
		c->dow_kind = DOW_NTH;
		c->dow_day = d;
		c->dow_nth = n;
		return 1;
	}
	return drove__error(DROVE_EINVAL, "%s: unexpected '%c'", name, *s ? *s : ' ');
}

static int parse_field(drove_cron *c, int f, const char *s)
{
	int rc;
	if (f == F_DOM && strcmp(s, "?") != 0 && (rc = parse_dom_special(c, s)) != 0)
		return rc < 0 ? rc : 0;
	if (f == F_DOW && strcmp(s, "?") != 0 && (rc = parse_dow_special(c, s)) != 0)
		return rc < 0 ? rc : 0;
	return parse_list(c, f, s);
}

drove_cron *drove__cron_ref(const drove_cron *cron)
{
	drove_cron *c = (drove_cron *)cron; /* immutable but for its count of holders */
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void drove_cron_free(drove_cron *cron)
{
	if (!cron || __atomic_sub_fetch(&cron->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(cron->expr);
	drove__tz_free(cron->tz);
	free(cron);
}

int drove_cron_parse(drove_cron **out, const char *expr, const char *tz)
{
	char buf[DROVE_CRON_EXPR_MAX + 1], *fields[8], *save = NULL, *tok;
	drove_cron *c = NULL;
	int n = 0, rc;

	DROVE_CHECK_ARG(out && expr);
	size_t len = strlen(expr);
	if (len > DROVE_CRON_EXPR_MAX)
		return drove__error(DROVE_EINVAL, "expression: longer than %d bytes",
		                    DROVE_CRON_EXPR_MAX);
	memcpy(buf, expr, len + 1);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (n == 7)
			return drove__error(DROVE_EINVAL,
			                    "expression: more than 7 fields (seconds minutes hours "
			                    "dayOfMonth month dayOfWeek [year])");
		fields[n++] = tok;
	}
	if (n < 6)
		return drove__error(DROVE_EINVAL,
		                    "expression: %d fields, expected 6 or 7 (seconds minutes hours "
		                    "dayOfMonth month dayOfWeek [year])",
		                    n);
	if (!(c = calloc(1, sizeof(*c))))
		return drove__enomem();
	c->refs = 1;
	for (int f = 0; f < n; f++)
		if ((rc = parse_field(c, f, fields[f])) < 0)
			goto fail;
	if (n == 6)
		parse_list(c, F_YEAR, "*");
	if (c->dom_any == c->dow_any) {
		rc = drove__error(DROVE_EINVAL,
		                  c->dom_any ? "dayOfWeek: '?' in both dayOfMonth and dayOfWeek"
		                             : "dayOfWeek: one of dayOfMonth and dayOfWeek must "
		                               "be '?'");
		goto fail;
	}
	for (int f = 0; f < F_COUNT; f++)
		if (empty(c, f) && !(f == F_DOM && (c->dom_any || c->dom_kind != DOM_SET)) &&
		    !(f == F_DOW && (c->dow_any || c->dow_kind != DOW_SET))) {
			rc = drove__error(DROVE_EINVAL, "%s: no value", FIELDS[f].name);
			goto fail;
		}
	c->every_hour = (c->set[F_HOUR][0] & 0xffffff) == 0xffffff;
	if ((rc = drove__tz_load(&c->tz, tz ? tz : "UTC")) < 0)
		goto fail;
	if (!(c->expr = drove__strdup(expr))) {
		rc = DROVE_ENOMEM;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	drove_cron_free(c);
	return rc;
}

const char *drove_cron_expr(const drove_cron *cron)
{
	return cron ? cron->expr : NULL;
}

const char *drove_cron_tz(const drove_cron *cron)
{
	return cron ? drove__tz_name(cron->tz) : NULL;
}

/* ---- matching ---- */

static unsigned wday(int64_t y, unsigned m, unsigned d) /* 1 = Sunday */
{
	return drove__weekday(drove__days_from_civil(y, m, d)) + 1;
}

static int nearest_weekday(int64_t y, unsigned m, int t, int dim)
{
	unsigned w = wday(y, m, (unsigned)t);
	if (w == 7) /* Saturday */
		return t == 1 ? 3 : t - 1;
	if (w == 1) /* Sunday */
		return t == dim ? t - 2 : t + 1;
	return t;
}

static int day_ok(const drove_cron *c, int64_t y, unsigned m, unsigned d)
{
	int dim = (int)drove__days_in_month(y, m);
	if (!c->dom_any) {
		switch (c->dom_kind) {
		case DOM_SET:
			return has(c, F_DOM, d);
		case DOM_LAST: {
			int t = dim - c->dom_off;
			if (t < 1)
				return 0;
			if (c->dom_weekday)
				t = nearest_weekday(y, m, t, dim);
			return (int)d == t;
		}
		case DOM_NEAREST:
			return c->dom_day <= dim &&
			       (int)d == nearest_weekday(y, m, c->dom_day, dim);
		}
		return 0;
	}
	unsigned w = wday(y, m, d);
	switch (c->dow_kind) {
	case DOW_SET:
		return has(c, F_DOW, w);
	case DOW_LAST:
		return (int)w == c->dow_day && (int)d + 7 > dim;
	case DOW_NTH:
		return (int)w == c->dow_day && (int)(d - 1) / 7 + 1 == c->dow_nth;
	}
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

struct wall {
	int64_t y;
	unsigned mo, d;
	int h, mi, s;
};

static void next_day(struct wall *w)
{
	w->h = w->mi = w->s = 0;
	if (++w->d > drove__days_in_month(w->y, w->mo)) {
		w->d = 1;
		if (++w->mo > 12) {
			w->mo = 1;
			w->y++;
		}
	}
}

/* The first matching wall-clock time (local seconds since the epoch) at or after `from`. */
static int next_wall(const drove_cron *c, int64_t from, int64_t *out)
{
	int64_t days = floor_div(from, 86400), sod = from - days * 86400;
	struct wall w;
	int v;

	drove__civil_from_days(days, &w.y, &w.mo, &w.d);
	w.h = (int)(sod / 3600);
	w.mi = (int)(sod / 60 % 60);
	w.s = (int)(sod % 60);
	for (;;) {
		if (w.y > YEAR_MAX)
			return DROVE_ENOTFOUND;
		if (w.y < YEAR_MIN)
			w = (struct wall){YEAR_MIN, 1, 1, 0, 0, 0};
		if (!has(c, F_YEAR, w.y)) {
			if ((v = next_in(c, F_YEAR, (int)w.y)) < 0)
				return DROVE_ENOTFOUND;
			w = (struct wall){v, 1, 1, 0, 0, 0};
			continue;
		}
		if (!has(c, F_MON, w.mo)) {
			if ((v = next_in(c, F_MON, (int)w.mo)) < 0)
				w = (struct wall){w.y + 1, 1, 1, 0, 0, 0};
			else
				w = (struct wall){w.y, (unsigned)v, 1, 0, 0, 0};
			continue;
		}
		if (!day_ok(c, w.y, w.mo, w.d)) {
			next_day(&w);
			continue;
		}
		if (!has(c, F_HOUR, w.h)) {
			if ((v = next_in(c, F_HOUR, w.h)) < 0) {
				next_day(&w);
			} else {
				w.h = v;
				w.mi = w.s = 0;
			}
			continue;
		}
		if (!has(c, F_MIN, w.mi)) {
			if ((v = next_in(c, F_MIN, w.mi)) < 0) {
				w.mi = w.s = 0;
				if (++w.h > 23)
					next_day(&w);
			} else {
				w.mi = v;
				w.s = 0;
			}
			continue;
		}
		if (!has(c, F_SEC, w.s)) {
			if ((v = next_in(c, F_SEC, w.s)) < 0) {
				w.s = 0;
				if (++w.mi > 59) {
					w.mi = 0;
					if (++w.h > 23)
						next_day(&w);
				}
			} else {
				w.s = v;
			}
			continue;
		}
		*out = drove__days_from_civil(w.y, w.mo, w.d) * 86400 + w.h * 3600 + w.mi * 60 +
		       w.s;
		return 0;
	}
}

/* The first instant in (lo, hi] whose offset differs from lo's (one change in between). */
static int64_t change_in(const drove__tz *tz, int64_t lo, int64_t hi)
{
	int32_t o = drove__tz_offset(tz, lo);
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		if (drove__tz_offset(tz, mid) == o)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* The UTC instants whose wall time is `W` (0, 1 or 2, ascending); for 0 (a gap), *gap_end is
 * the first instant after the gap and *gap_off the offset from then on. */
static int instants(const drove__tz *tz, int64_t W, int64_t u[2], int64_t *gap_end,
                    int32_t *gap_off)
{
	int32_t oa = drove__tz_offset(tz, W - 93600), ob = drove__tz_offset(tz, W + 93600);
	int n = 0;

	if (drove__tz_offset(tz, W - oa) == oa)
		u[n++] = W - oa;
	if (ob != oa && drove__tz_offset(tz, W - ob) == ob)
		u[n++] = W - ob;
	if (n == 2 && u[0] > u[1]) {
		int64_t t = u[0];
		u[0] = u[1];
		u[1] = t;
	}
	if (n == 0) { /* spring forward: W - ob is before the change, W - oa after it */
		*gap_end = change_in(tz, W - ob, W - oa);
		*gap_off = ob;
	}
	return n;
}

/* The smallest wall time of any instant >= t: t's own, or lower when a fall-back within a day
 * repeats wall times (then the second pass starts at the change). */
static int64_t first_wall(const drove__tz *tz, int64_t t)
{
	int32_t o1 = drove__tz_offset(tz, t), o2 = drove__tz_offset(tz, t + 93600);
	int64_t w = t + o1;

	if (o2 < o1) {
		int64_t change = change_in(tz, t, t + 93600);
		if (change + o2 < w)
			w = change + o2;
	}
	return w;
}

int drove_cron_next(const drove_cron *c, int64_t after_ms, int64_t *out)
{
	DROVE_CHECK_ARG(c && out);
	if (after_ms > (int64_t)1e15 || after_ms < -(int64_t)1e15)
		return drove__error(DROVE_ENOTFOUND, "no fire time after %lld ms",
		                    (long long)after_ms);
	int64_t t = floor_div(after_ms, 1000) + 1;
	int64_t wc = first_wall(c->tz, t), W, u[2], gap_end = 0;
	int32_t gap_off = 0;

	int64_t best = INT64_MAX;

	/* Walls are scanned in order; near a change of offset a later wall may be an earlier
	 * instant (the first pass of a fall-back after the second pass of an earlier wall), so
	 * there the scan goes on while a wall could still map before the best instant. */
	for (;;) {
		if (next_wall(c, wc, &W) < 0)
			break;
		int32_t oa = drove__tz_offset(c->tz, W - 93600),
		        ob = drove__tz_offset(c->tz, W + 93600);
		if (best != INT64_MAX && W - (oa > ob ? oa : ob) >= best)
			break;
		int n = instants(c->tz, W, u, &gap_end, &gap_off);
		if (n == 0) {
			if (!c->every_hour && gap_end >= t && gap_end < best)
				best = gap_end;
			wc = gap_end + gap_off > W ? gap_end + gap_off : W + 1;
			continue;
		}
		if (n == 2 && !c->every_hour)
			n = 1;
		for (int i = 0; i < n; i++)
			if (u[i] >= t) {
				if (u[i] < best)
					best = u[i];
				break;
			}
		if (best != INT64_MAX && oa == ob)
			break; /* no change of offset nearby: walls and instants move together */
		wc = W + 1;
	}
	if (best == INT64_MAX)
		return drove__error(DROVE_ENOTFOUND, "%s: no fire time after %lld ms", c->expr,
		                    (long long)after_ms);
	*out = best * 1000;
	return 0;
}
