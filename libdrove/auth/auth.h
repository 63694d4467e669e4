/* Internal interface of the auth module (not installed). */
#ifndef DROVE_AUTH_INTERNAL_H
#define DROVE_AUTH_INTERNAL_H

#include <stddef.h>

#include <drove/auth.h>

/* The headers an authenticator may look at (each NULL when absent). */
typedef struct drove__auth_headers {
	const char *cluster_authorization;      /* Cluster-Authorization */
	const char *node_id;                    /* NodeId */
	const char *app_instance_authorization; /* App-Instance-Authorization */
	const char *authorization;              /* Authorization */
} drove__auth_headers;

/* One authenticator of the chain. `authenticate` returns 0 and sets *out when it accepts,
 * DROVE_EAUTH (with a message) when it does not (header absent or wrong), DROVE_ENOMEM. */
typedef struct drove__authenticator drove__authenticator;
struct drove__authenticator {
	const char *name;
	int (*authenticate)(drove__authenticator *self, drove_auth *auth,
	                    const drove__auth_headers *h, drove_principal **out);
	void (*free)(drove__authenticator *self); /* NULL: nothing to free */
	drove__authenticator *next;
};

/* Append an authenticator to the chain (tried after the built-in ones: cluster secret,
 * app-instance token, basic/no-auth). The chain owns it. */
void drove__auth_append(drove_auth *auth, drove__authenticator *a);

/* Longest Authorization header accepted. */
#define DROVE_AUTH_HEADER_MAX 4096

/* Parse `Authorization: Basic <base64(user:pass)>` (scheme case-insensitive, surrounding
 * blanks ignored). On success *user and *pass are new strings (free()).
 * @return 0 or DROVE_EAUTH with a message naming what is wrong (never the password). */
int drove__auth_parse_basic(const char *header, char **user, char **pass);

/* Constant-time equality of two strings of any length (compares SHA-256 digests). */
int drove__auth_consttime_streq(const char *a, const char *b);

/* 1 when `s` looks like a bcrypt hash: $2a$/$2b$/$2y$, two-digit cost 04..31, 53 chars of
 * bcrypt base64. */
int drove__auth_is_bcrypt(const char *s);

/* Counters for tests: how many bcrypt computations ran (cache misses). */
unsigned long drove__auth_bcrypt_runs(const drove_auth *auth);

#endif
