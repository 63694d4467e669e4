/*
 * HOPE rule language (the RULE_BASED placement rules Drove evaluates with the Java library
 * io.appform.hope): the parsed tree. The parser lives in model so spec validation can refuse a
 * rule it cannot parse; sched/rule.c evaluates the tree over the SchedulingInfo document.
 * The grammar, the type rules and what libdrove adds or leaves out: docs/scheduler.md.
 *
 * Caps: DROVE_HOPE_MAX_LEN bytes of text, DROVE_HOPE_MAX_DEPTH levels of nesting (parentheses,
 * function calls, arrays, '!'), DROVE_HOPE_MAX_NODES tree nodes. A tree is immutable once
 * parsed; evaluating it from several threads at once is safe.
 */
#ifndef DROVE_MODEL_HOPE_H
#define DROVE_MODEL_HOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DROVE_HOPE_MAX_LEN   4096 /* bytes */
#define DROVE_HOPE_MAX_DEPTH 32
#define DROVE_HOPE_MAX_NODES 1024

enum drove__hope_kind {
	/* values */
	HOPE_STR,  /* str */
	HOPE_NUM,  /* num */
	HOPE_BOOL, /* b */
	HOPE_PTR,  /* JSON pointer: str = text, seg/nseg = unescaped tokens */
	HOPE_PATH, /* JSONPath (only $ and $.a.b): str = text, seg/nseg = names */
	HOPE_FUNC, /* fn, args kids[first .. first+n) */
	HOPE_ARRAY,
	/* boolean expressions over lhs and rhs */
	HOPE_EQ,
	HOPE_NE,
	HOPE_GT,
	HOPE_GE,
	HOPE_LT,
	HOPE_LE,
	HOPE_BAND, /* '&' between two booleans */
	HOPE_BOR,  /* '|' */
	HOPE_BNOT, /* '^' lhs */
	HOPE_ALL,  /* '&&' chain: kids[first .. first+n) */
	HOPE_ANY,  /* '||' chain */
	/* libdrove additions (rules written for libdrove before HOPE was complete) */
	HOPE_XNOT,   /* '!' lhs: negates an expression */
	HOPE_EXISTS, /* a lone pointer: lhs = the pointer node */
	HOPE_CONST   /* a lone true / false: b */
};

/* What a value is converted to where it is used (HOPE's typed operand wrappers). */
enum drove__hope_as { HOPE_AS_ANY, HOPE_AS_STR, HOPE_AS_NUM, HOPE_AS_BOOL };

enum drove__hope_fn {
	HF_ARR_CONTAINS_ALL,
	HF_ARR_CONTAINS_ANY,
	HF_ARR_IN,
	HF_ARR_NOT_IN,
	HF_ARR_IS_EMPTY,
	HF_ARR_LEN,
	HF_DATE_DAY_OF_MONTH,
	HF_DATE_DAY_OF_WEEK,
	HF_DATE_DAY_OF_YEAR,
	HF_DATE_HOUR_OF_DAY,
	HF_DATE_MINUTE_OF_HOUR,
	HF_DATE_MONTH_OF_YEAR,
	HF_DATE_NOW,
	HF_DATE_SECOND_OF_MINUTE,
	HF_DATE_WEEK_OF_MONTH,
	HF_DATE_WEEK_OF_YEAR,
	HF_DATE_YEAR,
	HF_MATH_ABS,
	HF_MATH_ADD,
	HF_MATH_CEIL,
	HF_MATH_DIV,
	HF_MATH_FLOOR,
	HF_MATH_MOD,
	HF_MATH_PROD,
	HF_MATH_NEGATE,
	HF_MATH_SUB,
	HF_PATH_EXISTS,
	HF_POINTER_EXISTS,
	HF_STR_LEN,
	HF_STR_LOWER,
	HF_STR_MATCH,
	HF_STR_SUBSTR,
	HF_STR_UPPER,
	HF_SYS_EPOCH,
	HF_UTILS_HASH_J,
	HF_UTILS_HASH_M128,
	HF__COUNT
};

struct drove__hope_node {
	uint8_t kind; /* enum drove__hope_kind */
	uint8_t as;   /* enum drove__hope_as: conversion where this value is used */
	uint8_t fn;   /* enum drove__hope_fn (HOPE_FUNC) */
	bool b;
	uint32_t pos;      /* 1-based position in the text, for messages */
	int32_t lhs, rhs;  /* operands (a unary operator uses lhs) */
	uint32_t first, n; /* children in drove__hope.kids */
	double num;
	char *str;
	char **seg;
	size_t nseg;
};

typedef struct drove__hope {
	struct drove__hope_node *nodes;
	size_t n, cap;
	int32_t *kids;
	size_t nkids, capkids;
	int32_t root;
} drove__hope;

/* Parse `text` (NUL-terminated). @return 0 and a new tree in *out, DROVE_EINVAL with a message
 * "rule: <problem> at position N" (what was expected, what was found), or DROVE_ENOMEM. */
int drove__model_hope_parse(const char *text, drove__hope **out);
void drove__model_hope_free(drove__hope *h);
/* The HOPE name of a function ("str.len"). */
const char *drove__model_hope_fn_name(int fn);

#endif
