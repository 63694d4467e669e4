/* Metrics registry and the Prometheus text exposition format 0.0.4 (include/drove/metrics.h). */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/metrics.h>

#include "core/internal.h"

typedef struct series {
	char **values; /* nlabels strings */
	uint64_t hash;
	double value;     /* counter, gauge; the sum of a histogram */
	uint64_t *counts; /* histogram: nbounds + 1 (the last is +Inf), not cumulative */
	uint64_t count;
} series;

struct drove_metric {
	drove_metrics *reg;
	int type;
	char *name, *help;
	size_t nlabels;
	char *labels[DROVE_METRICS_LABELS_MAX];
	double *bounds;
	size_t nbounds;
	series *s;
	size_t ns, cap;
	size_t *idx; /* open addressing on the hash: series index + 1, 0 when empty */
	size_t idxcap;
};

typedef struct collector {
	drove_metrics_collect_fn fn;
	void *ud;
} collector;

struct drove_metrics {
	pthread_mutex_t mu;
	drove_metric **fam;
	size_t nfam, capfam;
	collector *col;
	size_t ncol, capcol;
};

int drove_metrics_new(drove_metrics **out)
{
	drove_metrics *m;
	DROVE_CHECK_ARG(out);
	if (!(m = calloc(1, sizeof(*m))))
		return drove__enomem();
	pthread_mutex_init(&m->mu, NULL);
	*out = m;
	return 0;
}

static void series_free(series *s, size_t nlabels)
{
	for (size_t i = 0; i < nlabels; i++)
		free(s->values[i]);
	free(s->values);
	free(s->counts);
}

static void family_free(drove_metric *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ns; i++)
		series_free(&f->s[i], f->nlabels);
	for (size_t i = 0; i < f->nlabels; i++)
		free(f->labels[i]);
	free(f->s);
	free(f->idx);
	free(f->bounds);
	free(f->name);
	free(f->help);
	free(f);
}

void drove_metrics_free(drove_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfam; i++)
		family_free(m->fam[i]);
	free(m->fam);
	free(m->col);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* ---- registration ---- */

static int name_ok(const char *s, size_t n, int colon)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		            (colon && c == ':');
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return 0;
	}
	return 1;
}

/* Split "a,b" into f->labels. */
static int parse_labels(drove_metric *f, const char *labels)
{
	const char *p = labels;
	if (!labels || !*labels)
		return 0;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!name_ok(p, n, 0) || (n >= 2 && p[0] == '_' && p[1] == '_'))
			return drove__error(DROVE_EINVAL, "metric %s: bad label name in \"%s\"",
			                    f->name, labels);
		if (f->type == DROVE_METRIC_HISTOGRAM && n == 2 && !memcmp(p, "le", 2))
			return drove__error(DROVE_EINVAL, "metric %s: label \"le\" is reserved",
			                    f->name);
		if (f->nlabels == DROVE_METRICS_LABELS_MAX)
			return drove__error(DROVE_EINVAL, "metric %s: more than %d labels", f->name,
			                    DROVE_METRICS_LABELS_MAX);
		for (size_t i = 0; i < f->nlabels; i++)
			if (strlen(f->labels[i]) == n && !memcmp(f->labels[i], p, n))
				return drove__error(DROVE_EINVAL, "metric %s: label %.*s twice",
				                    f->name, (int)n, p);
		if (!(f->labels[f->nlabels] = drove__strndup(p, n)))
			return DROVE_ENOMEM;
		f->nlabels++;
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int same_shape(const drove_metric *a, const drove_metric *b)
{
	if (a->type != b->type || a->nlabels != b->nlabels || a->nbounds != b->nbounds)
		return 0;
	for (size_t i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i], b->labels[i]))
			return 0;
	for (size_t i = 0; i < a->nbounds; i++)
		if (a->bounds[i] != b->bounds[i])
			return 0;
	return 1;
}

