/* The console's escaping and template helper (console.h): every byte of data that reaches a
 * page goes through drove__html_esc or drove__html_url. Pure; any thread. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ctrl/console.h"

int drove__html_esc(drove__buf *b, const char *s)
{
	const char *run = s;
	if (!s)
		return 0;
	for (; *s; s++) {
		const char *ent;
		switch (*s) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		if (drove__buf_append(b, run, (size_t)(s - run)) < 0 || drove__buf_puts(b, ent) < 0)
			return DROVE_ENOMEM;
		run = s + 1;
	}
	return drove__buf_append(b, run, (size_t)(s - run)) < 0 ? DROVE_ENOMEM : 0;
}

static bool unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

int drove__html_url(drove__buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		if (unreserved(*p) ? drove__buf_putc(b, (char)*p) < 0
		                   : drove__buf_append(b, enc, 3) < 0)
			return DROVE_ENOMEM;
	}
	return 0;
}

int drove__html_time(drove__buf *b, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[40];
	if (ms <= 0 || !gmtime_r(&t, &tm) || !strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm))
		return drove__buf_putc(b, '-') < 0 ? DROVE_ENOMEM : 0;
	return drove__buf_puts(b, s) < 0 ? DROVE_ENOMEM : 0;
}

int drove__html_vput(drove__buf *b, const char *tpl, va_list ap)
{
	const char *run = tpl, *p = tpl;
	int rc = 0;

	for (; *p && rc == 0; p++) {
		char num[24];
		if (*p != '%')
			continue;
		if (drove__buf_append(b, run, (size_t)(p - run)) < 0)
			return DROVE_ENOMEM;
		switch (*++p) {
		case 's':
			rc = drove__html_esc(b, va_arg(ap, const char *));
			break;
		case 'u':
			rc = drove__html_url(b, va_arg(ap, const char *));
			break;
		case 'r': {
			const char *raw = va_arg(ap, const char *);
			rc = drove__buf_puts(b, raw ? raw : "") < 0 ? DROVE_ENOMEM : 0;
			break;
		}
		case 'd':
			snprintf(num, sizeof(num), "%" PRId64, va_arg(ap, int64_t));
			rc = drove__buf_puts(b, num) < 0 ? DROVE_ENOMEM : 0;
			break;
		case 't':
			rc = drove__html_time(b, va_arg(ap, int64_t));
			break;
		case '%':
			rc = drove__buf_putc(b, '%') < 0 ? DROVE_ENOMEM : 0;
			break;
		default:
			return drove__error(DROVE_EINVAL, "template: unknown directive '%%%.1s'",
			                    p);
		}
		run = p + 1;
	}
	if (rc < 0)
		return rc;
	return drove__buf_append(b, run, (size_t)(p - run)) < 0 ? DROVE_ENOMEM : 0;
}

int drove__html_put(drove__buf *b, const char *tpl, ...)
{
	va_list ap;
	int rc;
	va_start(ap, tpl);
	rc = drove__html_vput(b, tpl, ap);
	va_end(ap);
	return rc;
}

int drove__html_json(drove__buf *b, struct json_object *j)
{
	return drove__html_esc(b, json_object_to_json_string_ext(
	                                  j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                             JSON_C_TO_STRING_NOSLASHESCAPE));
}
