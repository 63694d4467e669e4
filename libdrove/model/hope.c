/* HOPE rule parser (model/hope.h; grammar in docs/scheduler.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "model/hope.h"

enum tok {
	T_END,
	T_COMMA,
	T_LP,
	T_RP,
	T_LB,
	T_RB,
	T_EQ,
	T_NE,
	T_GT,
	T_GE,
	T_LT,
	T_LE,
	T_CARET,
	T_BAR,
	T_AMP,
	T_ANDAND,
	T_OROR,
	T_BANG,
	T_NUM,
	T_BOOL,
	T_NAME,
	T_STR,
	T_PTR,
	T_PATH
};

struct token {
	enum tok t;
	size_t at, len;   /* offset and length in the text */
	size_t vat, vlen; /* the value between quotes (T_STR, T_PTR, T_PATH) */
	double num;
	bool b;
};

struct parser {
	const char *s;
	size_t len, pos;
	int depth;
	drove__hope *h;
};

static const struct {
	const char *name;
	int min, max; /* max -1: any number */
} fns[HF__COUNT] = {
        [HF_ARR_CONTAINS_ALL] = {"arr.contains_all", 2, 2},
        [HF_ARR_CONTAINS_ANY] = {"arr.contains_any", 2, 2},
        [HF_ARR_IN] = {"arr.in", 2, 2},
        [HF_ARR_NOT_IN] = {"arr.not_in", 2, 2},
        [HF_ARR_IS_EMPTY] = {"arr.is_empty", 1, 1},
        [HF_ARR_LEN] = {"arr.len", 1, 1},
        [HF_DATE_DAY_OF_MONTH] = {"date.day_of_month", 0, 0},
        [HF_DATE_DAY_OF_WEEK] = {"date.day_of_week", 0, 0},
        [HF_DATE_DAY_OF_YEAR] = {"date.day_of_year", 0, 0},
        [HF_DATE_HOUR_OF_DAY] = {"date.hour_of_day", 0, 0},
        [HF_DATE_MINUTE_OF_HOUR] = {"date.minute_of_hour", 0, 0},
        [HF_DATE_MONTH_OF_YEAR] = {"date.month_of_year", 0, 0},
        [HF_DATE_NOW] = {"date.now", 0, 0},
        [HF_DATE_SECOND_OF_MINUTE] = {"date.second_of_minute", 0, 0},
        [HF_DATE_WEEK_OF_MONTH] = {"date.week_of_month", 0, 0},
        [HF_DATE_WEEK_OF_YEAR] = {"date.week_of_year", 0, 0},
        [HF_DATE_YEAR] = {"date.year", 0, 0},
        [HF_MATH_ABS] = {"math.abs", 1, 1},
        [HF_MATH_ADD] = {"math.add", 0, -1},
        [HF_MATH_CEIL] = {"math.ceil", 1, 1},
        [HF_MATH_DIV] = {"math.div", 2, 2},
        [HF_MATH_FLOOR] = {"math.floor", 1, 1},
        [HF_MATH_MOD] = {"math.mod", 2, 2},
        [HF_MATH_PROD] = {"math.prod", 0, -1},
        [HF_MATH_NEGATE] = {"math.negate", 1, 1},
        [HF_MATH_SUB] = {"math.sub", 2, 2},
        [HF_PATH_EXISTS] = {"path.exists", 1, 1},
        [HF_POINTER_EXISTS] = {"pointer.exists", 1, 1},
        [HF_STR_LEN] = {"str.len", 1, 1},
        [HF_STR_LOWER] = {"str.lower", 1, 1},
        [HF_STR_MATCH] = {"str.match", 2, 2},
        [HF_STR_SUBSTR] = {"str.substr", 2, 3},
        [HF_STR_UPPER] = {"str.upper", 1, 1},
        [HF_SYS_EPOCH] = {"sys.epoch", 0, 0},
        [HF_UTILS_HASH_J] = {"utils.hash_j", 1, 1},
        [HF_UTILS_HASH_M128] = {"utils.hash_m128", 1, 1},
};

const char *drove__model_hope_fn_name(int fn)
{
	return fn >= 0 && fn < HF__COUNT ? fns[fn].name : "?";
}