static int reg(drove_metrics *m, drove_metric **out, int type, const char *name, const char *help,
               const char *labels, const double *bounds, size_t nbounds)
{
	drove_metric *f = NULL;
	int rc;
	DROVE_CHECK_ARG(m && out && name);
	if (!name_ok(name, strlen(name), 1))
		return drove__error(DROVE_EINVAL, "metric name \"%s\" is not valid", name);
	if (!(f = calloc(1, sizeof(*f))))
		return drove__enomem();
	f->reg = m;
	f->type = type;
	if (!(f->name = drove__strdup(name)) || !(f->help = drove__strdup(help ? help : ""))) {
		rc = DROVE_ENOMEM;
		goto fail;
	}
	if ((rc = parse_labels(f, labels)) < 0)
		goto fail;
	if (type == DROVE_METRIC_HISTOGRAM) {
		if (!bounds || nbounds < 1 || nbounds > DROVE_METRICS_BUCKETS_MAX) {
			rc = drove__error(DROVE_EINVAL, "metric %s: %zu buckets (1 to %d)", name,
			                  nbounds, DROVE_METRICS_BUCKETS_MAX);
			goto fail;
		}
		for (size_t i = 0; i < nbounds; i++)
			if (!isfinite(bounds[i]) || (i && bounds[i] <= bounds[i - 1])) {
				rc = drove__error(
				        DROVE_EINVAL,
				        "metric %s: bucket bounds must be finite and increasing",
				        name);
				goto fail;
			}
		if (!(f->bounds = malloc(nbounds * sizeof(double)))) {
			rc = drove__enomem();
			goto fail;
		}
		memcpy(f->bounds, bounds, nbounds * sizeof(double));
		f->nbounds = nbounds;
	}
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->nfam; i++) {
		if (strcmp(m->fam[i]->name, name))
			continue;
		drove_metric *old = m->fam[i];
		pthread_mutex_unlock(&m->mu);
		if (!same_shape(old, f)) {
			family_free(f);
			return drove__error(DROVE_EEXISTS,
			                    "metric %s exists with another type or labels", name);
		}
		family_free(f);
		*out = old;
		return 0;
	}
	if (drove__grow(&m->fam, &m->capfam, m->nfam + 1, sizeof(*m->fam)) < 0) {
		pthread_mutex_unlock(&m->mu);
		rc = DROVE_ENOMEM;
		goto fail;
	}
	m->fam[m->nfam++] = f;
	pthread_mutex_unlock(&m->mu);
	*out = f;
	return 0;
fail:
	family_free(f);
	return rc;
}

int drove_metrics_counter(drove_metrics *m, drove_metric **out, const char *name, const char *help,
                          const char *labels)
{
	return reg(m, out, DROVE_METRIC_COUNTER, name, help, labels, NULL, 0);
}

int drove_metrics_gauge(drove_metrics *m, drove_metric **out, const char *name, const char *help,
                        const char *labels)
{
	return reg(m, out, DROVE_METRIC_GAUGE, name, help, labels, NULL, 0);
}

int drove_metrics_histogram(drove_metrics *m, drove_metric **out, const char *name,
                            const char *help, const char *labels, const double *bounds,
                            size_t nbounds)
{
	return reg(m, out, DROVE_METRIC_HISTOGRAM, name, help, labels, bounds, nbounds);
}

/* ---- series ---- */

