/* Instance tokens (JWT HS256, §8.9): sign, verify, forgeries, and the auth hook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "harness.h"

#define EXEC_ID "a45442a1-d4d0-3479-ab9e-3ed0aa5f7d2d"

/* Made with Python's stdlib hmac/hashlib (an independent JWT implementation), secret
 * "s3cret", aud as an array, keys in another order than ours. */
static const char *const PY_GOOD =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJkcm92ZSIsImF1ZCI6WyJkcm92ZS1hcHBsaWNhdG"
        "lvbi1pbnN0YW5jZSJdLCJzdWIiOiJkcm92ZS1jb250cm9sbGVyIiwiaWF0IjoxNzE5ODkyMzU0LCJkcm92ZUFwc"
        "ElkIjoiVEVTVF9BUFAtMSIsImRyb3ZlSW5zdGFuY2VJZCI6IkFJLTEiLCJkcm92ZUV4ZWN1dG9ySWQiOiJhNDU0"
        "NDJhMS1kNGQwLTM0NzktYWI5ZS0zZWQwYWE1ZjdkMmQiLCJqdGkiOiI3MTY4NWMzZi0zNjk4LTNkNzQtYjExNS0"
        "wOTg0MmM2ZmZiMmYifQ.q2mzjPHayUN32dAGRD-d7k5HZfZnEO2O8Gh7Maim6Vo";
/* Correctly signed, but its jti belongs to another app. */
static const char *const PY_BAD_JTI =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJkcm92ZSIsImF1ZCI6WyJkcm92ZS1hcHBsaWNhdG"
        "lvbi1pbnN0YW5jZSJdLCJzdWIiOiJkcm92ZS1jb250cm9sbGVyIiwiaWF0IjoxNzE5ODkyMzU0LCJkcm92ZUFwc"
        "ElkIjoiVEVTVF9BUFAtMSIsImRyb3ZlSW5zdGFuY2VJZCI6IkFJLTEiLCJkcm92ZUV4ZWN1dG9ySWQiOiJhNDU0"
        "NDJhMS1kNGQwLTM0NzktYWI5ZS0zZWQwYWE1ZjdkMmQiLCJqdGkiOiJlMThiNDhmZS02OGIxLTM1ODgtODUzMS1"
        "hMTM5ZjcyZDAwZGQifQ.s4rebnLqpBfplHCSaEu4nV7BoeSOieEbgfcYzglrZgI";
/* Correctly signed, wrong audience. */
static const char *const PY_BAD_AUD =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJkcm92ZSIsImF1ZCI6InNvbWVvbmUtZWxzZSIsInN"
        "1YiI6ImRyb3ZlLWNvbnRyb2xsZXIiLCJpYXQiOjE3MTk4OTIzNTQsImRyb3ZlQXBwSWQiOiJURVNUX0FQUC0xIiw"
        "iZHJvdmVJbnN0YW5jZUlkIjoiQUktMSIsImRyb3ZlRXhlY3V0b3JJZCI6ImE0NTQ0MmExLWQ0ZDAtMzQ3OS1hYjl"
        "lLTNlZDBhYTVmN2QyZCIsImp0aSI6IjcxNjg1YzNmLTM2OTgtM2Q3NC1iMTE1LTA5ODQyYzZmZmIyZiJ9.ttiPMc"
        "Noh9YtDDOrYXh8HUIPMkSbaDZzgV7GtC9tgzw";

static drove_principal *new_principal(void)
{
	drove_principal *p = NULL;
	ck_assert_int_eq(drove_principal_new(&p, "x", DROVE_ROLE_APPLICATION_INSTANCE), 0);
	return p;
}

START_TEST(test_sign_then_verify)
{
	char *tok = NULL;
	drove_principal *p = new_principal();

	ck_assert_int_eq(drove_instance_token_sign("s3cret", "TEST_APP-1", "AI-1", EXEC_ID,
	                                           1719892354, &tok),
	                 0);
	ck_assert_int_eq(drove_instance_token_verify("s3cret", tok, p), 0);
	ck_assert_str_eq(drove_principal_claim(p, "droveAppId"), "TEST_APP-1");
	ck_assert_str_eq(drove_principal_claim(p, "droveInstanceId"), "AI-1");
	ck_assert_str_eq(drove_principal_claim(p, "droveExecutorId"), EXEC_ID);
	drove_principal_free(p);
	drove_free(tok);
}
END_TEST