void drove__model_hope_free(drove__hope *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->nodes[i].str);
		for (size_t j = 0; j < h->nodes[i].nseg; j++)
			free(h->nodes[i].seg[j]);
		free(h->nodes[i].seg);
	}
	free(h->nodes);
	free(h->kids);
	free(h);
}

/* ---- errors ---- */

static int perr_at(const struct parser *p, size_t at, const char *what)
{
	if (at >= p->len)
		return drove__error(DROVE_EINVAL, "rule: %s at end of rule (position %zu)", what,
		                    at + 1);
	size_t n = p->len - at;
	return drove__error(DROVE_EINVAL, "rule: %s, found '%.*s%s' at position %zu", what,
	                    (int)(n > 16 ? 16 : n), p->s + at, n > 16 ? "..." : "", at + 1);
}

static int perr(const struct parser *p, const struct token *t, const char *what)
{
	return perr_at(p, t->t == T_END ? p->len : t->at, what);
}

/* ---- lexer ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The characters HOPE allows in a quoted JSON pointer or JSONPath after its '/' or '$'. */
static bool is_path_char(char c)
{
	return is_digit(c) || is_alpha(c) || (c && strchr("@[](){}*. ?:-&|<>=~!/_", c));
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}

/* Numbers as HOPE writes them: -?(D+ | D+.D+ | D+. | .D+), no exponent. */
static bool lex_number(struct parser *p, struct token *t)
{
	size_t i = p->pos, digits = 0;
	char buf[72];
	if (i < p->len && p->s[i] == '-')
		i++;
	while (i < p->len && is_digit(p->s[i]))
		i++, digits++;
	if (i < p->len && p->s[i] == '.') {
		size_t frac = 0;
		i++;
		while (i < p->len && is_digit(p->s[i]))
			i++, frac++;
		if (digits == 0 && frac == 0)
			return false;
	} else if (digits == 0) {
		return false;
	}
	if (i - p->pos >= sizeof(buf))
		return false;
	memcpy(buf, p->s + p->pos, i - p->pos);
	buf[i - p->pos] = '\0';
	t->num = strtod(buf, NULL);
	t->t = T_NUM;
	t->len = i - p->pos;
	p->pos = i;
	return true;
}

static int lex_quoted(struct parser *p, struct token *t)
{
	char q = p->s[p->pos];
	size_t start = p->pos, end = p->pos + 1;
	while (end < p->len && p->s[end] != q)
		end++;
	if (end >= p->len)
		return drove__error(DROVE_EINVAL,
		                    "rule: unterminated string (no closing %c) at position %zu", q,
		                    start + 1);
	t->vat = start + 1;
	t->vlen = end - start - 1;
	t->len = end + 1 - start;
	t->t = T_STR;
	if (t->vlen > 0 && (p->s[t->vat] == '/' || p->s[t->vat] == '$')) {
		t->t = p->s[t->vat] == '/' ? T_PTR : T_PATH;
		if (t->vlen == 1)
			return drove__error(DROVE_EINVAL, "rule: empty %s %c%c%c at position %zu",
			                    t->t == T_PTR ? "JSON pointer" : "JSONPath", q,
			                    p->s[t->vat], q, start + 1);
		for (size_t i = t->vat + 1; i < end; i++)
			if (!is_path_char(p->s[i]))
				return drove__error(
				        DROVE_EINVAL,
				        "rule: character '%c' at position %zu is not allowed in a "
				        "%s "
				        "(HOPE allows letters, digits and @[](){}*. ?:-&|<>=~!/_)",
				        p->s[i], i + 1,
				        t->t == T_PTR ? "JSON pointer" : "JSONPath");
	}
	p->pos = end + 1;
	return 0;
}