static uint64_t hash_values(const drove_metric *f, const char *const *values)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < f->nlabels; i++) {
		for (const char *p = values[i] ? values[i] : ""; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	return h;
}

static int same_values(const drove_metric *f, const series *s, const char *const *values)
{
	for (size_t k = 0; k < f->nlabels; k++)
		if (strcmp(s->values[k], values[k] ? values[k] : ""))
			return 0;
	return 1;
}

/* Index of the series, or -1. Lock held. */
static long find_series(const drove_metric *f, const char *const *values, uint64_t h)
{
	if (!f->idxcap)
		return -1;
	for (size_t i = (size_t)h & (f->idxcap - 1);; i = (i + 1) & (f->idxcap - 1)) {
		size_t v = f->idx[i];
		if (!v)
			return -1;
		if (f->s[v - 1].hash == h && same_values(f, &f->s[v - 1], values))
			return (long)(v - 1);
	}
}

/* Rebuild the index with room for `need` series (its size stays a power of two, at most half
 * full). Lock held. */
static int reindex(drove_metric *f, size_t need)
{
	size_t cap = f->idxcap ? f->idxcap : 16, *idx;
	while (cap < 2 * need)
		cap *= 2;
	if (cap != f->idxcap) {
		if (!(idx = calloc(cap, sizeof(size_t))))
			return drove__enomem();
		free(f->idx);
		f->idx = idx;
		f->idxcap = cap;
	} else {
		memset(f->idx, 0, cap * sizeof(size_t));
	}
	for (size_t k = 0; k < f->ns; k++) {
		size_t i = (size_t)f->s[k].hash & (cap - 1);
		while (f->idx[i])
			i = (i + 1) & (cap - 1);
		f->idx[i] = k + 1;
	}
	return 0;
}

/* The series, created when missing. Lock held. */
static int get_series(drove_metric *f, const char *const *values, series **out)
{
	uint64_t h = hash_values(f, values);
	long i = find_series(f, values, h);
	series s = {0};
	if (i >= 0) {
		*out = &f->s[i];
		return 0;
	}
	if (f->ns >= DROVE_METRICS_SERIES_MAX)
		return drove__error(DROVE_ENORESOURCE, "metric %s: %d series already", f->name,
		                    DROVE_METRICS_SERIES_MAX);
	if (drove__grow(&f->s, &f->cap, f->ns + 1, sizeof(*f->s)) < 0)
		return DROVE_ENOMEM;
	if (2 * (f->ns + 1) > f->idxcap && reindex(f, f->ns + 1) < 0)
		return DROVE_ENOMEM;
	s.hash = h;
	if (f->nlabels && !(s.values = calloc(f->nlabels, sizeof(char *))))
		return drove__enomem();
	for (size_t k = 0; k < f->nlabels; k++)
		if (!(s.values[k] = drove__strdup(values[k] ? values[k] : ""))) {
			series_free(&s, f->nlabels);
			return DROVE_ENOMEM;
		}
	if (f->type == DROVE_METRIC_HISTOGRAM &&
	    !(s.counts = calloc(f->nbounds + 1, sizeof(uint64_t)))) {
		series_free(&s, f->nlabels);
		return drove__enomem();
	}
	f->s[f->ns] = s;
	{
		size_t j = (size_t)h & (f->idxcap - 1);
		while (f->idx[j])
			j = (j + 1) & (f->idxcap - 1);
		f->idx[j] = f->ns + 1;
	}
	*out = &f->s[f->ns++];
	return 0;
}

enum { OP_ADD, OP_SET, OP_OBSERVE };

static int update(drove_metric *f, const char *const *values, double v, int op)
{
	series *s = NULL;
	int rc;
	DROVE_CHECK_ARG(f);
	if (isnan(v))
		return drove__error(DROVE_EINVAL, "metric %s: NaN", f->name);
	if (f->nlabels && !values)
		return drove__error(DROVE_EINVAL, "metric %s: %zu label values needed", f->name,
		                    f->nlabels);
	if ((op == OP_OBSERVE) != (f->type == DROVE_METRIC_HISTOGRAM))
		return drove__error(DROVE_EINVAL, "metric %s: wrong update for its type", f->name);
	if (op == OP_ADD && f->type == DROVE_METRIC_COUNTER && v < 0)
		return drove__error(DROVE_EINVAL, "metric %s: a counter cannot go down", f->name);
	pthread_mutex_lock(&f->reg->mu);
	if ((rc = get_series(f, values, &s)) == 0) {
		if (op == OP_ADD)
			s->value += v;
		else if (op == OP_SET)
			s->value = v;
		else {
			size_t b = 0;
			while (b < f->nbounds && v > f->bounds[b])
				b++;
			s->counts[b]++;
			s->count++;
			s->value += v;
		}
	}
	pthread_mutex_unlock(&f->reg->mu);
	return rc;
}

int drove_metric_add(drove_metric *f, const char *const *values, double delta)
{
	return update(f, values, delta, OP_ADD);
}

int drove_metric_set(drove_metric *f, const char *const *values, double value)
{
	return update(f, values, value, OP_SET);
}

int drove_metric_observe(drove_metric *f, const char *const *values, double value)
{
	return update(f, values, value, OP_OBSERVE);
}

int drove_metric_remove(drove_metric *f, const char *const *values)
{
	long i;
	DROVE_CHECK_ARG(f && (values || !f->nlabels));
	pthread_mutex_lock(&f->reg->mu);
	i = find_series(f, values, hash_values(f, values));
	if (i >= 0) {
		series_free(&f->s[i], f->nlabels);
		memmove(&f->s[i], &f->s[i + 1], (f->ns - (size_t)i - 1) * sizeof(*f->s));
		f->ns--;
		reindex(f, f->ns); /* same size: cannot fail */
	}
	pthread_mutex_unlock(&f->reg->mu);
	return i >= 0 ? 0 : drove__error(DROVE_ENOTFOUND, "metric %s: no such series", f->name);
}

void drove_metric_clear(drove_metric *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->reg->mu);
	for (size_t i = 0; i < f->ns; i++)
		series_free(&f->s[i], f->nlabels);
	f->ns = 0;
	if (f->idx)
		memset(f->idx, 0, f->idxcap * sizeof(size_t));
	pthread_mutex_unlock(&f->reg->mu);
}

