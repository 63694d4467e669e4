/* ~/.drove: the CLI's INI file in Python configparser's format (client.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client_internal.h"

#define INI_MAX      (1u << 20)
#define INI_SECTIONS 1024

struct kv {
	char *key, *value;
};

struct section {
	char *name;
	struct kv *kv;
	size_t n, cap;
};

struct drove_client_config {
	struct section *s; /* s[0] is DEFAULT */
	size_t n, cap;
};

static void section_clear(struct section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->kv[i].key);
		free(s->kv[i].value);
	}
	free(s->kv);
	free(s->name);
}

void drove_client_config_free(drove_client_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++)
		section_clear(&cfg->s[i]);
	free(cfg->s);
	free(cfg);
}

static struct section *find(const drove_client_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (strcmp(cfg->s[i].name, name) == 0)
			return &cfg->s[i];
	return NULL;
}

static struct section *add_section(drove_client_config *cfg, const char *name)
{
	struct section *s = find(cfg, name);
	if (s)
		return s;
	if (cfg->n >= INI_SECTIONS) {
		drove__error(DROVE_EINVAL, "config: more than %d sections", INI_SECTIONS);
		return NULL;
	}
	if (drove__grow(&cfg->s, &cfg->cap, cfg->n + 1, sizeof(*cfg->s)) < 0)
		return NULL;
	s = &cfg->s[cfg->n];
	memset(s, 0, sizeof(*s));
	if (!(s->name = drove__strdup(name)))
		return NULL;
	cfg->n++;
	return s;
}

int drove_client_config_new(drove_client_config **out)
{
	drove_client_config *cfg;
	DROVE_CHECK_ARG(out);
	if (!(cfg = calloc(1, sizeof(*cfg))))
		return drove__enomem();
	if (!add_section(cfg, "DEFAULT")) {
		drove_client_config_free(cfg);
		return DROVE_ENOMEM;
	}
	*out = cfg;
	return 0;
}

static int valid_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s == '[' || *s == ']' || *s == '\n' || *s == '\r' || *s == '=' || *s == ':')
			return 0;
	return 1;
}

static int set_kv(struct section *s, const char *key, size_t klen, const char *value, size_t vlen)
{
	char *k = drove__strndup(key, klen), *v = NULL;
	if (!k)
		return DROVE_ENOMEM;
	for (char *p = k; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (value && !(v = drove__strndup(value, vlen))) {
		free(k);
		return DROVE_ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->kv[i].key, k) == 0) {
			free(k);
			free(s->kv[i].value);
			if (v) {
				s->kv[i].value = v;
			} else {
				free(s->kv[i].key);
				memmove(&s->kv[i], &s->kv[i + 1], (s->n - i - 1) * sizeof(*s->kv));
				s->n--;
			}
			return 0;
		}
	}
	if (!v) {
		free(k);
		return 0;
	}
	if (drove__grow(&s->kv, &s->cap, s->n + 1, sizeof(*s->kv)) < 0) {
		free(k);
		free(v);
		return DROVE_ENOMEM;
	}
	s->kv[s->n].key = k;
	s->kv[s->n].value = v;
	s->n++;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

int drove_client_config_parse(drove_client_config **out, const char *text, size_t len)
{
	drove_client_config *cfg = NULL;
	struct section *cur = NULL;
	size_t pos = 0, line = 0;
	int rc;

	DROVE_CHECK_ARG(out && (text || len == 0));
	if (len > INI_MAX)
		return drove__error(DROVE_EINVAL, "config: %zu bytes is over the %u byte limit",
		                    len, INI_MAX);
	if ((rc = drove_client_config_new(&cfg)) < 0)
		return rc;
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos, b = 0, e;
		pos += n + (nl ? 1 : 0);
		line++;
		if (memchr(l, '\0', n)) {
			rc = drove__error(DROVE_EINVAL, "config: line %zu: a NUL byte", line);
			goto fail;
		}
		while (b < n && is_space(l[b]))
			b++;
		e = n;
		while (e > b && is_space(l[e - 1]))
			e--;
		if (b == e || l[b] == '#' || l[b] == ';')
			continue;
		if (b > 0 && cur && cur->n) {
			/* a continuation line: configparser appends it to the previous value */
			struct kv *kv = &cur->kv[cur->n - 1];
			char *v = drove__asprintf("%s\n%.*s", kv->value, (int)(e - b), l + b);
			if (!v) {
				rc = DROVE_ENOMEM;
				goto fail;
			}
			free(kv->value);
			kv->value = v;
			continue;
		}
		if (l[b] == '[') {
			char *name;
			if (l[e - 1] != ']' || e - b < 3) {
				rc = drove__error(DROVE_EINVAL,
				                  "config: line %zu: bad section header", line);
				goto fail;
			}
			if (!(name = drove__strndup(l + b + 1, e - b - 2))) {
				rc = DROVE_ENOMEM;
				goto fail;
			}
			if (!valid_name(name)) {
				rc = drove__error(DROVE_EINVAL,
				                  "config: line %zu: bad section name", line);
				free(name);
				goto fail;
			}
			cur = add_section(cfg, name);
			free(name);
			if (!cur) {
				rc = drove_error_last()->code;
				goto fail;
			}
			continue;
		}
		{
			size_t sep = b, kb = b, ke, vb;
			while (sep < e && l[sep] != '=' && l[sep] != ':')
				sep++;
			if (sep == e) {
				rc = drove__error(DROVE_EINVAL,
				                  "config: line %zu: expected key = value", line);
				goto fail;
			}
			if (!cur) {
				rc = drove__error(DROVE_EINVAL,
				                  "config: line %zu: a value before any [section]",
				                  line);
				goto fail;
			}
			ke = sep;
			while (ke > kb && is_space(l[ke - 1]))
				ke--;
			vb = sep + 1;
			while (vb < e && is_space(l[vb]))
				vb++;
			if (ke == kb) {
				rc = drove__error(DROVE_EINVAL, "config: line %zu: empty key",
				                  line);
				goto fail;
			}
			if ((rc = set_kv(cur, l + kb, ke - kb, l + vb, e - vb)) < 0)
				goto fail;
		}
	}
	*out = cfg;
	return 0;