static int next(struct parser *p, struct token *t)
{
	static const struct {
		const char *text;
		enum tok t;
	} ops[] = {{"&&", T_ANDAND}, {"||", T_OROR}, {"==", T_EQ},   {"!=", T_NE}, {">=", T_GE},
	           {"<=", T_LE},     {">", T_GT},    {"<", T_LT},    {"&", T_AMP}, {"|", T_BAR},
	           {"^", T_CARET},   {"!", T_BANG},  {",", T_COMMA}, {"(", T_LP},  {")", T_RP},
	           {"[", T_LB},      {"]", T_RB}};
	char c;

	skip_ws(p);
	memset(t, 0, sizeof(*t));
	t->at = p->pos;
	if (p->pos >= p->len) {
		t->t = T_END;
		return 0;
	}
	c = p->s[p->pos];
	if (c == '"' || c == '\'')
		return lex_quoted(p, t);
	if (is_digit(c) || c == '.' || c == '-') {
		if (lex_number(p, t))
			return 0;
		return perr_at(p, p->pos, "expected a number");
	}
	if (is_alpha(c)) {
		size_t i = p->pos + 1;
		while (i < p->len &&
		       (is_alpha(p->s[i]) || is_digit(p->s[i]) || p->s[i] == '_' || p->s[i] == '.'))
			i++;
		t->len = i - p->pos;
		p->pos = i;
		const char *w = p->s + t->at;
		if ((t->len == 4 && (!memcmp(w, "true", 4) || !memcmp(w, "TRUE", 4))) ||
		    (t->len == 5 && (!memcmp(w, "false", 5) || !memcmp(w, "FALSE", 5)))) {
			t->t = T_BOOL;
			t->b = t->len == 4;
		} else {
			t->t = T_NAME;
		}
		return 0;
	}
	for (size_t i = 0; i < DROVE_ARRAY_LEN(ops); i++) {
		size_t n = strlen(ops[i].text);
		if (p->len - p->pos >= n && memcmp(p->s + p->pos, ops[i].text, n) == 0) {
			t->t = ops[i].t;
			t->len = n;
			p->pos += n;
			return 0;
		}
	}
	return perr_at(p, p->pos, "unexpected character");
}

static int peek(struct parser *p, struct token *t)
{
	size_t save = p->pos;
	int rc = next(p, t);
	p->pos = save;
	return rc;
}

/* ---- tree ---- */

static int new_node(struct parser *p, enum drove__hope_kind kind, size_t at, int32_t *idx)
{
	drove__hope *h = p->h;
	int rc;
	if (h->n >= DROVE_HOPE_MAX_NODES)
		return drove__error(DROVE_EINVAL, "rule: more than %d terms at position %zu",
		                    DROVE_HOPE_MAX_NODES, at + 1);
	if ((rc = drove__grow(&h->nodes, &h->cap, h->n + 1, sizeof(*h->nodes))) < 0)
		return rc;
	memset(&h->nodes[h->n], 0, sizeof(h->nodes[0]));
	h->nodes[h->n].kind = (uint8_t)kind;
	h->nodes[h->n].pos = (uint32_t)(at + 1);
	h->nodes[h->n].lhs = h->nodes[h->n].rhs = -1;
	*idx = (int32_t)h->n++;
	return 0;
}

/* Append a list of child indexes to h->kids and point node `idx` at it. */
static int set_kids(struct parser *p, int32_t idx, const int32_t *list, size_t n)
{
	drove__hope *h = p->h;
	int rc;
	if (n && (rc = drove__grow(&h->kids, &h->capkids, h->nkids + n, sizeof(*h->kids))) < 0)
		return rc;
	if (n)
		memcpy(h->kids + h->nkids, list, n * sizeof(*list));
	h->nodes[idx].first = (uint32_t)h->nkids;
	h->nodes[idx].n = (uint32_t)n;
	h->nkids += n;
	return 0;
}

static int push_kid(int32_t **list, size_t *n, size_t *cap, int32_t v)
{
	int rc;
	if ((rc = drove__grow(list, cap, *n + 1, sizeof(**list))) < 0)
		return rc;
	(*list)[(*n)++] = v;
	return 0;
}

static int add_seg(struct drove__hope_node *nd, const char *s, size_t n)
{
	char *c;
	size_t cap = nd->nseg;
	if (drove__grow(&nd->seg, &cap, nd->nseg + 1, sizeof(*nd->seg)) < 0)
		return DROVE_ENOMEM;
	if (!(c = drove__strndup(s, n)))
		return DROVE_ENOMEM;
	nd->seg[nd->nseg++] = c;
	return 0;
}

