/* HOPE-style rule parser and evaluator (see rule.h for the grammar). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sched/rule.h"

enum rop { R_OR, R_AND, R_NOT, R_EQ, R_NE, R_EXISTS, R_CONST };
enum rkind { K_PTR, K_STR, K_NUM, K_BOOL };
enum rroot { ROOT_EXECID, ROOT_ALLOC, ROOT_ALL, ROOT_ENV };

struct roperand {
	enum rkind kind;
	enum rroot root;
	int nseg;     /* segments after the root (capped at 3: deeper never resolves) */
	char *seg[2]; /* the first two segments, unescaped */
	char *str;    /* K_STR */
	double num;   /* K_NUM */
	bool b;       /* K_BOOL */
};

struct rnode {
	enum rop op;
	int a, b; /* children (node indexes) */
	struct roperand l, r;
	bool value; /* R_CONST */
};

struct drove__sched_rule {
	struct rnode *nodes;
	size_t n, cap;
	int root;
};

struct parser {
	const char *s;
	size_t pos, len;
	int depth;
	struct drove__sched_rule *r;
};

static void operand_free(struct roperand *o)
{
	free(o->seg[0]);
	free(o->seg[1]);
	free(o->str);
}

void drove__sched_rule_free(struct drove__sched_rule *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		operand_free(&r->nodes[i].l);
		operand_free(&r->nodes[i].r);
	}
	free(r->nodes);
	free(r);
}

static int perr(struct parser *p, const char *what)
{
	if (p->pos >= p->len)
		return drove__error(DROVE_EINVAL, "rule: %s at end of rule (position %zu)", what,
		                    p->pos + 1);
	return drove__error(DROVE_EINVAL, "rule: %s: unexpected '%c' at position %zu", what,
	                    p->s[p->pos], p->pos + 1);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
	                           p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int new_node(struct parser *p, enum rop op, int *idx)
{
	struct drove__sched_rule *r = p->r;
	int rc;
	if ((rc = drove__grow(&r->nodes, &r->cap, r->n + 1, sizeof(*r->nodes))) < 0)
		return rc;
	memset(&r->nodes[r->n], 0, sizeof(r->nodes[0]));
	r->nodes[r->n].op = op;
	*idx = (int)r->n++;
	return 0;
}

/* Read a quoted string starting at p->pos (the quote); *out gets the unescaped text. */
static int read_quoted(struct parser *p, char **out)
{
	char q = p->s[p->pos];
	size_t start = p->pos;
	drove__buf b = DROVE_BUF_INIT;
	int rc;

	p->pos++;
	while (p->pos < p->len && p->s[p->pos] != q) {
		char c = p->s[p->pos];
		if (c == '\\') {
			if (p->pos + 1 >= p->len)
				break;
			c = p->s[++p->pos];
			if (c != '\\' && c != '"' && c != '\'') {
				drove__buf_free(&b);
				return drove__error(DROVE_EINVAL,
				                    "rule: unknown escape '\\%c' at position %zu",
				                    c, p->pos);
			}
		}
		if ((rc = drove__buf_putc(&b, c)) < 0) {
			drove__buf_free(&b);
			return rc;
		}
		p->pos++;
	}
	if (p->pos >= p->len) {
		drove__buf_free(&b);
		return drove__error(DROVE_EINVAL, "rule: unterminated string at position %zu",
		                    start + 1);
	}
	p->pos++;
	if (!(*out = drove__buf_steal(&b)))
		return DROVE_ENOMEM;
	return 0;
}

/* RFC 6901 token unescaping (~1 -> '/', ~0 -> '~'). */
static int unescape_token(const char *t, size_t n, char **out, size_t at)
{
	char *o = malloc(n + 1);
	size_t j = 0;
	if (!o)
		return drove__enomem();
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '~') {
			if (i + 1 < n && (t[i + 1] == '0' || t[i + 1] == '1')) {
				o[j++] = t[i + 1] == '0' ? '~' : '/';
				i++;
				continue;
			}
			free(o);
			return drove__error(DROVE_EINVAL,
			                    "rule: bad JSON pointer escape at position %zu", at);
		}
		o[j++] = t[i];
	}
	o[j] = '\0';
	*out = o;
	return 0;
}

