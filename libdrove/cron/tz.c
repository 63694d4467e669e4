/*
 * Time zones for cron: TZif files (RFC 8536, versions 1-4) and POSIX TZ rule strings, read
 * into a small immutable table so that offsets can be computed on any thread without touching
 * the process's TZ (localtime_r under a changed TZ is neither thread-safe nor per call).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "cron/cron_internal.h"

/* One end of a daylight-saving period in a POSIX rule. */
struct rule_date {
	char kind; /* 'J': Jn (1..365, no Feb 29), 'N': n (0..365), 'M': Mm.w.d */
	int n, m, w, d;
	int32_t time; /* seconds after local midnight; may be negative or beyond a day */
};

struct posix_rule {
	int32_t std_off, dst_off; /* seconds east of UTC */
	int has_dst;
	struct rule_date start, end;
};

struct drove__tz {
	char *name;
	unsigned refs;          /* drove__tz_load()'s shared zones: the crons holding it */
	struct drove__tz *next; /* drove__tz_load()'s cache, or NULL: this zone is not shared */
	int cached;
	size_t ntrans;
	int64_t *trans; /* ascending UTC instants */
	uint8_t *idx;   /* type in effect from trans[i] */
	size_t ntypes;
	int32_t *type_off; /* offsets of the local time types */
	int32_t first_off; /* before the first transition */
	int has_rule;      /* the footer (or the whole zone) is a POSIX rule */
	struct posix_rule rule;
};

/* ---- civil calendar (H. Hinnant's algorithms) ---- */