/* JSON pointer tokens, unescaped as Jackson does: ~0 is '~', ~1 is '/', any other '~' stays. */
static int pointer_segments(struct drove__hope_node *nd, const char *s, size_t n)
{
	size_t i = 1; /* past the leading '/' */
	for (;;) {
		size_t st = i;
		char *tok;
		size_t j = 0;
		int rc;
		while (i < n && s[i] != '/')
			i++;
		if (!(tok = malloc(i - st + 1)))
			return drove__enomem();
		for (size_t k = st; k < i; k++) {
			if (s[k] == '~' && k + 1 < i && (s[k + 1] == '0' || s[k + 1] == '1')) {
				tok[j++] = s[k + 1] == '0' ? '~' : '/';
				k++;
			} else {
				tok[j++] = s[k];
			}
		}
		rc = add_seg(nd, tok, j);
		free(tok);
		if (rc < 0)
			return rc;
		if (i >= n)
			return 0;
		i++;
	}
}

/* JSONPath: libdrove evaluates `$` and `$.name.name...` (SchedulingInfo holds only objects and
 * strings); wildcards, filters, deep scans and indexes are refused. */
static int path_segments(struct parser *p, struct drove__hope_node *nd, const char *s, size_t n,
                         size_t at)
{
	size_t i = 1;
	while (i < n) {
		size_t st;
		if (s[i] != '.')
			break;
		st = ++i;
		while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || strchr("_-:/", s[i])))
			i++;
		if (i == st)
			break;
		if (add_seg(nd, s + st, i - st) < 0)
			return DROVE_ENOMEM;
	}
	if (i < n) {
		(void)p;
		return drove__error(DROVE_EINVAL,
		                    "rule: JSONPath '%.*s' at position %zu: only $ and $.name.name "
		                    "paths are supported (no [], *, .., filters or functions)",
		                    (int)(n > 64 ? 64 : n), s, at + 1);
	}
	return 0;
}

static int parse_combiner(struct parser *p, int32_t *out);
static int parse_typed(struct parser *p, enum drove__hope_as as, int32_t *out);

static int enter(struct parser *p, size_t at)
{
	if (++p->depth > DROVE_HOPE_MAX_DEPTH)
		return drove__error(DROVE_EINVAL, "rule: nesting deeper than %d at position %zu",
		                    DROVE_HOPE_MAX_DEPTH, at + 1);
	return 0;
}

static int lookup_fn(const char *w, size_t n)
{
	for (int i = 0; i < HF__COUNT; i++)
		if (strlen(fns[i].name) == n && memcmp(fns[i].name, w, n) == 0)
			return i;
	return -1;
}

