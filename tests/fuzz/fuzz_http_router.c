/* Fuzz the router (path splitting, percent-decoding, matching) and query-string parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "http/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static drove__http_router *router;

static void init(void)
{
	static const char *patterns[] = {
	        "/apis/v1/ping",
	        "/apis/v1/applications/operations",
	        "/apis/v1/applications/{appId}",
	        "/apis/v1/applications/{appId}/instances/{instanceId}",
	        "/apis/v1/logfiles/{kind}/{id1}/{id2}/read/{fileName}",
	        "/",
	};
	if (router || drove__http_router_new(&router) < 0)
		return;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(patterns); i++)
		if (drove__http_router_add(router, DROVE_HTTP_GET | DROVE_HTTP_POST, patterns[i],
		                           (void *)patterns[i]) < 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *q, *dec = NULL;
	drove__http_match m;
	struct evkeyvalq query;
	int rc;

	init();
	if (!router || !(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((q = strchr(s, '?')))
		*q++ = '\0';
	rc = drove__http_router_match(router, DROVE_HTTP_GET, s, &m);
	if (rc == 0) {
		if (!m.route)
			abort();
		for (size_t i = 0; i < m.nparams; i++)
			if (!m.values[i] || !m.values[i][0] || !m.names[i])
				abort(); /* parameters are never empty */
		drove__http_match_clear(&m);
	} else if (rc != DROVE_ENOTFOUND && rc != DROVE_EINVAL && rc != DROVE_ECONFLICT) {
		abort();
	}
	if (drove__http_pct_decode(s, strlen(s), &dec) == 0) {
		if (strlen(dec) > strlen(s))
			abort(); /* decoding never grows */
		free(dec);
	}
	if (q) {
		memset(&query, 0, sizeof(query));
		query.tqh_last = &query.tqh_first;
		if (evhttp_parse_query_str(q, &query) == 0)
			evhttp_clear_headers(&query);
		else
			evhttp_clear_headers(&query);
	}
	free(s);
	return 0;
}
