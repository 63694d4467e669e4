/* Per-thread error state and the error-code table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/version.h>
#include "core/internal.h"

struct error_state {
	drove_error pub;
	char msg[DROVE_ERROR_MSG_MAX];
};

static _Thread_local struct error_state tls_error = {{0, ""}, {0}};

const drove_error *drove_error_last(void)
{
	if (tls_error.pub.message == NULL)
		tls_error.pub.message = "";
	return &tls_error.pub;
}

void drove_error_clear(void)
{
	tls_error.pub.code = 0;
	tls_error.msg[0] = '\0';
	tls_error.pub.message = tls_error.msg;
}

int drove__verror(int code, const char *fmt, va_list ap)
{
	/* Format into a local buffer first: an argument may be the current message itself
	 * ("spec.%s", drove_error_last()->message). */
	char tmp[DROVE_ERROR_MSG_MAX];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n >= (int)sizeof(tmp))
		memcpy(tmp + sizeof(tmp) - 4, "...", 4);
	memcpy(tls_error.msg, tmp, sizeof(tmp));
	tls_error.pub.code = code;
	tls_error.pub.message = tls_error.msg;
	return code;
}

int drove__error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	drove__verror(code, fmt, ap);
	va_end(ap);
	return code;
}

int drove__enomem(void)
{
	tls_error.pub.code = DROVE_ENOMEM;
	tls_error.pub.message = "out of memory";
	return DROVE_ENOMEM;
}

const char *drove_strerror(int code)
{
	switch (code) {
	case DROVE_OK: return "success";
	case DROVE_ERROR: return "error";
	case DROVE_ENOMEM: return "out of memory";
	case DROVE_EINVAL: return "invalid argument";
	case DROVE_ENOTFOUND: return "not found";
	case DROVE_EEXISTS: return "already exists";
	case DROVE_ENORESOURCE: return "not enough resources";
	case DROVE_EAUTH: return "not authorised";
	case DROVE_EUNAVAIL: return "unavailable";
	case DROVE_ETIMEOUT: return "timed out";
	case DROVE_ECONFLICT: return "conflict";
	case DROVE_ESTALE: return "stale leader term";
	case DROVE_EIO: return "i/o error";
	default: return "unknown error";
	}
}

void drove_free(void *p)
{
	free(p);
}

void drove_version(int *major, int *minor, int *patch)
{
	if (major)
		*major = DROVE_VERSION_MAJOR;
	if (minor)
		*minor = DROVE_VERSION_MINOR;
	if (patch)
		*patch = DROVE_VERSION_PATCH;
}

const char *drove_version_string(void)
{
	return DROVE_VERSION_STRING;
}