static int make_pointer(struct roperand *o, char *text, size_t at)
{
	static const struct {
		const char *name;
		enum rroot root;
	} roots[] = {{"executorNodeId", ROOT_EXECID},
	             {"allocatedExecutorNodeMetadata", ROOT_ALLOC},
	             {"allExecutorMetadata", ROOT_ALL},
	             {"applicationEnvironment", ROOT_ENV}};
	const char *p = text + 1, *end;
	size_t i;
	int rc;

	end = strchr(p, '/');
	size_t rl = end ? (size_t)(end - p) : strlen(p);
	for (i = 0; i < DROVE_ARRAY_LEN(roots); i++)
		if (strlen(roots[i].name) == rl && memcmp(roots[i].name, p, rl) == 0)
			break;
	if (i == DROVE_ARRAY_LEN(roots))
		return drove__error(DROVE_EINVAL,
		                    "rule: unknown JSON pointer root '/%.*s' at position %zu "
		                    "(use /executorNodeId, /allocatedExecutorNodeMetadata, "
		                    "/allExecutorMetadata or /applicationEnvironment)",
		                    (int)(rl > 64 ? 64 : rl), p, at);
	o->kind = K_PTR;
	o->root = roots[i].root;
	o->nseg = 0;
	while (end) {
		const char *t = end + 1;
		const char *e2 = strchr(t, '/');
		size_t tl = e2 ? (size_t)(e2 - t) : strlen(t);
		if (o->nseg < 2 && (rc = unescape_token(t, tl, &o->seg[o->nseg], at)) < 0)
			return rc;
		if (o->nseg < 3)
			o->nseg++;
		end = e2;
	}
	return 0;
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int parse_operand(struct parser *p, struct roperand *o, bool *got)
{
	size_t at;
	int rc;
	char c;

	skip_ws(p);
	*got = false;
	if (p->pos >= p->len)
		return 0;
	at = p->pos + 1;
	c = p->s[p->pos];
	if (c == '"' || c == '\'') {
		char *text = NULL;
		if ((rc = read_quoted(p, &text)) < 0)
			return rc;
		*got = true;
		if (c == '"' && text[0] == '/') {
			rc = make_pointer(o, text, at);
			free(text);
			return rc;
		}
		o->kind = K_STR;
		o->str = text;
		return 0;
	}
	if ((c >= '0' && c <= '9') || c == '-' || c == '.') {
		char buf[64];
		size_t n = 0;
		char *end;
		while (p->pos < p->len && n < sizeof(buf) - 1 &&
		       ((p->s[p->pos] >= '0' && p->s[p->pos] <= '9') || p->s[p->pos] == '.' ||
		        p->s[p->pos] == '-' || p->s[p->pos] == '+' || p->s[p->pos] == 'e' ||
		        p->s[p->pos] == 'E'))
			buf[n++] = p->s[p->pos++];
		buf[n] = '\0';
		errno = 0;
		o->num = strtod(buf, &end);
		if (n == 0 || *end || errno)
			return drove__error(DROVE_EINVAL, "rule: bad number '%s' at position %zu",
			                    buf, at);
		o->kind = K_NUM;
		*got = true;
		return 0;
	}
	if (is_ident(c)) {
		size_t st = p->pos;
		while (p->pos < p->len &&
		       (is_ident(p->s[p->pos]) || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9')))
			p->pos++;
		size_t n = p->pos - st;
		if (n == 4 && memcmp(p->s + st, "true", 4) == 0) {
			o->kind = K_BOOL;
			o->b = true;
		} else if (n == 5 && memcmp(p->s + st, "false", 5) == 0) {
			o->kind = K_BOOL;
			o->b = false;
		} else {
			return drove__error(
			        DROVE_EINVAL,
			        "rule: unsupported word '%.*s' at position %zu (only "
			        "pointers, literals, ==, !=, &&, ||, ! and parentheses)",
			        (int)(n > 64 ? 64 : n), p->s + st, at);
		}
		*got = true;
		return 0;
	}
	return 0;
}

static int parse_or(struct parser *p, int *out);

static int parse_unary(struct parser *p, int *out)
{
	struct roperand l;
	bool got;
	int rc, idx;

	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '!' &&
	    !(p->pos + 1 < p->len && p->s[p->pos + 1] == '=')) {
		int child;
		p->pos++;
		if (++p->depth > DROVE_SCHED_RULE_DEPTH)
			return drove__error(DROVE_EINVAL,
			                    "rule: nesting deeper than %d at position %zu",
			                    DROVE_SCHED_RULE_DEPTH, p->pos);
		if ((rc = parse_unary(p, &child)) < 0)
			return rc;
		p->depth--;
		if ((rc = new_node(p, R_NOT, &idx)) < 0)
			return rc;
		p->r->nodes[idx].a = child;
		*out = idx;
		return 0;
	}
	if (p->pos < p->len && p->s[p->pos] == '(') {
		p->pos++;
		if (++p->depth > DROVE_SCHED_RULE_DEPTH)
			return drove__error(DROVE_EINVAL,
			                    "rule: nesting deeper than %d at position %zu",
			                    DROVE_SCHED_RULE_DEPTH, p->pos);
		if ((rc = parse_or(p, out)) < 0)
			return rc;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ')')
			return perr(p, "expected ')'");
		p->pos++;
		p->depth--;
		return 0;
	}
	memset(&l, 0, sizeof(l));
	if ((rc = parse_operand(p, &l, &got)) < 0) {
		operand_free(&l);
		return rc;
	}
	if (!got)
		return perr(p, "expected a pointer, literal, '!' or '('");
	skip_ws(p);
	if (p->pos + 1 < p->len && (p->s[p->pos] == '=' || p->s[p->pos] == '!') &&
	    p->s[p->pos + 1] == '=') {
		enum rop op = p->s[p->pos] == '=' ? R_EQ : R_NE;
		struct roperand r;
		memset(&r, 0, sizeof(r));
		p->pos += 2;
		if ((rc = parse_operand(p, &r, &got)) < 0 || !got) {
			operand_free(&l);
			operand_free(&r);
			return rc < 0 ? rc
			              : perr(p, "expected a pointer or literal after comparison");
		}
		if ((rc = new_node(p, op, &idx)) < 0) {
			operand_free(&l);
			operand_free(&r);
			return rc;
		}
		p->r->nodes[idx].l = l;
		p->r->nodes[idx].r = r;
		*out = idx;
		return 0;
	}
	if (l.kind == K_STR || l.kind == K_NUM) {
		operand_free(&l);
		return perr(p, "expected '==' or '!=' after a literal");
	}
	if ((rc = new_node(p, l.kind == K_PTR ? R_EXISTS : R_CONST, &idx)) < 0) {
		operand_free(&l);
		return rc;
	}
	p->r->nodes[idx].value = l.kind == K_BOOL && l.b;
	p->r->nodes[idx].l = l;
	*out = idx;
	return 0;
}

static int parse_binary(struct parser *p, int *out, bool is_or)
{
	int rc, left, right, idx;
	const char *tok = is_or ? "||" : "&&";

	if ((rc = is_or ? parse_binary(p, &left, false) : parse_unary(p, &left)) < 0)
		return rc;
	for (;;) {
		skip_ws(p);
		if (!(p->pos + 1 < p->len && p->s[p->pos] == tok[0] && p->s[p->pos + 1] == tok[1]))
			break;
		p->pos += 2;
		if ((rc = is_or ? parse_binary(p, &right, false) : parse_unary(p, &right)) < 0)
			return rc;
		if ((rc = new_node(p, is_or ? R_OR : R_AND, &idx)) < 0)
			return rc;
		p->r->nodes[idx].a = left;
		p->r->nodes[idx].b = right;
		left = idx;
	}
	*out = left;
	return 0;
}

static int parse_or(struct parser *p, int *out)
{
	return parse_binary(p, out, true);
}

int drove__sched_rule_parse(const char *text, struct drove__sched_rule **out)
{
	struct parser p;
	int rc;

	DROVE_CHECK_ARG(text && out);
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = strlen(text);
	if (p.len > DROVE_SCHED_RULE_MAX)
		return drove__error(DROVE_EINVAL, "rule: %zu bytes exceeds the %d-byte limit",
		                    p.len, DROVE_SCHED_RULE_MAX);
	skip_ws(&p);
	if (p.pos >= p.len)
		return drove__error(DROVE_EINVAL, "rule: empty rule");
	if (!(p.r = calloc(1, sizeof(*p.r))))
		return drove__enomem();
	if ((rc = parse_or(&p, &p.r->root)) < 0)
		goto fail;
	skip_ws(&p);
	if (p.pos < p.len) {
		rc = perr(&p, "expected '&&', '||' or end of rule");
		goto fail;
	}
	*out = p.r;
	return 0;
fail:
	drove__sched_rule_free(p.r);
	return rc;
}

/* ---- evaluation ---- */

struct rval {
	bool present, object;
	const char *s;
};

static struct rval resolve(const struct roperand *o, const drove__sched_ruledoc *d)
{
	struct rval v = {false, false, NULL};
	switch (o->root) {
	case ROOT_EXECID:
		if (o->nseg == 0 && d->executor_id) {
			v.present = true;
			v.s = d->executor_id;
		}
		break;
	case ROOT_ALLOC:
	case ROOT_ENV:
		if (o->nseg == 0) {
			v.present = v.object = true;
		} else if (o->nseg == 1) {
			v.s = o->root == ROOT_ALLOC
			              ? (d->alloc_meta ? d->alloc_meta(d->ud, o->seg[0]) : NULL)
			              : (d->env ? d->env(d->ud, o->seg[0]) : NULL);
			v.present = v.s != NULL;
		}
		break;
	case ROOT_ALL:
		if (o->nseg == 0) {
			v.present = v.object = true;
		} else if (o->nseg == 1) {
			v.present = v.object = d->exec_known && d->exec_known(d->ud, o->seg[0]);
		} else if (o->nseg == 2 && d->exec_meta) {
			v.s = d->exec_meta(d->ud, o->seg[0], o->seg[1]);
			v.present = v.s != NULL;
		}
		break;
	}
	return v;
}

static bool num_of(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !*end && !errno;
}

/* Compare a resolved string with a literal operand. */
static bool str_eq_lit(const char *s, const struct roperand *lit)
{
	double d;
	switch (lit->kind) {
	case K_STR:
		return strcmp(s, lit->str) == 0;
	case K_NUM:
		return num_of(s, &d) && d == lit->num;
	case K_BOOL:
		return strcmp(s, lit->b ? "true" : "false") == 0;
	default:
		return false;
	}
}

static bool lit_eq(const struct roperand *a, const struct roperand *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case K_STR:
		return strcmp(a->str, b->str) == 0;
	case K_NUM:
		return a->num == b->num;
	case K_BOOL:
		return a->b == b->b;
	default:
		return false;
	}
}