static int parse_call(struct parser *p, const struct token *name, int32_t *out)
{
	int32_t *args = NULL, idx;
	size_t nargs = 0, cap = 0;
	struct token t;
	int fn, rc;

	fn = lookup_fn(p->s + name->at, name->len);
	if (fn < 0) {
		return drove__error(DROVE_EINVAL, "rule: unknown function '%.*s' at position %zu",
		                    (int)(name->len > 64 ? 64 : name->len), p->s + name->at,
		                    name->at + 1);
	}
	if ((rc = next(p, &t)) < 0)
		return rc;
	if (t.t != T_LP)
		return perr(p, &t, "expected '(' after a function name");
	if ((rc = enter(p, t.at)) < 0)
		return rc;
	if ((rc = peek(p, &t)) < 0)
		return rc;
	if (t.t == T_RP) {
		next(p, &t);
	} else {
		for (;;) {
			int32_t arg;
			if ((rc = peek(p, &t)) < 0)
				goto out;
			if (t.t == T_LB) {
				int32_t *items = NULL;
				size_t nitems = 0, capi = 0;
				next(p, &t);
				if ((rc = enter(p, t.at)) < 0 ||
				    (rc = new_node(p, HOPE_ARRAY, t.at, &arg)) < 0)
					goto out;
				if ((rc = peek(p, &t)) == 0 && t.t == T_RB) {
					next(p, &t);
				} else {
					while (rc == 0) {
						int32_t item;
						if ((rc = parse_typed(p, HOPE_AS_ANY, &item)) < 0 ||
						    (rc = push_kid(&items, &nitems, &capi, item)) <
						            0 ||
						    (rc = next(p, &t)) < 0)
							break;
						if (t.t == T_RB)
							break;
						if (t.t != T_COMMA)
							rc = perr(
							        p, &t,
							        "expected ',' or ']' in an array");
					}
				}
				if (rc == 0)
					rc = set_kids(p, arg, items, nitems);
				free(items);
				if (rc < 0)
					goto out;
				p->depth--;
			} else if ((rc = parse_typed(p, HOPE_AS_ANY, &arg)) < 0) {
				goto out;
			}
			if ((rc = push_kid(&args, &nargs, &cap, arg)) < 0 || (rc = next(p, &t)) < 0)
				goto out;
			if (t.t == T_RP)
				break;
			if (t.t != T_COMMA) {
				rc = perr(p, &t, "expected ',' or ')' in a function call");
				goto out;
			}
		}
	}
	p->depth--;
	if ((int)nargs < fns[fn].min || (fns[fn].max >= 0 && (int)nargs > fns[fn].max)) {
		if (fns[fn].min == fns[fn].max)
			rc = drove__error(DROVE_EINVAL,
			                  "rule: function '%s' takes %d argument%s, got %zu at "
			                  "position %zu",
			                  fns[fn].name, fns[fn].min, fns[fn].min == 1 ? "" : "s",
			                  nargs, name->at + 1);
		else
			rc = drove__error(
			        DROVE_EINVAL,
			        "rule: function '%s' takes %d to %d arguments, got %zu at "
			        "position %zu",
			        fns[fn].name, fns[fn].min, fns[fn].max, nargs, name->at + 1);
		goto out;
	}
	if (fn == HF_UTILS_HASH_M128 && p->h->nodes[args[0]].kind == HOPE_FUNC) {
		/* HOPE hashes the Java text of the call itself there, which has no C equivalent */
		rc = drove__error(
		        DROVE_EINVAL,
		        "rule: utils.hash_m128 of a function result (position %zu) is not "
		        "supported by libdrove",
		        name->at + 1);
		goto out;
	}
	if ((rc = new_node(p, HOPE_FUNC, name->at, &idx)) < 0 ||
	    (rc = set_kids(p, idx, args, nargs)) < 0)
		goto out;
	p->h->nodes[idx].fn = (uint8_t)fn;
	*out = idx;
out:
	free(args);
	return rc;
}

/* A value token already read: literal, pointer, path or function call. */
static int value_node(struct parser *p, const struct token *t, int32_t *out)
{
	static const enum drove__hope_kind kinds[] = {[T_NUM] = HOPE_NUM,
	                                              [T_BOOL] = HOPE_BOOL,
	                                              [T_STR] = HOPE_STR,
	                                              [T_PTR] = HOPE_PTR,
	                                              [T_PATH] = HOPE_PATH};
	struct drove__hope_node *nd;
	int32_t idx;
	int rc;

	if (t->t == T_NAME)
		return parse_call(p, t, out);
	if ((rc = new_node(p, kinds[t->t], t->at, &idx)) < 0)
		return rc;
	nd = &p->h->nodes[idx];
	nd->num = t->num;
	nd->b = t->b;
	if (t->t == T_STR || t->t == T_PTR || t->t == T_PATH) {
		if (!(nd->str = drove__strndup(p->s + t->vat, t->vlen)))
			return DROVE_ENOMEM;
		if (t->t == T_PTR)
			rc = pointer_segments(nd, nd->str, t->vlen);
		else if (t->t == T_PATH)
			rc = path_segments(p, nd, nd->str, t->vlen, t->at);
		if (rc < 0)
			return rc;
	}
	*out = idx;
	return 0;
}