fail:
	drove_client_config_free(cfg);
	return rc;
}

int drove_client_config_load(drove_client_config **out, const char *path)
{
	drove__buf b = DROVE_BUF_INIT;
	char chunk[8192];
	int fd, rc;

	DROVE_CHECK_ARG(out && path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return drove__error(DROVE_ENOTFOUND, "%s: no such file", path);
		return drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
	}
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (b.len + (size_t)r > INI_MAX) {
			rc = drove__error(DROVE_EINVAL, "%s: over the %u byte limit", path,
			                  INI_MAX);
			goto out;
		}
		if (drove__buf_append(&b, chunk, (size_t)r) < 0) {
			rc = DROVE_ENOMEM;
			goto out;
		}
	}
	rc = drove_client_config_parse(out, b.data ? b.data : "", b.len);
	if (rc < 0 && rc != DROVE_ENOMEM)
		rc = drove__error(rc, "%s: %s", path, drove_error_last()->message);
out:
	close(fd);
	drove__buf_free(&b);
	return rc;
}

int drove_client_config_to_string(const drove_client_config *cfg, char **out)
{
	drove__buf b = DROVE_BUF_INIT;
	DROVE_CHECK_ARG(cfg && out);
	for (size_t i = 0; i < cfg->n; i++) {
		const struct section *s = &cfg->s[i];
		if (i == 0 && s->n == 0)
			continue;
		if (drove__buf_printf(&b, "[%s]\n", s->name) < 0)
			goto nomem;
		for (size_t j = 0; j < s->n; j++) {
			/* continuation lines are written indented, as configparser does */
			const char *v = s->kv[j].value;
			if (drove__buf_printf(&b, "%s = ", s->kv[j].key) < 0)
				goto nomem;
			for (; *v; v++)
				if ((*v == '\n' ? drove__buf_puts(&b, "\n\t")
				                : drove__buf_putc(&b, *v)) < 0)
					goto nomem;
			if (drove__buf_putc(&b, '\n') < 0)
				goto nomem;
		}
		if (drove__buf_putc(&b, '\n') < 0)
			goto nomem;
	}
	if (!(*out = drove__buf_steal(&b)))
		goto nomem;
	return 0;
nomem:
	drove__buf_free(&b);
	return drove__enomem();
}

int drove_client_config_save(const drove_client_config *cfg, const char *path)
{
	char *text = NULL, *tmp = NULL;
	size_t len, off = 0;
	int fd = -1, rc;

	DROVE_CHECK_ARG(cfg && path);
	if ((rc = drove_client_config_to_string(cfg, &text)) < 0)
		return rc;
	if (!(tmp = drove__asprintf("%s.tmp.%ld", path, (long)getpid()))) {
		rc = DROVE_ENOMEM;
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		rc = drove__error(DROVE_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	len = strlen(text);
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = drove__error(DROVE_EIO, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		rc = drove__error(DROVE_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(text);
	return rc;
}

const char *drove_client_config_get(const drove_client_config *cfg, const char *section,
                                    const char *key)
{
	const struct section *s;
	if (!cfg || !key)
		return NULL;
	for (int pass = 0; pass < 2; pass++) {
		s = pass == 0 ? (section ? find(cfg, section) : NULL) : &cfg->s[0];
		if (!s)
			continue;
		for (size_t i = 0; i < s->n; i++)
			if (drove__streq_nocase(s->kv[i].key, key))
				return s->kv[i].value;
	}
	return NULL;
}

int drove_client_config_set(drove_client_config *cfg, const char *section, const char *key,
                            const char *value)
{
	struct section *s;
	DROVE_CHECK_ARG(cfg && section && key);
	if (!valid_name(section))
		return drove__error(DROVE_EINVAL, "config: bad section name '%s'", section);
	if (!valid_name(key) || strpbrk(key, " \t#;"))
		return drove__error(DROVE_EINVAL, "config: bad key '%s'", key);
	if (value && strpbrk(value, "\r\n"))
		return drove__error(DROVE_EINVAL, "config: %s.%s: a line break in the value",
		                    section, key);
	if (!value && !find(cfg, section))
		return 0;
	if (!(s = add_section(cfg, section)))
		return drove_error_last()->code;
	return set_kv(s, key, strlen(key), value, value ? strlen(value) : 0);
}

int drove_client_config_has_section(const drove_client_config *cfg, const char *section)
{
	return cfg && section && find(cfg, section) != NULL;
}

int drove_client_config_remove_section(drove_client_config *cfg, const char *section)
{
	DROVE_CHECK_ARG(cfg && section);
	for (size_t i = 1; i < cfg->n; i++) {
		if (strcmp(cfg->s[i].name, section) == 0) {
			section_clear(&cfg->s[i]);
			memmove(&cfg->s[i], &cfg->s[i + 1], (cfg->n - i - 1) * sizeof(*cfg->s));
			cfg->n--;
			return 0;
		}
	}
	return drove__error(DROVE_ENOTFOUND, "config: no section '%s'", section);
}

size_t drove_client_config_section_count(const drove_client_config *cfg)
{
	return cfg && cfg->n ? cfg->n - 1 : 0;
}

const char *drove_client_config_section(const drove_client_config *cfg, size_t i)
{
	return cfg && i + 1 < cfg->n ? cfg->s[i + 1].name : NULL;
}