int64_t drove__days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void drove__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned drove__days_in_month(int64_t y, unsigned m)
{
	static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

unsigned drove__weekday(int64_t days)
{
	return (unsigned)(((days % 7) + 11) % 7);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---- POSIX TZ strings ---- */

static const char *parse_name(const char *p)
{
	const char *s = p;
	if (*p == '<') {
		for (p++; *p && *p != '>'; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9') || *p == '+' || *p == '-'))
				return NULL;
		if (*p != '>' || p - s < 4)
			return NULL;
		return p + 1;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

static const char *parse_num(const char *p, int lo, int hi, int *out)
{
	int v = 0, n = 0;
	while (*p >= '0' && *p <= '9' && n < 4) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return p;
}

/* [+-]hh[:mm[:ss]] with hh up to `maxh`, in seconds. */
static const char *parse_time(const char *p, int maxh, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!(p = parse_num(p, 0, maxh, &h)))
		return NULL;
	if (*p == ':' && !(p = parse_num(p + 1, 0, 59, &m)))
		return NULL;
	if (*p == ':' && !(p = parse_num(p + 1, 0, 59, &s)))
		return NULL;
	*out = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *parse_date(const char *p, struct rule_date *r)
{
	memset(r, 0, sizeof(*r));
	r->time = 7200;
	if (*p == 'J') {
		r->kind = 'J';
		p = parse_num(p + 1, 1, 365, &r->n);
	} else if (*p == 'M') {
		r->kind = 'M';
		if ((p = parse_num(p + 1, 1, 12, &r->m)) && *p == '.' &&
		    (p = parse_num(p + 1, 1, 5, &r->w)) && *p == '.')
			p = parse_num(p + 1, 0, 6, &r->d);
		else
			p = NULL;
	} else {
		r->kind = 'N';
		p = parse_num(p, 0, 365, &r->n);
	}
	if (p && *p == '/')
		p = parse_time(p + 1, 167, &r->time);
	return p;
}

static int parse_posix(const char *spec, struct posix_rule *r)
{
	const char *p = spec;
	int32_t off;

	memset(r, 0, sizeof(*r));
	if (!(p = parse_name(p)) || !(p = parse_time(p, 24, &off)))
		return -1;
	r->std_off = -off;
	if (!*p)
		return 0;
	if (!(p = parse_name(p)))
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = parse_time(p, 24, &off)))
			return -1;
		r->dst_off = -off;
	}
	if (!*p) { /* no rule: the US one, as glibc does */
		r->start = (struct rule_date){'M', 0, 3, 2, 0, 7200};
		r->end = (struct rule_date){'M', 0, 11, 1, 0, 7200};
		return 0;
	}
	if (*p != ',' || !(p = parse_date(p + 1, &r->start)) || *p != ',' ||
	    !(p = parse_date(p + 1, &r->end)) || *p)
		return -1;
	return 0;
}

/* Local (wall) seconds since the epoch at which `r` happens in year `y`. */
static int64_t rule_local(const struct rule_date *r, int64_t y)
{
	int64_t day;
	if (r->kind == 'J') {
		day = drove__days_from_civil(y, 1, 1) + r->n - 1;
		if (is_leap(y) && r->n >= 60)
			day++;
	} else if (r->kind == 'N') {
		day = drove__days_from_civil(y, 1, 1) + r->n;
	} else {
		int64_t first = drove__days_from_civil(y, (unsigned)r->m, 1);
		int wd = (int)drove__weekday(first);
		int64_t d = first + ((r->d - wd + 7) % 7) + 7 * (r->w - 1);
		unsigned dim = drove__days_in_month(y, (unsigned)r->m);
		while (d >= first + dim)
			d -= 7;
		day = d;
	}
	return day * 86400 + r->time;
}

static int32_t rule_offset(const struct posix_rule *r, int64_t t)
{
	if (!r->has_dst)
		return r->std_off;
	int64_t y;
	unsigned m, d;
	drove__civil_from_days(floor_div(t + r->std_off, 86400), &y, &m, &d);
	int64_t start = rule_local(&r->start, y) - r->std_off;
	int64_t end = rule_local(&r->end, y) - r->dst_off;
	if (start < end)
		return t >= start && t < end ? r->dst_off : r->std_off;
	return t >= end && t < start ? r->std_off : r->dst_off;
}

/* ---- zones ---- */

/* The zones drove__tz_load() gave out, one per name while any cron holds it: 10,000 crons
 * in one zone share one table (and read its file once). */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static drove__tz *cache;

void drove__tz_free(drove__tz *tz)
{
	if (!tz)
		return;
	if (tz->cached) {
		pthread_mutex_lock(&cache_mu);
		if (--tz->refs > 0) {
			pthread_mutex_unlock(&cache_mu);
			return;
		}
		drove__tz **pp = &cache;
		while (*pp != tz)
			pp = &(*pp)->next;
		*pp = tz->next;
		pthread_mutex_unlock(&cache_mu);
	}
	free(tz->name);
	free(tz->trans);
	free(tz->idx);
	free(tz->type_off);
	free(tz);
}

const char *drove__tz_name(const drove__tz *tz)
{
	return tz->name;
}

static drove__tz *tz_alloc(const char *name)
{
	drove__tz *tz = calloc(1, sizeof(*tz));
	if (!tz) {
		drove__enomem();
		return NULL;
	}
	if (!(tz->name = drove__strdup(name))) {
		free(tz);
		return NULL;
	}
	return tz;
}

int drove__tz_from_posix(drove__tz **out, const char *spec)
{
	struct posix_rule r;
	drove__tz *tz;

	if (!spec || strlen(spec) > DROVE_TZ_NAME_MAX || parse_posix(spec, &r) < 0)
		return drove__error(DROVE_EINVAL, "time zone %s: not a POSIX TZ string",
		                    spec ? spec : "(null)");
	if (!(tz = tz_alloc(spec)))
		return DROVE_ENOMEM;
	tz->has_rule = 1;
	tz->rule = r;
	tz->first_off = r.std_off;
	*out = tz;
	return 0;
}

static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

#define TZ_BAD(name, what) drove__error(DROVE_EINVAL, "time zone %s: %s", (name), (what))

int drove__tz_from_tzif(drove__tz **out, const char *name, const unsigned char *data, size_t len)
{
	size_t pos = 0, cnt[6], tsz = 4;
	drove__tz *tz = NULL;

	for (int pass = 0; pass < 2; pass++) {
		if (len - pos < 44 || memcmp(data + pos, "TZif", 4) != 0)
			return TZ_BAD(name, "not a TZif file");
		char ver = (char)data[pos + 4];
		for (int i = 0; i < 6; i++)
			cnt[i] = (size_t)(uint32_t)be(data + pos + 20 + 4 * i, 4);
		/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
		if (cnt[3] > 100000 || cnt[4] == 0 || cnt[4] > 256 || cnt[5] > 100000 ||
		    cnt[2] > 100000 || cnt[0] > 256 || cnt[1] > 256)
			return TZ_BAD(name, "bad TZif header");
		size_t body = cnt[3] * tsz + cnt[3] + cnt[4] * 6 + cnt[5] + cnt[2] * (tsz + 4) +
		              cnt[1] + cnt[0];
		pos += 44;
		if (len - pos < body)
			return TZ_BAD(name, "truncated TZif file");
		if (pass == 0 && ver >= '2') {
			pos += body;
			tsz = 8;
			continue;
		}
		break;
	}
	if (!(tz = tz_alloc(name)))
		return DROVE_ENOMEM;
	tz->ntrans = cnt[3];
	tz->ntypes = cnt[4];
	tz->trans = malloc((cnt[3] ? cnt[3] : 1) * sizeof(int64_t));
	tz->idx = malloc(cnt[3] ? cnt[3] : 1);
	tz->type_off = malloc(cnt[4] * sizeof(int32_t));
	if (!tz->trans || !tz->idx || !tz->type_off) {
		drove__tz_free(tz);
		return drove__enomem();
	}
	const unsigned char *p = data + pos;
	for (size_t i = 0; i < cnt[3]; i++, p += tsz) {
		tz->trans[i] = be(p, (int)tsz);
		if (i && tz->trans[i] <= tz->trans[i - 1]) {
			drove__tz_free(tz);
			return TZ_BAD(name, "transitions out of order");
		}
	}
	for (size_t i = 0; i < cnt[3]; i++, p++) {
		if (*p >= cnt[4]) {
			drove__tz_free(tz);
			return TZ_BAD(name, "bad local time type index");
		}
		tz->idx[i] = *p;
	}
	int first_std = -1;
	for (size_t i = 0; i < cnt[4]; i++, p += 6) {
		int64_t off = be(p, 4);
		if (off < -89999 || off > 93599) {
			drove__tz_free(tz);
			return TZ_BAD(name, "offset out of range");
		}
		tz->type_off[i] = (int32_t)off;
		if (first_std < 0 && p[4] == 0)
			first_std = (int)i;
	}
	tz->first_off = tz->type_off[first_std >= 0 ? first_std : 0];
	p += cnt[5] + cnt[2] * (tsz + 4) + cnt[1] + cnt[0];
	/* Version 2+: a footer "\n<POSIX TZ>\n" for instants after the last transition. */
	if (tsz == 8 && p < data + len && *p == '\n') {
		const unsigned char *e = memchr(p + 1, '\n', (size_t)(data + len - p - 1));
		if (e && e - p - 1 > 0 && e - p - 1 <= DROVE_TZ_NAME_MAX) {
			char spec[DROVE_TZ_NAME_MAX + 1];
			memcpy(spec, p + 1, (size_t)(e - p - 1));
			spec[e - p - 1] = '\0';
			if (parse_posix(spec, &tz->rule) == 0)
				tz->has_rule = 1;
		}
	}
	*out = tz;
	return 0;
}

int32_t drove__tz_offset(const drove__tz *tz, int64_t t)
{
	if (tz->ntrans == 0)
		return tz->has_rule ? rule_offset(&tz->rule, t) : tz->first_off;
	if (t < tz->trans[0])
		return tz->first_off;
	if (t >= tz->trans[tz->ntrans - 1] && tz->has_rule)
		return rule_offset(&tz->rule, t);
	size_t lo = 0, hi = tz->ntrans; /* last transition <= t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->type_off[tz->idx[lo]];
}

static int name_ok(const char *n)
{
	if (!*n || *n == '/' || strstr(n, ".."))
		return 0;
	for (; *n; n++)
		if (!((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') ||
		      (*n >= '0' && *n <= '9') || strchr("/_+-", *n)))
			return 0;
	return 1;
}

static int read_zone_file(const char *path, unsigned char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	unsigned char *b;

	if (fd < 0)
		return -1;
	if (!(b = malloc(DROVE_TZ_FILE_MAX))) {
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, b + n, DROVE_TZ_FILE_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == DROVE_TZ_FILE_MAX)
			break;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
}

/* The cached zone `name` with one more holder, or NULL. Under cache_mu. */
static drove__tz *cache_take(const char *name)
{
	for (drove__tz *tz = cache; tz; tz = tz->next)
		if (!strcmp(tz->name, name)) {
			tz->refs++;
			return tz;
		}
	return NULL;
}

/* The zone `name` read afresh (not shared). */
static int tz_read(drove__tz **out, const char *name)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!strcmp(name, "UTC") || !strcmp(name, "Z") || !strcmp(name, "GMT") ||
	    !strcmp(name, "Etc/UTC")) {
		drove__tz *tz = tz_alloc(name);
		if (!tz)
			return DROVE_ENOMEM;
		*out = tz;
		return 0;
	}
	if (name_ok(name)) {
		const char *dir = getenv("TZDIR");
		char *path =
		        drove__asprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
		if (!path)
			return DROVE_ENOMEM;
		rc = read_zone_file(path, &buf, &len);
		free(path);
		if (rc == 0) {
			rc = drove__tz_from_tzif(out, name, buf, len);
			free(buf);
			return rc;
		}
	}
	if (drove__tz_from_posix(out, name) == 0)
		return 0;
	return drove__error(DROVE_EINVAL, "time zone %s: unknown zone", name);
}

int drove__tz_load(drove__tz **out, const char *name)
{
	drove__tz *tz, *had;
	int rc;

	if (!name || !*name || strlen(name) > DROVE_TZ_NAME_MAX)
		return drove__error(DROVE_EINVAL, "time zone: empty or longer than %d bytes",
		                    DROVE_TZ_NAME_MAX);
	pthread_mutex_lock(&cache_mu);
	tz = cache_take(name);
	pthread_mutex_unlock(&cache_mu);
	if (tz) {
		*out = tz;
		return 0;
	}
	if ((rc = tz_read(&tz, name)) < 0) /* outside the lock: it may read a file */
		return rc;
	pthread_mutex_lock(&cache_mu);
	if (!(had = cache_take(name))) { /* none came meanwhile: this one is shared */
		tz->cached = 1;
		tz->refs = 1;
		tz->next = cache;
		cache = tz;
	}
	pthread_mutex_unlock(&cache_mu);
	if (had)
		drove__tz_free(tz);
	*out = had ? had : tz;
	return 0;
}