int drove_metric_get(const drove_metric *f, const char *const *values, double *out, double *sum_out)
{
	long i;
	DROVE_CHECK_ARG(f && out && (values || !f->nlabels));
	pthread_mutex_lock(&f->reg->mu);
	i = find_series(f, values, hash_values(f, values));
	if (i >= 0) {
		const series *s = &f->s[i];
		*out = f->type == DROVE_METRIC_HISTOGRAM ? (double)s->count : s->value;
		if (sum_out)
			*sum_out = s->value;
	}
	pthread_mutex_unlock(&f->reg->mu);
	return i >= 0 ? 0 : drove__error(DROVE_ENOTFOUND, "metric %s: no such series", f->name);
}

/* ---- collectors ---- */

int drove_metrics_on_collect(drove_metrics *m, drove_metrics_collect_fn fn, void *userdata)
{
	int rc = 0;
	DROVE_CHECK_ARG(m && fn);
	pthread_mutex_lock(&m->mu);
	if (drove__grow(&m->col, &m->capcol, m->ncol + 1, sizeof(*m->col)) < 0)
		rc = DROVE_ENOMEM;
	else
		m->col[m->ncol++] = (collector){fn, userdata};
	pthread_mutex_unlock(&m->mu);
	return rc;
}

void drove_metrics_off_collect(drove_metrics *m, drove_metrics_collect_fn fn, void *userdata)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->ncol; i++)
		if (m->col[i].fn == fn && m->col[i].ud == userdata) {
			memmove(&m->col[i], &m->col[i + 1], (m->ncol - i - 1) * sizeof(*m->col));
			m->ncol--;
			break;
		}
	pthread_mutex_unlock(&m->mu);
}

/* ---- rendering ---- */

/* A float as Prometheus (Go's ParseFloat) reads it: the shortest of %.15g/%.17g that round-trips.
 */
static int put_num(drove__buf *b, double v)
{
	char tmp[40];
	if (isnan(v))
		return drove__buf_puts(b, "NaN");
	if (isinf(v))
		return drove__buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (strtod(tmp, NULL) != v)
		snprintf(tmp, sizeof(tmp), "%.17g", v);
	return drove__buf_puts(b, tmp);
}

/* Escape for HELP (`quote` 0: backslash, newline) or label values (1: also the double quote). */
static int put_escaped(drove__buf *b, const char *s, int quote)
{
	int rc = 0;
	for (; *s && rc == 0; s++) {
		if (*s == '\\')
			rc = drove__buf_puts(b, "\\\\");
		else if (*s == '\n')
			rc = drove__buf_puts(b, "\\n");
		else if (quote && *s == '"')
			rc = drove__buf_puts(b, "\\\"");
		else
			rc = drove__buf_putc(b, *s);
	}
	return rc;
}