/* An operand converted to `as`: which tokens HOPE accepts there. */
static int parse_typed(struct parser *p, enum drove__hope_as as, int32_t *out)
{
	static const char *expect[] = {
	        [HOPE_AS_ANY] = "expected a string, number, boolean, pointer, path or function",
	        [HOPE_AS_STR] = "expected a string, pointer, path or function",
	        [HOPE_AS_NUM] = "expected a number, pointer, path or function",
	        [HOPE_AS_BOOL] = "expected a boolean, pointer, path or function"};
	struct token t;
	bool ok;
	int rc;

	if ((rc = next(p, &t)) < 0)
		return rc;
	ok = t.t == T_PTR || t.t == T_PATH || t.t == T_NAME ||
	     (t.t == T_STR && as != HOPE_AS_NUM && as != HOPE_AS_BOOL) ||
	     (t.t == T_NUM && (as == HOPE_AS_ANY || as == HOPE_AS_NUM)) ||
	     (t.t == T_BOOL && (as == HOPE_AS_ANY || as == HOPE_AS_BOOL));
	if (!ok)
		return perr(p, &t, expect[as]);
	if ((rc = value_node(p, &t, out)) < 0)
		return rc;
	p->h->nodes[*out].as = (uint8_t)as;
	return 0;
}

static int binary(struct parser *p, enum drove__hope_kind kind, int32_t lhs, size_t at,
                  enum drove__hope_as rhs_as, int32_t *out)
{
	int32_t rhs, idx;
	int rc;
	if ((rc = parse_typed(p, rhs_as, &rhs)) < 0 || (rc = new_node(p, kind, at, &idx)) < 0)
		return rc;
	p->h->nodes[idx].lhs = lhs;
	p->h->nodes[idx].rhs = rhs;
	*out = idx;
	return 0;
}

static bool ends_expression(enum tok t)
{
	return t == T_END || t == T_ANDAND || t == T_OROR || t == T_RP;
}

static int parse_native(struct parser *p, int32_t *out)
{
	struct token t, op;
	int32_t lhs, idx;
	int rc;

	if ((rc = next(p, &t)) < 0)
		return rc;
	if (t.t == T_CARET) {
		if ((rc = parse_typed(p, HOPE_AS_BOOL, &lhs)) < 0 ||
		    (rc = new_node(p, HOPE_BNOT, t.at, &idx)) < 0)
			return rc;
		p->h->nodes[idx].lhs = lhs;
		*out = idx;
		return 0;
	}
	if (t.t != T_BOOL && t.t != T_NUM && t.t != T_STR && t.t != T_PTR && t.t != T_PATH &&
	    t.t != T_NAME)
		return perr(p, &t, "expected an expression (a comparison, '(', '^' or '!')");
	if ((rc = value_node(p, &t, &lhs)) < 0 || (rc = peek(p, &op)) < 0)
		return rc;
	struct drove__hope_node *l = &p->h->nodes[lhs];
	bool ref = t.t == T_PTR || t.t == T_PATH || t.t == T_NAME;
	switch (op.t) {
	case T_EQ:
	case T_NE:
		next(p, &op);
		return binary(p, op.t == T_EQ ? HOPE_EQ : HOPE_NE, lhs, op.at,
		              t.t == T_BOOL  ? HOPE_AS_BOOL
		              : t.t == T_NUM ? HOPE_AS_NUM
		              : t.t == T_STR ? HOPE_AS_STR
		                             : HOPE_AS_ANY,
		              out);
	case T_GT:
	case T_GE:
	case T_LT:
	case T_LE:
		if (!ref && t.t != T_NUM)
			break;
		next(p, &op);
		l->as = HOPE_AS_NUM;
		return binary(p,
		              op.t == T_GT   ? HOPE_GT
		              : op.t == T_GE ? HOPE_GE
		              : op.t == T_LT ? HOPE_LT
		                             : HOPE_LE,
		              lhs, op.at, HOPE_AS_NUM, out);
	case T_AMP:
	case T_BAR:
		if (!ref && t.t != T_BOOL)
			break;
		next(p, &op);
		l->as = HOPE_AS_BOOL;
		return binary(p, op.t == T_AMP ? HOPE_BAND : HOPE_BOR, lhs, op.at, HOPE_AS_BOOL,
		              out);
	default:
		if (ends_expression(op.t) && (t.t == T_PTR || t.t == T_BOOL)) {
			/* libdrove: a lone pointer tests existence, a lone boolean is itself */
			if ((rc = new_node(p, t.t == T_PTR ? HOPE_EXISTS : HOPE_CONST, t.at,
			                   &idx)) < 0)
				return rc;
			p->h->nodes[idx].lhs = lhs;
			p->h->nodes[idx].b = t.b;
			*out = idx;
			return 0;
		}
		break;
	}
	switch (t.t) {
	case T_STR:
		return perr(p, &op, "expected '==' or '!=' after a string");
	case T_NUM:
		return perr(p, &op, "expected '==', '!=', '>', '>=', '<' or '<=' after a number");
	case T_BOOL:
		return perr(p, &op, "expected '==', '!=', '&' or '|' after a boolean");
	default:
		return perr(p, &op,
		            "expected a comparison ('==', '!=', '>', '>=', '<', '<=', '&' or '|')");
	}
}

