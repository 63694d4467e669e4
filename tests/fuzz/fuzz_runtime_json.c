/* Fuzz the parsers of the engine's JSON responses (inspect, list, version, stats, exec,
 * pull progress, error bodies). The first byte picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s;
	size_t n;
	char *copy;

	if (size < 1)
		return 0;
	n = size - 1;
	if (!(copy = malloc(n + 1)))
		return 0;
	memcpy(copy, data + 1, n);
	copy[n] = '\0';
	s = copy;
	switch (data[0] % 7) {
	case 0: {
		drove_container_info *c = NULL;
		if (drove__runtime_parse_inspect(s, n, &c) == 0) {
			(void)drove_container_info_host_port(c, 8000);
			(void)drove_container_info_label(c, "drove.instance.id");
			drove__runtime_info_free(c);
		}
		break;
	}
	case 1: {
		drove_container_info **l = NULL;
		size_t cnt = 0;
		if (drove__runtime_parse_list(s, n, &l, &cnt) == 0) {
			for (size_t i = 0; i < cnt; i++)
				drove__runtime_info_free(l[i]);
			free(l);
		}
		break;
	}
	case 2: {
		char e[16], a[16];
		(void)drove__runtime_parse_version(s, n, e, sizeof(e), a, sizeof(a));
		break;
	}
	case 3: {
		int64_t st[DROVE_STAT_COUNT];
		(void)drove__runtime_parse_stats(s, n, st);
		break;
	}
	case 4: {
		int ec, running;
		(void)drove__runtime_parse_exec(s, n, &ec, &running);
		(void)drove__runtime_parse_time(s);
		break;
	}
	case 5: {
		char *t = NULL, *e = NULL;
		if (drove__runtime_parse_pull_line(s, n, &t, &e) == 0) {
			free(t);
			free(e);
		}
		break;
	}
	default: {
		char *m = drove__runtime_engine_message(s, n, 500);
		free(m);
		break;
	}
	}
	free(copy);
	return 0;
}
