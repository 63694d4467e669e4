/* Identifiers (DROVE_API.md §0.4). */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include <drove/ids.h>
#include "core/internal.h"

int drove_id_is_valid_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int join_id(const char *what1, const char *a, const char *what2, const char *b, char **out)
{
	char *s;

	DROVE_CHECK_ARG(out);
	if (!drove_id_is_valid_name(a))
		return drove__error(DROVE_EINVAL, "%s: '%s' must be non-empty [a-zA-Z0-9_-]", what1,
		                    a ? a : "(null)");
	if (!drove_id_is_valid_name(b))
		return drove__error(DROVE_EINVAL, "%s: '%s' must be non-empty [a-zA-Z0-9_-]", what2,
		                    b ? b : "(null)");
	if (!(s = drove__asprintf("%s-%s", a, b)))
		return DROVE_ENOMEM;
	*out = s;
	return 0;
}

int drove_app_id(const char *name, const char *version, char **out)
{
	return join_id("name", name, "version", version, out);
}

int drove_task_run_id(const char *source_app, const char *task_id, char **out)
{
	return join_id("sourceAppName", source_app, "taskId", task_id, out);
}

static void format_uuid(const unsigned char b[16], char *buf)
{
	static const char hex[] = "0123456789abcdef";
	char *p = buf;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 15];
	}
	*p = '\0';
}

int drove_uuid_random(drove_ctx *ctx, char *buf, size_t len)
{
	unsigned char b[16];

	DROVE_CHECK_ARG(ctx && buf && len > DROVE_UUID_LEN);
	drove__rand_bytes(ctx, b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	format_uuid(b, buf);
	return 0;
}

int drove_uuid_name(const void *bytes, size_t n, char *buf, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	DROVE_CHECK_ARG((bytes || n == 0) && buf && len > DROVE_UUID_LEN);
	if (!EVP_Digest(bytes, n, md, &mdlen, EVP_md5(), NULL) || mdlen != 16)
		return drove__error(DROVE_ERROR, "md5 digest unavailable");
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x30);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	format_uuid(md, buf);
	return 0;
}

int drove_instance_id_new(drove_ctx *ctx, int kind, char **out)
{
	static const char *const prefixes[] = {[DROVE_KIND_APP] = "AI-",
	                                       [DROVE_KIND_TASK] = "TI-",
	                                       [DROVE_KIND_LOCAL_SERVICE] = "SI-"};
	char uuid[DROVE_UUID_LEN + 1];
	int rc;

	DROVE_CHECK_ARG(ctx && out);
	if (kind < DROVE_KIND_APP || kind > DROVE_KIND_LOCAL_SERVICE)
		return drove__error(DROVE_EINVAL, "instance kind: unknown value %d", kind);
	if ((rc = drove_uuid_random(ctx, uuid, sizeof(uuid))) < 0)
		return rc;
	if (!(*out = drove__asprintf("%s%s", prefixes[kind], uuid)))
		return DROVE_ENOMEM;
	return 0;
}

int drove_executor_id(const char *hostname, int port, char *buf, size_t len)
{
	char key[512];
	int n;

	DROVE_CHECK_ARG(hostname && *hostname && buf);
	if (port < 0 || port > 65535)
		return drove__error(DROVE_EINVAL, "port: %d is not in 0..65535", port);
	n = snprintf(key, sizeof(key), "%s:%d", hostname, port);
	if (n < 0 || (size_t)n >= sizeof(key))
		return drove__error(DROVE_EINVAL, "hostname: too long (%zu bytes)",
		                    strlen(hostname));
	return drove_uuid_name(key, (size_t)n, buf, len);
}