static int parse_expression(struct parser *p, int32_t *out)
{
	struct token t;
	int rc;

	if ((rc = peek(p, &t)) < 0)
		return rc;
	if (t.t == T_LP) {
		next(p, &t);
		if ((rc = enter(p, t.at)) < 0)
			return rc;
		if ((rc = parse_combiner(p, out)) < 0 || (rc = next(p, &t)) < 0)
			return rc;
		if (t.t != T_RP)
			return perr(p, &t, "expected '&&', '||' or ')'");
		p->depth--;
		return 0;
	}
	if (t.t == T_BANG) {
		int32_t kid, idx;
		next(p, &t);
		if ((rc = enter(p, t.at)) < 0 || (rc = parse_expression(p, &kid)) < 0 ||
		    (rc = new_node(p, HOPE_XNOT, t.at, &idx)) < 0)
			return rc;
		p->depth--;
		p->h->nodes[idx].lhs = kid;
		*out = idx;
		return 0;
	}
	return parse_native(p, out);
}

/* expr (('&&' | '||') expr)*. As in HOPE, '&&' does not bind tighter than '||': a chain is one
 * combiner of the kind of its last operator (a && b || c is any-of a, b, c). */
static int parse_combiner(struct parser *p, int32_t *out)
{
	int32_t *list = NULL, e, idx;
	size_t n = 0, cap = 0, at = 0;
	enum tok last = T_END;
	struct token t;
	int rc;

	if ((rc = parse_expression(p, &e)) < 0 || (rc = push_kid(&list, &n, &cap, e)) < 0)
		goto out;
	for (;;) {
		if ((rc = peek(p, &t)) < 0)
			goto out;
		if (t.t != T_ANDAND && t.t != T_OROR)
			break;
		next(p, &t);
		last = t.t;
		at = t.at;
		if ((rc = parse_expression(p, &e)) < 0 || (rc = push_kid(&list, &n, &cap, e)) < 0)
			goto out;
	}
	if (n == 1) {
		*out = list[0];
	} else {
		if ((rc = new_node(p, last == T_ANDAND ? HOPE_ALL : HOPE_ANY, at, &idx)) < 0 ||
		    (rc = set_kids(p, idx, list, n)) < 0)
			goto out;
		*out = idx;
	}
out:
	free(list);
	return rc;
}

int drove__model_hope_parse(const char *text, drove__hope **out)
{
	struct parser p;
	struct token t;
	int rc;

	DROVE_CHECK_ARG(text && out);
	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = strnlen(text, DROVE_HOPE_MAX_LEN + 1);
	if (p.len > DROVE_HOPE_MAX_LEN)
		return drove__error(DROVE_EINVAL, "rule: %zu bytes exceeds the %d-byte limit",
		                    strlen(text), DROVE_HOPE_MAX_LEN);
	skip_ws(&p);
	if (p.pos >= p.len)
		return drove__error(DROVE_EINVAL, "rule: empty rule");
	if (!(p.h = calloc(1, sizeof(*p.h))))
		return drove__enomem();
	if ((rc = parse_combiner(&p, &p.h->root)) < 0 || (rc = next(&p, &t)) < 0)
		goto fail;
	if (t.t != T_END) {
		rc = perr(&p, &t, "expected '&&', '||' or end of rule");
		goto fail;
	}
	*out = p.h;
	return 0;
fail:
	drove__model_hope_free(p.h);
	return rc;
}
