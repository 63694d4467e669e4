/*
 * Authentication and authorisation with Drove's rules (reference §1.4, §1.5): cluster secrets
 * for node-to-node calls, app-instance tokens, HTTP Basic users (PLAIN or bcrypt "CRYPT"
 * passwords) or the no-auth mode, then an exact-match role check per endpoint group.
 *
 * Pure logic: no sockets, no files. The HTTP server feeds it request headers.
 *
 * Threads: configure a drove_auth on one thread (add users, secrets, options), then
 * drove_auth_authenticate*() and drove_auth_authorise() may be called from any thread at once
 * (the bcrypt cache has its own lock). A drove_principal is one thread at a time.
 */
#ifndef DROVE_AUTH_H
#define DROVE_AUTH_H

#include <drove/common.h>
#include <drove/ctx.h>

DROVE_BEGIN_DECLS

typedef struct drove_auth drove_auth;
/** Who made a request: a name and exactly one role. */
typedef struct drove_principal drove_principal;

/** Roles (§1.5). Values are stable; 0 is never a valid role. @since 0.1 */
enum drove_role {
	DROVE_ROLE_EXTERNAL_ROOT = 1,        /**< "DROVE_EXTERNAL_ROOT": everything */
	DROVE_ROLE_EXTERNAL_READ_WRITE = 2,  /**< "DROVE_EXTERNAL_READ_WRITE" */
	DROVE_ROLE_EXTERNAL_MAINTENANCE = 3, /**< "DROVE_EXTERNAL_MAINTENANCE" */
	DROVE_ROLE_EXTERNAL_READ_ONLY = 4,   /**< "DROVE_EXTERNAL_READ_ONLY" */
	DROVE_ROLE_CLUSTER_NODE = 5,         /**< "DROVE_CLUSTER_NODE": cluster-secret callers */
	DROVE_ROLE_APPLICATION_INSTANCE = 6, /**< "DROVE_APPLICATION_INSTANCE": token callers */
};

/** A set of roles is a bit mask of DROVE_ROLE_BIT(role). @since 0.1 */
#define DROVE_ROLE_BIT(role) (1u << (unsigned)(role))
/** Any authenticated principal, whatever its role. @since 0.1 */
#define DROVE_ROLES_ANY 0xffffffffu
/** Endpoint groups of §1.5. @since 0.1 */
#define DROVE_ROLES_OPERATIONS \
	(DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_READ_WRITE) | DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_ROOT))
#define DROVE_ROLES_MAINTENANCE \
	(DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_MAINTENANCE) | DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_ROOT))
#define DROVE_ROLES_LOGS                                 \
	(DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_ROOT) |      \
	 DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_READ_ONLY) | \
	 DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_READ_WRITE))
#define DROVE_ROLES_CLUSTER      DROVE_ROLE_BIT(DROVE_ROLE_CLUSTER_NODE)
#define DROVE_ROLES_APP_INSTANCE DROVE_ROLE_BIT(DROVE_ROLE_APPLICATION_INSTANCE)

/** How a configured user's password is stored (userAuth.encoding). @since 0.1 */
enum drove_auth_encoding {
	DROVE_AUTH_PLAIN = 0, /**< the password itself, compared in constant time */
	DROVE_AUTH_CRYPT = 1, /**< a bcrypt hash ("$2a$", "$2b$" or "$2y$", 60 characters) */
};

/** The name of the principal every request gets in no-auth mode. @since 0.1 */
#define DROVE_AUTH_DEFAULT_USER "default-user"

/** A new authenticator set with user authentication enabled, no users, no cluster secrets,
 *  no token verifier, disableReadAuth off and a bcrypt cache of 500 entries for 5 minutes.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_auth_new(drove_auth **out, drove_ctx *ctx);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_auth_free(drove_auth *auth);

/** Add a Basic-auth user (userAuth.users[]). `password` is the password itself for
 *  DROVE_AUTH_PLAIN or a bcrypt hash for DROVE_AUTH_CRYPT; it is copied. Adding an existing
 *  name replaces that user.
 *  @return 0, DROVE_EINVAL (empty name, a ':' in the name, unknown role or encoding, a CRYPT
 *  password that is not a bcrypt hash) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_auth_add_user(drove_auth *auth, const char *username, const char *password,
                                  int encoding, int role);
/** Accept header `Cluster-Authorization: <secret>` as role DROVE_CLUSTER_NODE (§1.4, §8.4).
 *  `node_type` is "CONTROLLER" or "EXECUTOR" (case-insensitive).
 *  @return 0, DROVE_EINVAL (bad node type, empty secret, a second secret for the same node
 *  type), DROVE_EEXISTS (the same secret for both node types: secrets must be unique) or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_auth_add_cluster_secret(drove_auth *auth, const char *node_type,
                                            const char *secret);
/** The secret configured for `node_type` (what a node sends), borrowed; NULL when none.
 *  @since 0.1 */