static bool operands_equal(const struct roperand *a, const struct roperand *b,
                           const drove__sched_ruledoc *d)
{
	if (a->kind == K_PTR && b->kind == K_PTR) {
		struct rval x = resolve(a, d), y = resolve(b, d);
		return x.present && y.present && x.s && y.s && strcmp(x.s, y.s) == 0;
	}
	if (a->kind == K_PTR || b->kind == K_PTR) {
		const struct roperand *ptr = a->kind == K_PTR ? a : b;
		const struct roperand *lit = a->kind == K_PTR ? b : a;
		struct rval x = resolve(ptr, d);
		return x.present && x.s && str_eq_lit(x.s, lit);
	}
	return lit_eq(a, b);
}

static bool eval_node(const struct drove__sched_rule *r, int i, const drove__sched_ruledoc *d)
{
	const struct rnode *n = &r->nodes[i];
	switch (n->op) {
	case R_OR:
		return eval_node(r, n->a, d) || eval_node(r, n->b, d);
	case R_AND:
		return eval_node(r, n->a, d) && eval_node(r, n->b, d);
	case R_NOT:
		return !eval_node(r, n->a, d);
	case R_EQ:
		return operands_equal(&n->l, &n->r, d);
	case R_NE:
		return !operands_equal(&n->l, &n->r, d);
	case R_EXISTS:
		return resolve(&n->l, d).present;
	case R_CONST:
		return n->value;
	}
	return false;
}

bool drove__sched_rule_eval(const struct drove__sched_rule *r, const drove__sched_ruledoc *doc)
{
	if (!r || !doc)
		return false;
	return eval_node(r, r->root, doc);
}
