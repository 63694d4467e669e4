/* Instance tokens: JWT HS256 (RFC 7519) with OpenSSL's HMAC; no hand-written crypto. */
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <drove/ids.h>
#include <drove/token.h>
#include "core/internal.h"

#define ISSUER    "drove"
#define AUDIENCE  "drove-application-instance"
#define SUBJECT   "drove-controller"
#define TOKEN_MAX 8192

/* base64url without padding, from the standard base64 of core. */
static int b64url_encode(const void *data, size_t n, drove__buf *out)
{
	char *s = NULL;
	int rc;

	if ((rc = drove__base64_encode(data, n, &s)) < 0)
		return rc;
	for (char *p = s; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=') {
			*p = '\0';
			break;
		}
	}
	rc = drove__buf_puts(out, s);
	free(s);
	return rc;
}

static int b64url_decode(const char *s, size_t n, unsigned char **out, size_t *out_len)
{
	drove__buf b = DROVE_BUF_INIT;
	int rc;

	for (size_t i = 0; i < n; i++) {
		char c = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
		if (c == '=' || (rc = drove__buf_putc(&b, c)) < 0) {
			drove__buf_free(&b);
			return c == '=' ? drove__error(DROVE_EAUTH, "token: padding in base64url")
			                : rc;
		}
	}
	while (b.len % 4 && (rc = drove__buf_putc(&b, '=')) == 0)
		;
	rc = drove__base64_decode(b.data ? b.data : "", b.len, out, out_len);
	drove__buf_free(&b);
	return rc < 0 ? drove__error(DROVE_EAUTH, "token: a part is not base64url") : 0;
}

static int hmac_sha256(const char *secret, const char *data, size_t n, unsigned char *mac,
                       unsigned int *mac_len)
{
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)data, n, mac,
	          mac_len))
		return drove__error(DROVE_ERROR, "token: hmac-sha256 unavailable");
	return 0;
}

static int jti_for(const char *app_id, const char *instance_id, const char *executor_id, char *jti,
                   size_t len)
{
	char *key = drove__asprintf("%s:%s:%s", app_id, instance_id, executor_id);
	int rc;

	if (!key)
		return DROVE_ENOMEM;
	rc = drove_uuid_name(key, strlen(key), jti, len);
	free(key);
	return rc;
}

int drove_instance_token_sign(const char *secret, const char *app_id, const char *instance_id,
                              const char *executor_id, int64_t iat_s, char **out)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	char jti[DROVE_UUID_LEN + 1];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	struct json_object *claims = NULL;
	drove__buf b = DROVE_BUF_INIT;
	const char *text;
	int rc;

	DROVE_CHECK_ARG(out);
	if (!secret || !*secret)
		return drove__error(DROVE_EINVAL, "instanceAuth.secret: must not be empty");
	if (!app_id || !*app_id || !instance_id || !*instance_id || !executor_id || !*executor_id)
		return drove__error(DROVE_EINVAL,
		                    "token: app id, instance id and executor id are required");
	if ((rc = jti_for(app_id, instance_id, executor_id, jti, sizeof(jti))) < 0)
		return rc;
	if (!(claims = json_object_new_object()))
		return drove__enomem();
	json_object_object_add(claims, "iss", json_object_new_string(ISSUER));
	json_object_object_add(claims, "aud", json_object_new_string(AUDIENCE));
	json_object_object_add(claims, "sub", json_object_new_string(SUBJECT));
	json_object_object_add(claims, "iat", json_object_new_int64(iat_s));
	json_object_object_add(claims, "jti", json_object_new_string(jti));
	json_object_object_add(claims, "droveAppId", json_object_new_string(app_id));
	json_object_object_add(claims, "droveInstanceId", json_object_new_string(instance_id));
	json_object_object_add(claims, "droveExecutorId", json_object_new_string(executor_id));
	text = json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN |
	                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || (rc = b64url_encode(header, strlen(header), &b)) < 0 ||
	    (rc = drove__buf_putc(&b, '.')) < 0 ||
	    (rc = b64url_encode(text, strlen(text), &b)) < 0 ||
	    (rc = hmac_sha256(secret, b.data, b.len, mac, &mac_len)) < 0 ||
	    (rc = drove__buf_putc(&b, '.')) < 0 || (rc = b64url_encode(mac, mac_len, &b)) < 0) {
		json_object_put(claims);
		drove__buf_free(&b);
		return rc < 0 ? rc : drove__enomem();
	}
	json_object_put(claims);
	if (!(*out = drove__buf_steal(&b)))
		return DROVE_ENOMEM;
	return 0;
}

