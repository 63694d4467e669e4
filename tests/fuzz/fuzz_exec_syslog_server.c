/* Fuzz the reading of a RSYSLOG loggingSpec's server (drove__exec_syslog_parse_server): any
 * bytes give either an error or a non-empty host of at most 255 bytes and a port 1..65535. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "exec/exec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *host = NULL;
	int port = 0, tcp = -1;
	if (size > 4096 || !(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove__exec_syslog_parse_server(s, &host, &port, &tcp) == 0) {
		size_t n = strlen(host);
		if (!n || n > 255 || port < 1 || port > 65535 || (tcp != 0 && tcp != 1))
			abort();
	} else if (host) {
		abort();
	}
	free(host);
	free(s);
	return 0;
}
