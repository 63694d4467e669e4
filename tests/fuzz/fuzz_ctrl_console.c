/* Fuzz the console's escaping (libdrove/ctrl/console_html.c): whatever the bytes, the escaped
 * text holds no markup character and decodes back to the input, and the URL segment holds
 * only unreserved characters and %XX escapes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_esc(const char *s)
{
	drove__buf b = DROVE_BUF_INIT, back = DROVE_BUF_INIT;
	static const struct {
		const char *ent;
		char ch;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};

	if (drove__html_esc(&b, s) < 0)
		abort();
	for (const char *p = b.data ? b.data : ""; *p;) {
		size_t k = 0;
		if (strchr("<>\"'", *p))
			abort();
		if (*p != '&') {
			drove__buf_putc(&back, *p++);
			continue;
		}
		while (k < DROVE_ARRAY_LEN(ents) && strncmp(p, ents[k].ent, strlen(ents[k].ent)))
			k++;
		if (k == DROVE_ARRAY_LEN(ents))
			abort(); /* a bare '&' */
		drove__buf_putc(&back, ents[k].ch);
		p += strlen(ents[k].ent);
	}
	if (strcmp(back.data ? back.data : "", s))
		abort();
	drove__buf_free(&b);
	drove__buf_free(&back);
}

static void check_url(const char *s)
{
	drove__buf b = DROVE_BUF_INIT;
	if (drove__html_url(&b, s) < 0)
		abort();
	for (const char *p = b.data ? b.data : ""; *p; p++) {
		if (*p == '%') {
			if (!strchr("0123456789ABCDEF", p[1]) || !p[1] ||
			    !strchr("0123456789ABCDEF", p[2]) || !p[2])
				abort();
			p += 2;
		} else if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"
		                   "._~",
		                   *p)) {
			abort();
		}
	}
	drove__buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	drove__buf b = DROVE_BUF_INIT;
	int64_t ms = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_esc(s);
	check_url(s);
	memcpy(&ms, data, size < sizeof(ms) ? size : sizeof(ms));
	if (drove__html_time(&b, ms) < 0 ||
	    drove__html_put(&b, "<p title=\"%s\">%u %t</p>", s, s, ms) < 0)
		abort();
	drove__buf_free(&b);
	free(s);
	return 0;
}