DROVE_API const char *drove_auth_cluster_secret(const drove_auth *auth, const char *node_type);
/** No-auth mode (userAuth absent or enabled: false) when `on` is 1: a request that no cluster
 *  secret or token authenticates is accepted as DROVE_AUTH_DEFAULT_USER with role
 *  DROVE_EXTERNAL_ROOT. @since 0.1 */
DROVE_API void drove_auth_set_no_auth(drove_auth *auth, int on);
/** options.disableReadAuth: when `on` is 1, a check that allows DROVE_EXTERNAL_READ_ONLY
 *  passes for every authenticated principal. @since 0.1 */
DROVE_API void drove_auth_set_disable_read_auth(drove_auth *auth, int on);
/** Cache successful bcrypt verifications (bcrypt is slow on purpose) for `ttl_ms` after their
 *  last use, at most `max_entries` of them; 0 for either disables the cache. Only a salted
 *  SHA-256 of user and password is kept. @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_auth_set_cache(drove_auth *auth, size_t max_entries, int64_t ttl_ms);

/** Verifies an App-Instance-Authorization token. Return 0 to accept it (and set claims, e.g.
 *  droveAppId, droveInstanceId, droveExecutorId, with drove_principal_set_claim()), or
 *  DROVE_EAUTH to reject it. Runs on the thread that authenticates. */
typedef int (*drove_auth_token_fn)(const char *token, drove_principal *principal, void *userdata);
/** Set (or clear with NULL) the token verifier; without one, tokens are rejected. @since 0.1 */
DROVE_API void drove_auth_set_token_verifier(drove_auth *auth, drove_auth_token_fn fn,
                                             void *userdata);

/** Authenticate a request from its header values (each may be NULL when absent):
 *  Cluster-Authorization, NodeId, App-Instance-Authorization and Authorization. The
 *  authenticators are tried in Drove's order (cluster secret, app-instance token, then Basic
 *  users or the no-auth mode); the first that accepts wins.
 *  @return 0 with `*out` set (free with drove_principal_free()), DROVE_EAUTH (nobody accepted;
 *  the message says why) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_auth_authenticate(drove_auth *auth, const char *cluster_authorization,
                                      const char *node_id, const char *app_instance_authorization,
                                      const char *authorization, drove_principal **out);
/** Looks a request header up by name (case-insensitive); NULL when absent. */
typedef const char *(*drove_auth_header_fn)(const char *name, void *userdata);
/** drove_auth_authenticate() with the headers read through `get`. @since 0.1 */
DROVE_API int drove_auth_authenticate_headers(drove_auth *auth, drove_auth_header_fn get,
                                              void *userdata, drove_principal **out);
/** Exact-match authorisation of `principal`'s role against the set `allowed` (DROVE_ROLE_BIT
 *  values or DROVE_ROLES_ANY), with disableReadAuth applied.
 *  @return 0 or DROVE_EAUTH. @since 0.1 */
DROVE_API int drove_auth_authorise(const drove_auth *auth, const drove_principal *principal,
                                   unsigned allowed);

/** Parse a role as written in YAML (`EXTERNAL_ROOT`, `EXTERNAL_READ_WRITE`,
 *  `DROVE_EXTERNAL_MAINTENANCE`, `EXTERNAL_READ_ONLY`, `CLUSTER_NODE`,
 *  `DROVE_APPLICATION_INSTANCE`) or as a role string (`DROVE_EXTERNAL_ROOT`, ...);
 *  case-insensitive. @return 0 or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_auth_role_parse(const char *s, int *out);
/** The role string ("DROVE_EXTERNAL_ROOT"...); static; NULL for an unknown role. @since 0.1 */
DROVE_API const char *drove_auth_role_name(int role);
/** Parse userAuth.encoding ("PLAIN" or "CRYPT", case-insensitive). @return 0 or DROVE_EINVAL.
 *  @since 0.1 */
DROVE_API int drove_auth_encoding_parse(const char *s, int *out);

/** A principal (for tests, and for token verifiers that build their own). @return 0,
 *  DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_principal_new(drove_principal **out, const char *name, int role);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_principal_free(drove_principal *principal);
/** Borrowed; valid until the principal is freed. @since 0.1 */
DROVE_API const char *drove_principal_name(const drove_principal *principal);
/** A drove_role value. @since 0.1 */
DROVE_API int drove_principal_role(const drove_principal *principal);
/** Attach a claim (copied; replaces one of the same key). @return 0, DROVE_EINVAL or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_principal_set_claim(drove_principal *principal, const char *key,
                                        const char *value);
/** A claim's value, borrowed; NULL when absent. @since 0.1 */
DROVE_API const char *drove_principal_claim(const drove_principal *principal, const char *key);

DROVE_END_DECLS
#endif
