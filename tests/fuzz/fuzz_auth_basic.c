/* Fuzz the Authorization header parser and the whole authentication chain. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "auth/auth.h"
#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static drove_ctx *ctx;
static drove_auth *auth;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *user = NULL, *pass = NULL;
	drove_principal *p = NULL;

	if (!auth) {
		if (drove_ctx_new(&ctx) < 0 || drove_auth_new(&auth, ctx) < 0)
			return 0;
		drove_auth_add_user(auth, "admin", "s3cret", DROVE_AUTH_PLAIN,
		                    DROVE_ROLE_EXTERNAL_ROOT);
		drove_auth_add_cluster_secret(auth, "EXECUTOR", "exe");
	}
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove__auth_parse_basic(s, &user, &pass) == 0) {
		if (!user || !pass || strchr(user, ':'))
			abort(); /* the user name ends at the first ':' */
		free(user);
		free(pass);
	} else if (drove_error_last()->code != DROVE_EAUTH &&
	           drove_error_last()->code != DROVE_ENOMEM) {
		abort();
	}
	if (drove_auth_authenticate(auth, s, NULL, NULL, s, &p) == 0) {
		if (drove_principal_role(p) != DROVE_ROLE_EXTERNAL_ROOT &&
		    drove_principal_role(p) != DROVE_ROLE_CLUSTER_NODE)
			abort();
		drove_principal_free(p);
	}
	free(s);
	return 0;
}
