/* Path router: literal segments and whole-segment {name} parameters, percent-decoding. The
 * most specific matching pattern wins (a literal segment beats a parameter at the first place
 * they differ), so "/applications/operations" is preferred over "/applications/{appId}". */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "http/server.h"

struct pattern_seg {
	char *text; /* literal text, or the parameter name */
	int param;
};

struct entry {
	unsigned methods;
	char *pattern;
	struct pattern_seg *segs;
	size_t nsegs;
	char **names; /* parameter names in order, borrowed from segs */
	size_t nparams;
	void *route;
};

struct drove__http_router {
	struct entry *entries;
	size_t n, cap;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int drove__http_pct_decode(const char *s, size_t n, char **out)
{
	char *d, *p;

	if (!(d = malloc(n + 1)))
		return drove__enomem();
	p = d;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= n) {
				free(d);
				return drove__error(DROVE_EINVAL, "path: truncated escape at %zu",
				                    i);
			}
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(d);
				return drove__error(DROVE_EINVAL, "path: bad escape at %zu", i);
			}
			*p++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '\0') {
			free(d);
			return drove__error(DROVE_EINVAL, "path: nul byte at %zu", i);
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	*out = d;
	return 0;
}

int drove__http_router_new(drove__http_router **out)
{
	DROVE_CHECK_ARG(out);
	if (!(*out = calloc(1, sizeof(**out))))
		return drove__enomem();
	return 0;
}

static void entry_free(struct entry *e)
{
	for (size_t i = 0; i < e->nsegs; i++)
		free(e->segs[i].text);
	free(e->segs);
	free(e->names);
	free(e->pattern);
}

void drove__http_router_free(drove__http_router *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		entry_free(&r->entries[i]);
	free(r->entries);
	free(r);
}

static int valid_name(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int parse_pattern(const char *pattern, struct entry *e)
{
	const char *p = pattern;
	size_t cap = 0, ncap = 0;

	if (*p != '/')
		return drove__error(DROVE_EINVAL, "route '%s': must start with '/'", pattern);
	if (strlen(pattern) > DROVE_HTTP_PATH_MAX)
		return drove__error(DROVE_EINVAL, "route: pattern too long");
	while (*p == '/' && p[1]) {
		const char *s = ++p, *end = strchr(s, '/');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		struct pattern_seg seg = {NULL, 0};

		if (!len)
			return drove__error(DROVE_EINVAL, "route '%s': empty segment", pattern);
		if (s[0] == '{') {
			if (s[len - 1] != '}' || !valid_name(s + 1, len - 2))
				return drove__error(DROVE_EINVAL,
				                    "route '%s': bad parameter '%.*s'", pattern,
				                    (int)len, s);
			for (size_t i = 0; i < e->nparams; i++)
				if (strlen(e->names[i]) == len - 2 &&
				    !strncmp(e->names[i], s + 1, len - 2))
					return drove__error(DROVE_EINVAL,
					                    "route '%s': parameter '%.*s' repeated",
					                    pattern, (int)len, s);
			seg.param = 1;
			seg.text = drove__strndup(s + 1, len - 2);
		} else {
			if (memchr(s, '{', len) || memchr(s, '}', len) || memchr(s, '%', len))
				return drove__error(DROVE_EINVAL, "route '%s': bad segment '%.*s'",
				                    pattern, (int)len, s);
			seg.text = drove__strndup(s, len);
		}
		if (!seg.text)
			return DROVE_ENOMEM;
		if (e->nsegs >= DROVE_HTTP_SEGMENTS_MAX ||
		    drove__grow(&e->segs, &cap, e->nsegs + 1, sizeof(*e->segs)) < 0) {
			free(seg.text);
			return e->nsegs >= DROVE_HTTP_SEGMENTS_MAX
			               ? drove__error(DROVE_EINVAL, "route '%s': too many segments",
			                              pattern)
			               : DROVE_ENOMEM;
		}
		e->segs[e->nsegs++] = seg;
		if (seg.param) {
			if (drove__grow(&e->names, &ncap, e->nparams + 1, sizeof(*e->names)) < 0)
				return DROVE_ENOMEM;
			e->names[e->nparams++] = seg.text;
		}
		p = s + len;
	}
	if (*p == '/' && p != pattern)
		return drove__error(DROVE_EINVAL, "route '%s': trailing '/'", pattern);
	return 0;
}

static int same_shape(const struct entry *a, const struct entry *b)
{
	if (a->nsegs != b->nsegs)
		return 0;
	for (size_t i = 0; i < a->nsegs; i++) {
		if (a->segs[i].param != b->segs[i].param)
			return 0;
		if (!a->segs[i].param && strcmp(a->segs[i].text, b->segs[i].text))
			return 0;
	}
	return 1;
}

int drove__http_router_add(drove__http_router *r, unsigned methods, const char *pattern,
                           void *route)
{
	struct entry e;
	int rc;

	DROVE_CHECK_ARG(r && pattern && methods);
	memset(&e, 0, sizeof(e));
	e.methods = methods;
	e.route = route;
	if ((rc = parse_pattern(pattern, &e)) < 0 || !(e.pattern = drove__strdup(pattern))) {
		entry_free(&e);
		return rc < 0 ? rc : DROVE_ENOMEM;
	}
	for (size_t i = 0; i < r->n; i++) {
		if ((r->entries[i].methods & methods) && same_shape(&r->entries[i], &e)) {
			entry_free(&e);
			return drove__error(DROVE_EEXISTS,
			                    "route '%s': already registered for one "
			                    "of these methods as '%s'",
			                    pattern, r->entries[i].pattern);
		}
	}
	if (drove__grow(&r->entries, &r->cap, r->n + 1, sizeof(*r->entries)) < 0) {
		entry_free(&e);
		return DROVE_ENOMEM;
	}
	r->entries[r->n++] = e;
	return 0;
}

/* Does `e` match the split path? Literal segments compare with the decoded segment. */
static int entry_matches(const struct entry *e, char **decoded, size_t nsegs)
{
	if (e->nsegs != nsegs)
		return 0;
	for (size_t i = 0; i < nsegs; i++) {
		if (e->segs[i].param) {
			if (!decoded[i][0])
				return 0; /* a parameter is never empty */
		} else if (strcmp(e->segs[i].text, decoded[i]) != 0) {
			return 0;
		}
	}
	return 1;
}

/* >0 when a is more specific than b. */
static int more_specific(const struct entry *a, const struct entry *b)
{
	for (size_t i = 0; i < a->nsegs && i < b->nsegs; i++)
		if (a->segs[i].param != b->segs[i].param)
			return b->segs[i].param;
	return 0;
}

void drove__http_match_clear(drove__http_match *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nparams && m->values; i++)
		free(m->values[i]);
	free(m->values);
	memset(m, 0, sizeof(*m));
}

