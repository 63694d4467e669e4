/* The gateway's template language (docs/gateway.md, "Templates"): text, {{name}} variables,
 * {{#block}}...{{/block}} repeated per item, {{! comments }}. A line holding only a block tag
 * or a comment leaves no trace in the output. Names are checked when the template is parsed,
 * so rendering cannot fail on them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway_internal.h"

enum { OP_TEXT, OP_VAR, OP_BLOCK, OP_END };
enum { B_TOP, B_VHOSTS, B_GROUPS, B_HOSTS, B_LEADER, B_COUNT };
enum {
	V_LISTEN,
	V_LEADER_VHOST,
	V_LEADER_HOST,
	V_LEADER_PORT,
	V_LEADER_URL,
	V_VHOST,
	V_UPSTREAM,
	V_GROUP,
	V_GROUP_UPSTREAM,
	V_HOST,
	V_PORT,
	V_PORT_TYPE
};

static const char *const block_names[B_COUNT] = {"", "vhosts", "groups", "hosts", "leader"};
/* which blocks may open directly inside each block */
static const unsigned block_children[B_COUNT] = {
        [B_TOP] = 1u << B_VHOSTS | 1u << B_LEADER,
        [B_VHOSTS] = 1u << B_GROUPS | 1u << B_HOSTS,
        [B_GROUPS] = 1u << B_HOSTS,
};
static const struct {
	const char *name;
	int block; /* the block that defines it */
} vars[] = {
        [V_LISTEN] = {"listen", B_TOP},
        [V_LEADER_VHOST] = {"leader_vhost", B_TOP},
        [V_LEADER_HOST] = {"leader_host", B_LEADER},
        [V_LEADER_PORT] = {"leader_port", B_LEADER},
        [V_LEADER_URL] = {"leader_url", B_LEADER},
        [V_VHOST] = {"vhost", B_VHOSTS},
        [V_UPSTREAM] = {"upstream", B_VHOSTS},
        [V_GROUP] = {"group", B_GROUPS},
        [V_GROUP_UPSTREAM] = {"group_upstream", B_GROUPS},
        [V_HOST] = {"host", B_HOSTS},
        [V_PORT] = {"port", B_HOSTS},
        [V_PORT_TYPE] = {"port_type", B_HOSTS},
};

struct op {
	int kind, id;
	size_t off, len; /* OP_TEXT: a slice of the text */
	size_t end;      /* OP_BLOCK: the index of its OP_END */
};

struct drove_gateway_template {
	char *text;
	struct op *ops;
	size_t n, cap;
};

void drove_gateway_template_free(drove_gateway_template *t)
{
	if (!t)
		return;
	free(t->text);
	free(t->ops);
	free(t);
}