static const char *claim_str(struct json_object *claims, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(claims, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* "aud" may be a string or an array of strings (RFC 7519 §4.1.3). */
static bool audience_ok(struct json_object *claims)
{
	struct json_object *v;
	if (!json_object_object_get_ex(claims, "aud", &v))
		return false;
	if (json_object_is_type(v, json_type_string))
		return strcmp(json_object_get_string(v), AUDIENCE) == 0;
	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_string) &&
			    strcmp(json_object_get_string(e), AUDIENCE) == 0)
				return true;
		}
	}
	return false;
}

static struct json_object *parse_part(const char *s, size_t n, const char *what)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	struct json_object *j;

	if (b64url_decode(s, n, &raw, &len) < 0)
		return NULL;
	j = json_tokener_parse((const char *)raw);
	free(raw);
	if (!j || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		drove__error(DROVE_EAUTH, "token: %s is not a JSON object", what);
		return NULL;
	}
	return j;
}

int drove_instance_token_verify(const char *secret, const char *token, drove_principal *principal)
{
	const char *dot1, *dot2, *app, *inst, *exec, *jti;
	struct json_object *header = NULL, *claims = NULL;
	unsigned char mac[EVP_MAX_MD_SIZE], *sig = NULL;
	unsigned int mac_len = 0;
	size_t sig_len = 0, n;
	char want_jti[DROVE_UUID_LEN + 1];
	int rc = DROVE_EAUTH;

	if (!secret || !*secret || !token)
		return drove__error(DROVE_EAUTH, "token: missing");
	n = strlen(token);
	if (n > TOKEN_MAX)
		return drove__error(DROVE_EAUTH, "token: %zu bytes is too long", n);
	if (!(dot1 = strchr(token, '.')) || !(dot2 = strchr(dot1 + 1, '.')) ||
	    strchr(dot2 + 1, '.'))
		return drove__error(DROVE_EAUTH, "token: not a JWT (three dot-separated parts)");
	/* Check the signature before looking at anything the signer vouches for. */
	if ((rc = hmac_sha256(secret, token, (size_t)(dot2 - token), mac, &mac_len)) < 0)
		return rc;
	if (b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig, &sig_len) < 0)
		return DROVE_EAUTH;
	if (sig_len != mac_len || CRYPTO_memcmp(sig, mac, mac_len) != 0) {
		free(sig);
		return drove__error(DROVE_EAUTH, "token: bad signature");
	}
	free(sig);
	rc = DROVE_EAUTH;
	if (!(header = parse_part(token, (size_t)(dot1 - token), "header")))
		goto done;
	if (!drove__streq(claim_str(header, "alg"), "HS256")) {
		drove__error(DROVE_EAUTH, "token: algorithm is not HS256");
		goto done;
	}
	if (!(claims = parse_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), "payload")))
		goto done;
	if (!drove__streq(claim_str(claims, "iss"), ISSUER) || !audience_ok(claims) ||
	    !drove__streq(claim_str(claims, "sub"), SUBJECT)) {
		drove__error(DROVE_EAUTH, "token: wrong issuer, audience or subject");
		goto done;
	}
	app = claim_str(claims, "droveAppId");
	inst = claim_str(claims, "droveInstanceId");
	exec = claim_str(claims, "droveExecutorId");
	jti = claim_str(claims, "jti");
	if (!app || !inst || !exec || !jti) {
		drove__error(DROVE_EAUTH, "token: drove claims or jti missing");
		goto done;
	}
	if ((rc = jti_for(app, inst, exec, want_jti, sizeof(want_jti))) < 0)
		goto done;
	rc = DROVE_EAUTH;
	if (strcmp(jti, want_jti) != 0) {
		drove__error(DROVE_EAUTH, "token: jti does not match its claims");
		goto done;
	}
	if (principal &&
	    ((rc = drove_principal_set_claim(principal, "droveAppId", app)) < 0 ||
	     (rc = drove_principal_set_claim(principal, "droveInstanceId", inst)) < 0 ||
	     (rc = drove_principal_set_claim(principal, "droveExecutorId", exec)) < 0))
		goto done;
	rc = 0;
done:
	json_object_put(header);
	json_object_put(claims);
	return rc;
}

int drove_instance_token_verifier(const char *token, drove_principal *principal, void *userdata)
{
	return drove_instance_token_verify((const char *)userdata, token, principal);
}