START_TEST(test_claims_are_drove_s)
{
	char *tok = NULL;
	const char *dot1, *dot2;
	unsigned char *raw = NULL;
	size_t n = 0;
	drove__buf b64 = DROVE_BUF_INIT;
	struct json_object *claims, *v;

	ck_assert_int_eq(
	        drove_instance_token_sign("k", "TEST_APP-1", "AI-1", EXEC_ID, 1719892354, &tok), 0);
	dot1 = strchr(tok, '.');
	dot2 = strchr(dot1 + 1, '.');
	for (const char *c = dot1 + 1; c < dot2; c++)
		drove__buf_putc(&b64, *c == '-' ? '+' : *c == '_' ? '/' : *c);
	while (b64.len % 4)
		drove__buf_putc(&b64, '=');
	ck_assert_int_eq(drove__base64_decode(b64.data, b64.len, &raw, &n), 0);
	claims = json_tokener_parse((char *)raw);
	ck_assert_ptr_nonnull(claims);
	ck_assert(json_object_object_get_ex(claims, "iss", &v));
	ck_assert_str_eq(json_object_get_string(v), "drove");
	ck_assert(json_object_object_get_ex(claims, "aud", &v));
	ck_assert_str_eq(json_object_get_string(v), "drove-application-instance");
	ck_assert(json_object_object_get_ex(claims, "sub", &v));
	ck_assert_str_eq(json_object_get_string(v), "drove-controller");
	ck_assert(json_object_object_get_ex(claims, "iat", &v));
	ck_assert_int_eq(json_object_get_int64(v), 1719892354);
	ck_assert(json_object_object_get_ex(claims, "jti", &v));
	/* name-UUID of "TEST_APP-1:AI-1:<executor>", checked against Python's computation */
	ck_assert_str_eq(json_object_get_string(v), "71685c3f-3698-3d74-b115-09842c6ffb2f");
	json_object_put(claims);
	free(raw);
	drove__buf_free(&b64);
	drove_free(tok);
}
END_TEST

START_TEST(test_interoperates_with_another_implementation)
{
	drove_principal *p = new_principal();
	ck_assert_int_eq(drove_instance_token_verify("s3cret", PY_GOOD, p), 0);
	ck_assert_str_eq(drove_principal_claim(p, "droveAppId"), "TEST_APP-1");
	drove_principal_free(p);
	drove_assert_error(drove_instance_token_verify("s3cret", PY_BAD_JTI, NULL), DROVE_EAUTH,
	                   "jti does not match");
	drove_assert_error(drove_instance_token_verify("s3cret", PY_BAD_AUD, NULL), DROVE_EAUTH,
	                   "audience");
}
END_TEST

START_TEST(test_forgeries_rejected)
{
	char *tok = NULL, *forged;
	char *dot;

	ck_assert_int_eq(drove_instance_token_sign("s3cret", "APP_A-1", "AI-1", EXEC_ID, 1, &tok),
	                 0);
	drove_assert_error(drove_instance_token_verify("other", tok, NULL), DROVE_EAUTH,
	                   "bad signature");
	/* swap in another app's payload, keep the signature */
	forged = drove__strdup(PY_GOOD);
	dot = strrchr(forged, '.');
	ck_assert_ptr_nonnull(dot);
	memcpy(dot + 1, strrchr(tok, '.') + 1, strlen(dot + 1));
	drove_assert_error(drove_instance_token_verify("s3cret", forged, NULL), DROVE_EAUTH,
	                   "bad signature");
	free(forged);
	/* alg "none" with an empty signature */
	drove_assert_error(drove_instance_token_verify(
	                           "s3cret", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJkcm92ZSJ9.", NULL),
	                   DROVE_EAUTH, "bad signature");
	drove_assert_error(drove_instance_token_verify("s3cret", "a.b", NULL), DROVE_EAUTH,
	                   "three dot-separated parts");
	drove_assert_error(drove_instance_token_verify("s3cret", "a.b.c.d", NULL), DROVE_EAUTH,
	                   "three dot-separated parts");
	drove_assert_error(drove_instance_token_verify("s3cret", NULL, NULL), DROVE_EAUTH,
	                   "missing");
	drove_assert_error(drove_instance_token_sign("", "A-1", "AI-1", EXEC_ID, 1, &forged),
	                   DROVE_EINVAL, "instanceAuth.secret");
	drove_assert_error(drove_instance_token_sign("k", "A-1", "", EXEC_ID, 1, &forged),
	                   DROVE_EINVAL, "instance id");
	drove_free(tok);
}
END_TEST

START_TEST(test_auth_hook)
{
	drove_ctx *ctx;
	drove_auth *auth = NULL;
	drove_principal *p = NULL;
	char *tok = NULL;
	static char secret[] = "s3cret";

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_auth_new(&auth, ctx), 0);
	drove_auth_set_token_verifier(auth, drove_instance_token_verifier, secret);
	ck_assert_int_eq(drove_instance_token_sign(secret, "TEST_APP-1", "AI-9", EXEC_ID, 5, &tok),
	                 0);
	ck_assert_int_eq(drove_auth_authenticate(auth, NULL, NULL, tok, NULL, &p), 0);
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_APPLICATION_INSTANCE);
	ck_assert_str_eq(drove_principal_claim(p, "droveInstanceId"), "AI-9");
	drove_principal_free(p);
	p = NULL;
	ck_assert_int_eq(drove_auth_authenticate(auth, NULL, NULL, PY_BAD_JTI, NULL, &p),
	                 DROVE_EAUTH);
	ck_assert_ptr_null(p);
	drove_free(tok);
	drove_auth_free(auth);
	drove_ctx_free(ctx);
}
END_TEST

Suite *auth_token_suite(void)
{
	Suite *s = suite_create("auth_token");
	TCase *tc = tcase_create("jwt");
	tcase_add_test(tc, test_sign_then_verify);
	tcase_add_test(tc, test_claims_are_drove_s);
	tcase_add_test(tc, test_interoperates_with_another_implementation);
	tcase_add_test(tc, test_forgeries_rejected);
	tcase_add_test(tc, test_auth_hook);
	suite_add_tcase(s, tc);
	return s;
}