int drove__http_router_match(const drove__http_router *r, int method, const char *path,
                             drove__http_match *m)
{
	char *decoded[DROVE_HTTP_SEGMENTS_MAX];
	size_t nsegs = 0, plen;
	const char *p;
	const struct entry *best = NULL;
	unsigned allowed = 0;
	int rc = 0;

	DROVE_CHECK_ARG(r && path && m);
	memset(m, 0, sizeof(*m));
	plen = strnlen(path, DROVE_HTTP_PATH_MAX + 1);
	if (plen > DROVE_HTTP_PATH_MAX)
		return drove__error(DROVE_EINVAL, "path: longer than %d bytes",
		                    DROVE_HTTP_PATH_MAX);
	if (path[0] != '/')
		return drove__error(DROVE_EINVAL, "path: must start with '/'");
	if (method == DROVE_HTTP_HEAD)
		method = DROVE_HTTP_GET;
	/* Split on '/', dropping one trailing empty segment ("/a/b/" is "/a/b"). */
	p = path + 1;
	if (*p) {
		for (;;) {
			const char *end = strchr(p, '/');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			if (!end && !len && nsegs)
				break; /* trailing slash */
			if (nsegs >= DROVE_HTTP_SEGMENTS_MAX) {
				rc = DROVE_ENOTFOUND; /* no route is this deep */
				drove__error(rc, "path: too many segments");
				goto out;
			}
			if ((rc = drove__http_pct_decode(p, len, &decoded[nsegs])) < 0)
				goto out;
			nsegs++;
			if (!end)
				break;
			p = end + 1;
		}
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct entry *e = &r->entries[i];
		if (!entry_matches(e, decoded, nsegs))
			continue;
		allowed |= e->methods;
		if (!(e->methods & (unsigned)method))
			continue;
		if (!best || more_specific(e, best) > 0)
			best = e;
	}
	if (!best) {
		m->allowed = allowed;
		rc = allowed ? drove__error(DROVE_ECONFLICT, "path: method not allowed")
		             : drove__error(DROVE_ENOTFOUND, "path: no route");
		goto out;
	}
	m->route = best->route;
	m->allowed = allowed;
	m->names = best->names;
	if (best->nparams) {
		size_t k = 0;
		if (!(m->values = calloc(best->nparams, sizeof(*m->values)))) {
			rc = drove__enomem();
			goto out;
		}
		m->nparams = best->nparams;
		for (size_t i = 0; i < best->nsegs; i++) {
			if (!best->segs[i].param)
				continue;
			m->values[k++] = decoded[i];
			decoded[i] = NULL; /* moved */
		}
	}
out:
	for (size_t i = 0; i < nsegs; i++)
		free(decoded[i]);
	if (rc < 0) {
		m->route = NULL;
		m->names = NULL;
		if (m->values) {
			free(m->values);
			m->values = NULL;
		}
		m->nparams = 0;
	}
	return rc;
}