/* name{labels[,le="x"]} */
static int put_head(drove__buf *b, const drove_metric *f, const series *s, const char *suffix,
                    const double *le)
{
	int rc = drove__buf_puts(b, f->name);
	if (rc == 0 && suffix)
		rc = drove__buf_puts(b, suffix);
	if (rc == 0 && (f->nlabels || le)) {
		rc = drove__buf_putc(b, '{');
		for (size_t k = 0; rc == 0 && k < f->nlabels; k++) {
			if (k)
				rc = drove__buf_putc(b, ',');
			if (rc == 0)
				rc = drove__buf_printf(b, "%s=\"", f->labels[k]);
			if (rc == 0)
				rc = put_escaped(b, s->values[k], 1);
			if (rc == 0)
				rc = drove__buf_putc(b, '"');
		}
		if (rc == 0 && le) {
			rc = drove__buf_puts(b, f->nlabels ? ",le=\"" : "le=\"");
			if (rc == 0)
				rc = put_num(b, *le);
			if (rc == 0)
				rc = drove__buf_putc(b, '"');
		}
		if (rc == 0)
			rc = drove__buf_putc(b, '}');
	}
	return rc;
}

static int put_line(drove__buf *b, const drove_metric *f, const series *s, const char *suffix,
                    const double *le, double v)
{
	int rc = put_head(b, f, s, suffix, le);
	if (rc == 0)
		rc = drove__buf_putc(b, ' ');
	if (rc == 0)
		rc = put_num(b, v);
	if (rc == 0)
		rc = drove__buf_putc(b, '\n');
	return rc;
}

static int render_family(drove__buf *b, const drove_metric *f)
{
	static const char *const types[] = {"", "counter", "gauge", "histogram"};
	int rc = drove__buf_printf(b, "# HELP %s ", f->name);
	if (rc == 0)
		rc = put_escaped(b, f->help, 0);
	if (rc == 0)
		rc = drove__buf_printf(b, "\n# TYPE %s %s\n", f->name, types[f->type]);
	for (size_t i = 0; rc == 0 && i < f->ns; i++) {
		const series *s = &f->s[i];
		if (f->type != DROVE_METRIC_HISTOGRAM) {
			rc = put_line(b, f, s, NULL, NULL, s->value);
			continue;
		}
		uint64_t cum = 0;
		double inf = INFINITY;
		for (size_t k = 0; rc == 0 && k < f->nbounds; k++) {
			cum += s->counts[k];
			rc = put_line(b, f, s, "_bucket", &f->bounds[k], (double)cum);
		}
		if (rc == 0)
			rc = put_line(b, f, s, "_bucket", &inf, (double)s->count);
		if (rc == 0)
			rc = put_line(b, f, s, "_sum", NULL, s->value);
		if (rc == 0)
			rc = put_line(b, f, s, "_count", NULL, (double)s->count);
	}
	return rc;
}

int drove_metrics_render(drove_metrics *m, char **out, size_t *len)
{
	collector *cols = NULL;
	size_t ncol;
	drove__buf b = {0};
	int rc = 0;
	DROVE_CHECK_ARG(m && out);
	pthread_mutex_lock(&m->mu);
	ncol = m->ncol;
	if (ncol && (cols = malloc(ncol * sizeof(*cols))))
		memcpy(cols, m->col, ncol * sizeof(*cols));
	pthread_mutex_unlock(&m->mu);
	if (ncol && !cols)
		return drove__enomem();
	for (size_t i = 0; i < ncol; i++)
		cols[i].fn(m, cols[i].ud);
	free(cols);
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; rc == 0 && i < m->nfam; i++)
		rc = render_family(&b, m->fam[i]);
	if (rc == 0)
		rc = drove__buf_reserve(&b, 1);
	pthread_mutex_unlock(&m->mu);
	if (rc < 0) {
		drove__buf_free(&b);
		return drove__enomem();
	}
	if (len)
		*len = b.len;
	*out = drove__buf_steal(&b);
	return *out ? 0 : drove__enomem();
}
