/* Duration and data-size strings (DROVE_API.md §0.2, §0.3), as Dropwizard parses them. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <drove/units.h>
#include "core/internal.h"

struct suffix {
	const char *text;
	int unit;
};

static const struct suffix duration_suffixes[] = {
        {"ns", DROVE_NANOSECONDS},
        {"nanosecond", DROVE_NANOSECONDS},
        {"nanoseconds", DROVE_NANOSECONDS},
        {"us", DROVE_MICROSECONDS},
        {"microsecond", DROVE_MICROSECONDS},
        {"microseconds", DROVE_MICROSECONDS},
        {"ms", DROVE_MILLISECONDS},
        {"millisecond", DROVE_MILLISECONDS},
        {"milliseconds", DROVE_MILLISECONDS},
        {"s", DROVE_SECONDS},
        {"second", DROVE_SECONDS},
        {"seconds", DROVE_SECONDS},
        {"m", DROVE_MINUTES},
        {"min", DROVE_MINUTES},
        {"mins", DROVE_MINUTES},
        {"minute", DROVE_MINUTES},
        {"minutes", DROVE_MINUTES},
        {"h", DROVE_HOURS},
        {"hour", DROVE_HOURS},
        {"hours", DROVE_HOURS},
        {"d", DROVE_DAYS},
        {"day", DROVE_DAYS},
        {"days", DROVE_DAYS},
};

static const char *const duration_names[] = {
        "nanoseconds", "microseconds", "milliseconds", "seconds", "minutes", "hours", "days"};
static const int64_t duration_ns[] = {1LL,           1000LL,          1000000LL,       1000000000LL,
                                      60000000000LL, 3600000000000LL, 86400000000000LL};

static const struct suffix size_suffixes[] = {
        {"B", DROVE_BYTES},
        {"byte", DROVE_BYTES},
        {"bytes", DROVE_BYTES},
        {"K", DROVE_KILOBYTES},
        {"KB", DROVE_KILOBYTES},
        {"KiB", DROVE_KIBIBYTES},
        {"kilobyte", DROVE_KILOBYTES},
        {"kibibyte", DROVE_KIBIBYTES},
        {"kilobytes", DROVE_KILOBYTES},
        {"kibibytes", DROVE_KIBIBYTES},
        {"M", DROVE_MEGABYTES},
        {"MB", DROVE_MEGABYTES},
        {"MiB", DROVE_MEBIBYTES},
        {"megabyte", DROVE_MEGABYTES},
        {"mebibyte", DROVE_MEBIBYTES},
        {"megabytes", DROVE_MEGABYTES},
        {"mebibytes", DROVE_MEBIBYTES},
        {"G", DROVE_GIGABYTES},
        {"GB", DROVE_GIGABYTES},
        {"GiB", DROVE_GIBIBYTES},
        {"gigabyte", DROVE_GIGABYTES},
        {"gibibyte", DROVE_GIBIBYTES},
        {"gigabytes", DROVE_GIGABYTES},
        {"gibibytes", DROVE_GIBIBYTES},
        {"T", DROVE_TERABYTES},
        {"TB", DROVE_TERABYTES},
        {"TiB", DROVE_TEBIBYTES},
        {"terabyte", DROVE_TERABYTES},
        {"tebibyte", DROVE_TEBIBYTES},
        {"terabytes", DROVE_TERABYTES},
        {"tebibytes", DROVE_TEBIBYTES},
        {"P", DROVE_PETABYTES},
        {"PB", DROVE_PETABYTES},
        {"PiB", DROVE_PEBIBYTES},
        {"petabyte", DROVE_PETABYTES},
        {"pebibyte", DROVE_PEBIBYTES},
        {"petabytes", DROVE_PETABYTES},
        {"pebibytes", DROVE_PEBIBYTES},
};

static const char *const size_names[] = {"bytes",     "kilobytes", "kibibytes", "megabytes",
                                         "mebibytes", "gigabytes", "gibibytes", "terabytes",
                                         "tebibytes", "petabytes", "pebibytes"};
static const int64_t size_bytes[] = {1LL,
                                     1000LL,
                                     1024LL,
                                     1000000LL,
                                     1048576LL,
                                     1000000000LL,
                                     1073741824LL,
                                     1000000000000LL,
                                     1099511627776LL,
                                     1000000000000000LL,
                                     1125899906842624LL};

/* Split "<digits><spaces><suffix>" (surrounding blanks allowed) into count and suffix. */
static int split_amount(const char *what, const char *s, int64_t *count, const char **suffix,
                        size_t *suffix_len)
{
	const char *p = s, *end;
	char *num_end;
	long long v;

	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return drove__error(DROVE_EINVAL, "%s: '%s' does not start with a number", what, s);
	errno = 0;
	v = strtoll(p, &num_end, 10);
	if (errno == ERANGE || v < 0)
		return drove__error(DROVE_EINVAL, "%s: '%s' is out of range", what, s);
	p = num_end;
	while (isspace((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	for (const char *q = p; q < end; q++) {
		if (isspace((unsigned char)*q))
			return drove__error(DROVE_EINVAL, "%s: '%s' has text after the unit", what,
			                    s);
	}
	*count = v;
	*suffix = p;
	*suffix_len = (size_t)(end - p);
	return 0;
}

static int find_suffix(const struct suffix *table, size_t n, const char *suf, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(table[i].text) == len && memcmp(table[i].text, suf, len) == 0)
			return table[i].unit;
	}
	return -1;
}

int drove_duration_parse(const char *s, drove_duration *out)
{
	const char *suf;
	size_t len;
	int64_t count;
	int rc, unit;

	DROVE_CHECK_ARG(s && out);
	if ((rc = split_amount("duration", s, &count, &suf, &len)) < 0)
		return rc;
	if (len == 0)
		return drove__error(DROVE_EINVAL, "duration: '%s' has no unit (use ms, s, m, h, d)",
		                    s);
	unit = find_suffix(duration_suffixes, DROVE_ARRAY_LEN(duration_suffixes), suf, len);
	if (unit < 0)
		return drove__error(DROVE_EINVAL, "duration: unknown unit '%.*s' in '%s'", (int)len,
		                    suf, s);
	out->count = count;
	out->unit = unit;
	return 0;
}

static char *format_amount(int64_t count, const char *plural)
{
	size_t n = strlen(plural);
	/* Drove drops the trailing 's' when the count is exactly one. */
	return drove__asprintf("%lld %.*s", (long long)count, (int)(count == 1 ? n - 1 : n),
	                       plural);
}

char *drove_duration_format(const drove_duration *d)
{
	if (!d || d->unit < 0 || d->unit > DROVE_DAYS || d->count < 0) {
		drove__error(DROVE_EINVAL, "duration: invalid value");
		return NULL;
	}
	return format_amount(d->count, duration_names[d->unit]);
}

int64_t drove_duration_ms(const drove_duration *d)
{
	int64_t per;
	if (!d || d->unit < 0 || d->unit > DROVE_DAYS || d->count <= 0)
		return 0;
	per = duration_ns[d->unit];
	if (per >= 1000000) {
		per /= 1000000;
		return d->count > INT64_MAX / per ? INT64_MAX : d->count * per;
	}
	return d->count / (1000000 / per);
}

int drove_duration_from_ms(int64_t ms, drove_duration *out)
{
	static const struct {
		int unit;
		int64_t ms;
	} units[] = {{DROVE_DAYS, 86400000LL},
	             {DROVE_HOURS, 3600000LL},
	             {DROVE_MINUTES, 60000LL},
	             {DROVE_SECONDS, 1000LL}};
	drove_duration d = {ms < 0 ? 0 : ms, DROVE_MILLISECONDS};

	DROVE_CHECK_ARG(out);
	if (d.count == 0) {
		d.unit = DROVE_SECONDS;
		*out = d;
		return 0;
	}
	for (size_t i = 0; i < DROVE_ARRAY_LEN(units); i++) {
		if (d.count % units[i].ms == 0) {
			d.count /= units[i].ms;
			d.unit = units[i].unit;
			break;
		}
	}
	*out = d;
	return 0;
}

int drove_size_parse(const char *s, drove_size *out)
{
	const char *suf;
	size_t len;
	int64_t count;
	int rc, unit;

	DROVE_CHECK_ARG(s && out);
	if ((rc = split_amount("size", s, &count, &suf, &len)) < 0)
		return rc;
	if (len == 0) {
		unit = DROVE_BYTES;
	} else {
		unit = find_suffix(size_suffixes, DROVE_ARRAY_LEN(size_suffixes), suf, len);
		if (unit < 0)
			return drove__error(DROVE_EINVAL, "size: unknown unit '%.*s' in '%s'",
			                    (int)len, suf, s);
	}
	out->count = count;
	out->unit = unit;
	return 0;
}

char *drove_size_format(const drove_size *sz)
{
	if (!sz || sz->unit < 0 || sz->unit > DROVE_PEBIBYTES || sz->count < 0) {
		drove__error(DROVE_EINVAL, "size: invalid value");
		return NULL;
	}
	return format_amount(sz->count, size_names[sz->unit]);
}

int drove_size_bytes(const drove_size *sz, int64_t *out)
{
	DROVE_CHECK_ARG(sz && out && sz->unit >= 0 && sz->unit <= DROVE_PEBIBYTES &&
	                sz->count >= 0);
	if (sz->count > INT64_MAX / size_bytes[sz->unit])
		return drove__error(DROVE_EINVAL, "size: %lld %s is too large",
		                    (long long)sz->count, size_names[sz->unit]);
	*out = sz->count * size_bytes[sz->unit];
	return 0;
}