static int line_of(const char *text, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

static int push(drove_gateway_template *t, int kind, int id, size_t off, size_t len)
{
	if (drove__grow(&t->ops, &t->cap, t->n + 1, sizeof(*t->ops)) < 0)
		return DROVE_ENOMEM;
	t->ops[t->n++] = (struct op){kind, id, off, len, 0};
	return 0;
}

/* A tag alone on its line: drop the spaces before it (from the last text op) and the line
 * end after it; `*next` is moved past that line end. */
static void standalone(drove_gateway_template *t, size_t tag_start, size_t *next, size_t len)
{
	const char *s = t->text;
	size_t b = tag_start, a = *next;

	while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (b > 0 && s[b - 1] != '\n')
		return;
	while (a < len && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
		a++;
	if (a < len && s[a] != '\n')
		return;
	if (t->n && t->ops[t->n - 1].kind == OP_TEXT) {
		struct op *o = &t->ops[t->n - 1];
		size_t cut = tag_start - b;
		o->len = o->len > cut ? o->len - cut : 0;
	}
	*next = a < len ? a + 1 : a;
}

static int name_eq(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && !memcmp(s, name, n);
}

int drove_gateway_template_new(drove_gateway_template **out, drove_ctx *ctx, const char *text,
                               size_t len)
{
	drove_gateway_template *t;
	int stack[DROVE_GATEWAY_TEMPLATE_DEPTH + 1];
	size_t open_at[DROVE_GATEWAY_TEMPLATE_DEPTH + 1], opened[DROVE_GATEWAY_TEMPLATE_DEPTH + 1];
	size_t depth = 0, pos = 0;
	int rc = 0;

	DROVE_CHECK_ARG(out && ctx && text);
	if (len > DROVE_GATEWAY_TEMPLATE_MAX)
		return drove__error(DROVE_EINVAL, "template: %zu bytes is above the limit of %d",
		                    len, DROVE_GATEWAY_TEMPLATE_MAX);
	if (memchr(text, '\0', len))
		return drove__error(
		        DROVE_EINVAL, "template:%d: NUL byte",
		        line_of(text, (size_t)((const char *)memchr(text, 0, len) - text)));
	if (!(t = calloc(1, sizeof(*t))) || !(t->text = drove__strndup(text, len))) {
		free(t);
		return drove__enomem();
	}
	stack[0] = B_TOP;
	while (rc == 0 && pos < len) {
		const char *open =
		        len - pos >= 2 ? memmem(t->text + pos, len - pos, "{{", 2) : NULL;
		size_t start = open ? (size_t)(open - t->text) : len, nstart, nlen, next;
		const char *close;
		char sigil;

		if (start > pos && (rc = push(t, OP_TEXT, 0, pos, start - pos)) < 0)
			break;
		if (!open)
			break;
		if (!(close = memmem(t->text + start + 2, len - start - 2, "}}", 2))) {
			rc = drove__error(DROVE_EINVAL, "template:%d: {{ without }}",
			                  line_of(t->text, start));
			break;
		}
		next = (size_t)(close - t->text) + 2;
		nstart = start + 2;
		nlen = (size_t)(close - t->text) - nstart;
		sigil = nlen ? t->text[nstart] : '\0';
		if (sigil == '#' || sigil == '/' || sigil == '!') {
			nstart++;
			nlen--;
		} else {
			sigil = '\0';
		}
		while (nlen && isspace((unsigned char)t->text[nstart])) {
			nstart++;
			nlen--;
		}
		while (nlen && isspace((unsigned char)t->text[nstart + nlen - 1]))
			nlen--;
		if (sigil == '!') {
			standalone(t, start, &next, len);
		} else if (sigil == '#') {
			int b = -1;
			for (int k = 1; k < B_COUNT; k++)
				if (name_eq(t->text + nstart, nlen, block_names[k]))
					b = k;
			if (b < 0)
				rc = drove__error(DROVE_EINVAL, "template:%d: unknown block %.*s",
				                  line_of(t->text, start),
				                  (int)(nlen > 64 ? 64 : nlen), t->text + nstart);
			else if (!(block_children[stack[depth]] & (1u << b)))
				rc = drove__error(DROVE_EINVAL,
				                  "template:%d: {{#%s}} is not allowed %s%s",
				                  line_of(t->text, start), block_names[b],
				                  depth ? "inside " : "at the top",
				                  depth ? block_names[stack[depth]] : "");
			else if (depth == DROVE_GATEWAY_TEMPLATE_DEPTH)
				rc = drove__error(DROVE_EINVAL,
				                  "template:%d: blocks nested too deep",
				                  line_of(t->text, start));
			if (rc == 0) {
				standalone(t, start, &next, len);
				depth++;
				stack[depth] = b;
				open_at[depth] = start;
				opened[depth] = t->n;
				rc = push(t, OP_BLOCK, b, 0, 0);
			}
		} else if (sigil == '/') {
			if (depth == 0 ||
			    !name_eq(t->text + nstart, nlen, block_names[stack[depth]]))
				rc = drove__error(DROVE_EINVAL,
				                  "template:%d: {{/%.*s}} closes no open block",
				                  line_of(t->text, start),
				                  (int)(nlen > 64 ? 64 : nlen), t->text + nstart);
			if (rc == 0) {
				standalone(t, start, &next, len);
				t->ops[opened[depth]].end = t->n;
				rc = push(t, OP_END, stack[depth], 0, 0);
				depth--;
			}
		} else {
			int v = -1;
			for (size_t k = 0; k < DROVE_ARRAY_LEN(vars); k++) {
				if (!name_eq(t->text + nstart, nlen, vars[k].name))
					continue;
				for (size_t d = 0; d <= depth; d++)
					if (stack[d] == vars[k].block)
						v = (int)k;
			}
			if (v < 0)
				rc = drove__error(DROVE_EINVAL,
				                  "template:%d: unknown variable %.*s (here)",
				                  line_of(t->text, start),
				                  (int)(nlen > 64 ? 64 : nlen), t->text + nstart);
			else
				rc = push(t, OP_VAR, v, 0, 0);
		}
		pos = next;
	}
	if (rc == 0 && depth)
		rc = drove__error(DROVE_EINVAL, "template:%d: {{#%s}} is never closed",
		                  line_of(t->text, open_at[depth]), block_names[stack[depth]]);
	if (rc < 0) {
		drove_gateway_template_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ---- rendering ---- */

struct scope {
	const drove_gateway_config *cfg;
	const drove_gateway_model *m;
	const char *leader_host;
	int leader_port;
	const char *leader_url;
	const struct gw_vhost *v;
	const struct gw_group *g;
	const struct gw_host *h;
};

/* An upstream name from a vhost (and group): [A-Za-z0-9_] only. */
static int put_upstream(drove__buf *b, const char *vhost, const char *group)
{
	int rc = drove__buf_puts(b, "drove_");
	for (const char *p = vhost; rc == 0 && *p; p++)
		rc = drove__buf_putc(b, isalnum((unsigned char)*p) ? *p : '_');
	if (group) {
		if (rc == 0)
			rc = drove__buf_puts(b, "__");
		for (const char *p = group; rc == 0 && *p; p++)
			rc = drove__buf_putc(b, isalnum((unsigned char)*p) ? *p : '_');
	}
	return rc;
}

static int put_var(drove__buf *b, int v, const struct scope *s)
{
	const drove_gateway_config *c = s->cfg;
	switch (v) {
	case V_LISTEN:
		return drove__buf_puts(b, c && c->nginx_listen ? c->nginx_listen : "80");
	case V_LEADER_VHOST:
		return drove__buf_puts(b, c && c->leader_vhost ? c->leader_vhost : "");
	case V_LEADER_HOST:
		return drove__buf_puts(b, s->leader_host);
	case V_LEADER_PORT:
		return drove__buf_printf(b, "%d", s->leader_port);
	case V_LEADER_URL:
		return drove__buf_puts(b, s->leader_url);
	case V_VHOST:
		return drove__buf_puts(b, s->v->vhost);
	case V_UPSTREAM:
		return put_upstream(b, s->v->vhost, NULL);
	case V_GROUP:
		return drove__buf_puts(b, s->g->name);
	case V_GROUP_UPSTREAM:
		return put_upstream(b, s->v->vhost, s->g->name);
	case V_HOST:
		return drove__buf_puts(b, s->h->host);
	case V_PORT:
		return drove__buf_printf(b, "%d", s->h->port);
	case V_PORT_TYPE:
		return drove__buf_puts(b, s->h->port_type);
	}
	return 0;
}

static int render_range(const drove_gateway_template *t, size_t from, size_t to,
                        const struct scope *s, drove__buf *b)
{
	int rc = 0;
	for (size_t i = from; rc == 0 && i < to; i++) {
		const struct op *o = &t->ops[i];
		struct scope in = *s;
		if (o->kind == OP_TEXT) {
			rc = drove__buf_append(b, t->text + o->off, o->len);
		} else if (o->kind == OP_VAR) {
			rc = put_var(b, o->id, s);
		} else if (o->kind == OP_BLOCK) {
			switch (o->id) {
			case B_LEADER:
				if (s->leader_host && s->cfg && s->cfg->leader_vhost)
					rc = render_range(t, i + 1, o->end, s, b);
				break;
			case B_VHOSTS:
				for (size_t k = 0; rc == 0 && s->m && k < s->m->nv; k++) {
					in.v = &s->m->v[k];
					rc = render_range(t, i + 1, o->end, &in, b);
				}
				break;
			case B_GROUPS:
				for (size_t k = 0; rc == 0 && k < s->v->ng; k++) {
					in.g = &s->v->groups[k];
					rc = render_range(t, i + 1, o->end, &in, b);
				}
				break;
			case B_HOSTS: {
				const struct gw_host *hs = s->g ? s->g->hosts : s->v->hosts;
				size_t n = s->g ? s->g->n : s->v->n;
				for (size_t k = 0; rc == 0 && k < n; k++) {
					in.h = &hs[k];
					rc = render_range(t, i + 1, o->end, &in, b);
				}
				break;
			}
			}
			i = o->end;
		}
	}
	return rc;
}

int drove_gateway_render(const drove_gateway_template *t, const drove_gateway_model *m,
                         const drove_gateway_config *cfg, const char *leader_url, char **out)
{
	struct scope s = {.cfg = cfg, .m = m, .leader_url = leader_url};
	drove__buf b = DROVE_BUF_INIT;
	char host[256];
	int rc;

	DROVE_CHECK_ARG(t && out);
	if (leader_url) {
		const char *p = strstr(leader_url, "://"), *colon, *slash;
		size_t n;
		int https = !strncmp(leader_url, "https", 5);
		p = p ? p + 3 : leader_url;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		colon = memchr(p, ':', n);
		if ((colon ? (size_t)(colon - p) : n) >= sizeof(host))
			return drove__error(DROVE_EINVAL, "leader url too long: %.64s", leader_url);
		memcpy(host, p, colon ? (size_t)(colon - p) : n);
		host[colon ? (size_t)(colon - p) : n] = '\0';
		s.leader_port = colon ? atoi(colon + 1) : https ? 443 : 80;
		if (!drove__gw_safe_name(host, 0) || s.leader_port < 1 || s.leader_port > 65535)
			return drove__error(DROVE_EINVAL, "leader url: bad host or port in %.64s",
			                    leader_url);
		s.leader_host = host;
	}
	rc = render_range(t, 0, t->n, &s, &b);
	if (rc == 0 && !(*out = drove__buf_steal(&b)))
		rc = DROVE_ENOMEM;
	drove__buf_free(&b);
	return rc;
}

const char *drove_gateway_template_default(void)
{
	return "# Written by drove-gateway from its built-in template: edits are overwritten.\n"
	       "worker_processes 1;\n"
	       "pid nginx.pid;\n"
	       "error_log error.log warn;\n"
	       "events {\n"
	       "    worker_connections 1024;\n"
	       "}\n"
	       "http {\n"
	       "    access_log off;\n"
	       "    server_tokens off;\n"
	       "    server_names_hash_bucket_size 128;\n"
	       "    client_body_temp_path client_body_temp;\n"
	       "    proxy_temp_path proxy_temp;\n"
	       "    fastcgi_temp_path fastcgi_temp;\n"
	       "    uwsgi_temp_path uwsgi_temp;\n"
	       "    scgi_temp_path scgi_temp;\n"
	       "    map $http_upgrade $connection_upgrade {\n"
	       "        default upgrade;\n"
	       "        ''      close;\n"
	       "    }\n"
	       "    server {\n"
	       "        listen {{listen}} default_server;\n"
	       "        server_name _;\n"
	       "        location / {\n"
	       "            return 503;\n"
	       "        }\n"
	       "    }\n"
	       "    {{#leader}}\n"
	       "    upstream drove_leader {\n"
	       "        server {{leader_host}}:{{leader_port}};\n"
	       "    }\n"
	       "    server {\n"
	       "        listen {{listen}};\n"
	       "        server_name {{leader_vhost}};\n"
	       "        location / {\n"
	       "            proxy_set_header Host {{leader_host}};\n"
	       "            proxy_http_version 1.1;\n"
	       "            proxy_set_header Upgrade $http_upgrade;\n"
	       "            proxy_set_header Connection $connection_upgrade;\n"
	       "            proxy_pass http://drove_leader;\n"
	       "        }\n"
	       "    }\n"
	       "    {{/leader}}\n"
	       "    {{#vhosts}}\n"
	       "    upstream {{upstream}} {\n"
	       "        {{#hosts}}\n"
	       "        server {{host}}:{{port}};\n"
	       "        {{/hosts}}\n"
	       "    }\n"
	       "    server {\n"
	       "        listen {{listen}};\n"
	       "        server_name {{vhost}};\n"
	       "        location / {\n"
	       "            proxy_set_header Host $host;\n"
	       "            proxy_next_upstream error timeout invalid_header http_502 http_503 "
	       "http_504;\n"
	       "            proxy_connect_timeout 5s;\n"
	       "            proxy_http_version 1.1;\n"
	       "            proxy_set_header Upgrade $http_upgrade;\n"
	       "            proxy_set_header Connection $connection_upgrade;\n"
	       "            proxy_pass http://{{upstream}};\n"
	       "        }\n"
	       "    }\n"
	       "    {{/vhosts}}\n"
	       "}\n";
}
