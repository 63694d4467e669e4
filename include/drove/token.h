/*
 * The instance token Drove injects into every application and local-service container as
 * DROVE_APP_INSTANCE_AUTH_TOKEN (DROVE_API.md §8.9): a JWT signed with HMAC-SHA256 (OpenSSL)
 * under the controller's instanceAuth.secret. A container sends it back in the
 * App-Instance-Authorization header to call the instance-facing API (§2.10).
 *
 * Claims: iss "drove", aud "drove-application-instance", sub "drove-controller", iat (s),
 * jti = name-UUID of "{appId}:{instanceId}:{executorId}", droveAppId, droveInstanceId,
 * droveExecutorId (for local services the app id is the service id).
 *
 * Threads: pure functions, any thread.
 */
#ifndef DROVE_TOKEN_H
#define DROVE_TOKEN_H

#include <drove/common.h>
#include <drove/auth.h>

DROVE_BEGIN_DECLS

/** Sign a token for one instance. `iat_s` is the issue time in seconds since the epoch.
 *  Caller frees `*out` with drove_free().
 *  @return 0, DROVE_EINVAL (an empty argument) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_instance_token_sign(const char *secret, const char *app_id,
                                        const char *instance_id, const char *executor_id,
                                        int64_t iat_s, char **out);

/** Verify a token: structure, algorithm HS256, signature (constant-time), iss, aud, sub and
 *  that jti matches the drove* claims. On success fills `principal` (when not NULL) with the
 *  claims droveAppId, droveInstanceId and droveExecutorId.
 *  @return 0, DROVE_EAUTH (message says which check failed) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_instance_token_verify(const char *secret, const char *token,
                                          drove_principal *principal);

/** A drove_auth_token_fn for drove_auth_set_token_verifier(): `userdata` is the secret
 *  (a NUL-terminated string that must outlive the auth object). @since 0.1 */
DROVE_API int drove_instance_token_verifier(const char *token, drove_principal *principal,
                                            void *userdata);

DROVE_END_DECLS
#endif
