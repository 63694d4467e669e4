/* auth: authenticators and their order, roles, exact-match authorisation, bcrypt, caching. */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <drove/drove.h>
#include "auth/auth.h"
#include "core/internal.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_auth *auth;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_auth_new(&auth, ctx), 0);
}

static void teardown(void)
{
	drove_auth_free(auth);
	drove_ctx_free(ctx);
}

/* "Basic base64(user:pass)" in a static buffer. */
static const char *basic(const char *user, const char *pass)
{
	static char hdr[512];
	char raw[256], *b64 = NULL;
	int n = snprintf(raw, sizeof(raw), "%s:%s", user, pass);
	ck_assert_int_eq(drove__base64_encode(raw, (size_t)n, &b64), 0);
	snprintf(hdr, sizeof(hdr), "Basic %s", b64);
	free(b64);
	return hdr;
}

static drove_principal *auth_ok(const char *cluster, const char *node, const char *token,
                                const char *authz)
{
	drove_principal *p = NULL;
	int rc = drove_auth_authenticate(auth, cluster, node, token, authz, &p);
	ck_assert_msg(rc == 0, "authenticate: %d %s", rc, drove_error_last()->message);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void auth_fails(const char *cluster, const char *token, const char *authz,
                       const char *needle)
{
	drove_principal *p = NULL;
	drove_assert_error(drove_auth_authenticate(auth, cluster, NULL, token, authz, &p),
	                   DROVE_EAUTH, needle);
	ck_assert_ptr_null(p);
}

/* ---- roles ---- */

START_TEST(test_role_table)
{
	static const struct {
		const char *yaml, *name;
		int role;
	} t[] = {
	        {"EXTERNAL_ROOT", "DROVE_EXTERNAL_ROOT", DROVE_ROLE_EXTERNAL_ROOT},
	        {"EXTERNAL_READ_WRITE", "DROVE_EXTERNAL_READ_WRITE",
	         DROVE_ROLE_EXTERNAL_READ_WRITE},
	        {"DROVE_EXTERNAL_MAINTENANCE", "DROVE_EXTERNAL_MAINTENANCE",
	         DROVE_ROLE_EXTERNAL_MAINTENANCE},
	        {"EXTERNAL_READ_ONLY", "DROVE_EXTERNAL_READ_ONLY", DROVE_ROLE_EXTERNAL_READ_ONLY},
	        {"CLUSTER_NODE", "DROVE_CLUSTER_NODE", DROVE_ROLE_CLUSTER_NODE},
	        {"DROVE_APPLICATION_INSTANCE", "DROVE_APPLICATION_INSTANCE",
	         DROVE_ROLE_APPLICATION_INSTANCE},
	};
	int r;

	for (size_t i = 0; i < DROVE_ARRAY_LEN(t); i++) {
		r = 0;
		ck_assert_int_eq(drove_auth_role_parse(t[i].yaml, &r), 0);
		ck_assert_int_eq(r, t[i].role);
		r = 0;
		ck_assert_int_eq(drove_auth_role_parse(t[i].name, &r), 0);
		ck_assert_int_eq(r, t[i].role);
		ck_assert_str_eq(drove_auth_role_name(t[i].role), t[i].name);
	}
	ck_assert_int_eq(drove_auth_role_parse("external_read_only", &r), 0);
	ck_assert_int_eq(r, DROVE_ROLE_EXTERNAL_READ_ONLY);
	drove_assert_error(drove_auth_role_parse("OPERATOR", &r), DROVE_EINVAL,
	                   "role: unknown value 'OPERATOR'");
	ck_assert_ptr_null(drove_auth_role_name(0));
	ck_assert_ptr_null(drove_auth_role_name(99));
	ck_assert_int_eq(drove_auth_encoding_parse("crypt", &r), 0);
	ck_assert_int_eq(r, DROVE_AUTH_CRYPT);
	ck_assert_int_eq(drove_auth_encoding_parse("PLAIN", &r), 0);
	ck_assert_int_eq(r, DROVE_AUTH_PLAIN);
	drove_assert_error(drove_auth_encoding_parse("SHA1", &r), DROVE_EINVAL,
	                   "userAuth.encoding: unknown value 'SHA1'");
}
END_TEST

static int allowed(int role, unsigned set)
{
	drove_principal *p = NULL;
	int rc;
	ck_assert_int_eq(drove_principal_new(&p, "someone", role), 0);
	rc = drove_auth_authorise(auth, p, set);
	drove_principal_free(p);
	return rc == 0;
}

START_TEST(test_authorise_exact_match)
{
	drove_principal *p = NULL;

	/* operations: READ_WRITE and ROOT only */
	ck_assert(allowed(DROVE_ROLE_EXTERNAL_READ_WRITE, DROVE_ROLES_OPERATIONS));
	ck_assert(allowed(DROVE_ROLE_EXTERNAL_ROOT, DROVE_ROLES_OPERATIONS));
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_READ_ONLY, DROVE_ROLES_OPERATIONS));
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_MAINTENANCE, DROVE_ROLES_OPERATIONS));
	ck_assert(!allowed(DROVE_ROLE_CLUSTER_NODE, DROVE_ROLES_OPERATIONS));
	/* the MAINTENANCE quirk: a READ_WRITE user may not blacklist */
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_READ_WRITE, DROVE_ROLES_MAINTENANCE));
	ck_assert(allowed(DROVE_ROLE_EXTERNAL_MAINTENANCE, DROVE_ROLES_MAINTENANCE));
	ck_assert(allowed(DROVE_ROLE_EXTERNAL_ROOT, DROVE_ROLES_MAINTENANCE));
	/* reads: any authenticated principal */
	for (int r = DROVE_ROLE_EXTERNAL_ROOT; r <= DROVE_ROLE_APPLICATION_INSTANCE; r++)
		ck_assert(allowed(r, DROVE_ROLES_ANY));
	/* logs */
	ck_assert(allowed(DROVE_ROLE_EXTERNAL_READ_ONLY, DROVE_ROLES_LOGS));
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_MAINTENANCE, DROVE_ROLES_LOGS));
	ck_assert(!allowed(DROVE_ROLE_CLUSTER_NODE, DROVE_ROLES_LOGS));
	/* internal */
	ck_assert(allowed(DROVE_ROLE_CLUSTER_NODE, DROVE_ROLES_CLUSTER));
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_ROOT, DROVE_ROLES_CLUSTER));
	ck_assert(allowed(DROVE_ROLE_APPLICATION_INSTANCE, DROVE_ROLES_APP_INSTANCE));
	ck_assert(!allowed(DROVE_ROLE_CLUSTER_NODE, DROVE_ROLES_APP_INSTANCE));
	/* the message names principal and role */
	ck_assert_int_eq(drove_principal_new(&p, "bob", DROVE_ROLE_EXTERNAL_READ_WRITE), 0);
	drove_assert_error(drove_auth_authorise(auth, p, DROVE_ROLES_MAINTENANCE), DROVE_EAUTH,
	                   "principal 'bob': role DROVE_EXTERNAL_READ_WRITE is not allowed");
	drove_principal_free(p);
	drove_assert_error(drove_principal_new(&p, "x", 0), DROVE_EINVAL, "principal.role");
}
END_TEST

START_TEST(test_disable_read_auth)
{
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_MAINTENANCE, DROVE_ROLES_LOGS));
	drove_auth_set_disable_read_auth(auth, 1);
	/* every check that allows READ_ONLY now passes for everyone */
	ck_assert(allowed(DROVE_ROLE_EXTERNAL_MAINTENANCE, DROVE_ROLES_LOGS));
	ck_assert(allowed(DROVE_ROLE_CLUSTER_NODE, DROVE_ROLES_LOGS));
	/* ... and only those */
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_READ_ONLY, DROVE_ROLES_OPERATIONS));
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_READ_WRITE, DROVE_ROLES_MAINTENANCE));
	ck_assert(!allowed(DROVE_ROLE_EXTERNAL_ROOT, DROVE_ROLES_CLUSTER));
	drove_auth_set_disable_read_auth(auth, 0);
	ck_assert(!allowed(DROVE_ROLE_CLUSTER_NODE, DROVE_ROLES_LOGS));
}
END_TEST

/* ---- cluster secret ---- */

START_TEST(test_cluster_secret)
{
	drove_principal *p;

	ck_assert_int_eq(drove_auth_add_cluster_secret(auth, "CONTROLLER", "ctl-secret"), 0);
	ck_assert_int_eq(drove_auth_add_cluster_secret(auth, "executor", "exe-secret"), 0);
	ck_assert_str_eq(drove_auth_cluster_secret(auth, "EXECUTOR"), "exe-secret");
	ck_assert_str_eq(drove_auth_cluster_secret(auth, "controller"), "ctl-secret");
	ck_assert_ptr_null(drove_auth_cluster_secret(auth, "GATEWAY"));

	p = auth_ok("exe-secret", "host1", NULL, NULL);
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_CLUSTER_NODE);
	ck_assert_str_eq(drove_principal_name(p), "host1");
	drove_principal_free(p);
	p = auth_ok("ctl-secret", NULL, NULL, NULL);
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_CLUSTER_NODE);
	ck_assert_str_eq(drove_principal_name(p), "cluster-node");
	drove_principal_free(p);

	auth_fails("exe-secreT", NULL, NULL, "cluster-authorization: secret not recognised");
	auth_fails("exe-secret-longer", NULL, NULL, "secret not recognised");
	auth_fails("", NULL, NULL, "secret not recognised");
	auth_fails(NULL, NULL, NULL, "credentials are required");

	drove_assert_error(drove_auth_add_cluster_secret(auth, "GATEWAY", "x"), DROVE_EINVAL,
	                   "clusterAuth.secrets.nodeType: unknown value 'GATEWAY'");
	drove_assert_error(drove_auth_add_cluster_secret(auth, "EXECUTOR", "y"), DROVE_EINVAL,
	                   "a second secret for node type EXECUTOR");
}
END_TEST

START_TEST(test_cluster_secrets_unique)
{
	ck_assert_int_eq(drove_auth_add_cluster_secret(auth, "CONTROLLER", "same"), 0);
	drove_assert_error(drove_auth_add_cluster_secret(auth, "EXECUTOR", "same"), DROVE_EEXISTS,
	                   "secrets must be unique");
	drove_assert_error(drove_auth_add_cluster_secret(auth, "EXECUTOR", ""), DROVE_EINVAL,
	                   "clusterAuth.secrets[EXECUTOR].secret: empty");
}
END_TEST

/* ---- app-instance token ---- */

static int verify_token(const char *token, drove_principal *p, void *ud)
{
	int *calls = ud;
	(*calls)++;
	if (strcmp(token, "good.jwt.token") != 0)
		return DROVE_EAUTH;
	drove_principal_set_claim(p, "droveAppId", "TEST_APP-1");
	drove_principal_set_claim(p, "droveInstanceId", "AI-1234");
	return 0;
}

START_TEST(test_app_instance_token)
{
	drove_principal *p;
	int calls = 0;

	auth_fails(NULL, "good.jwt.token", NULL, "app-instance-authorization: no token verifier");
	drove_auth_set_token_verifier(auth, verify_token, &calls);
	p = auth_ok(NULL, NULL, "good.jwt.token", NULL);
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_APPLICATION_INSTANCE);
	ck_assert_str_eq(drove_principal_name(p), "AI-1234");
	ck_assert_str_eq(drove_principal_claim(p, "droveAppId"), "TEST_APP-1");
	ck_assert_ptr_null(drove_principal_claim(p, "nope"));
	drove_principal_free(p);
	auth_fails(NULL, "forged.jwt.token", NULL, "app-instance-authorization: token rejected");
	ck_assert_int_eq(calls, 2);
}
END_TEST

/* ---- basic ---- */

START_TEST(test_basic_plain)
{
	drove_principal *p;

	ck_assert_int_eq(drove_auth_add_user(auth, "admin", "s3cret", DROVE_AUTH_PLAIN,
	                                     DROVE_ROLE_EXTERNAL_ROOT),
	                 0);
	ck_assert_int_eq(drove_auth_add_user(auth, "guest", "pa:ss word", DROVE_AUTH_PLAIN,
	                                     DROVE_ROLE_EXTERNAL_READ_ONLY),
	                 0);
	p = auth_ok(NULL, NULL, NULL, basic("admin", "s3cret"));
	ck_assert_str_eq(drove_principal_name(p), "admin");
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_EXTERNAL_ROOT);
	drove_principal_free(p);
	/* the password may hold ':' and spaces; only the first ':' splits */
	p = auth_ok(NULL, NULL, NULL, basic("guest", "pa:ss word"));
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_EXTERNAL_READ_ONLY);
	drove_principal_free(p);
	/* scheme is case-insensitive, blanks around are ignored */
	p = auth_ok(NULL, NULL, NULL, "  bAsIc   YWRtaW46czNjcmV0  ");
	drove_principal_free(p);

	auth_fails(NULL, NULL, basic("admin", "s3cre"), "wrong password for user 'admin'");
	auth_fails(NULL, NULL, basic("admin", "s3cret!"), "wrong password for user 'admin'");
	auth_fails(NULL, NULL, basic("admin", ""), "wrong password");
	auth_fails(NULL, NULL, basic("root", "s3cret"), "unknown user 'root'");
	auth_fails(NULL, NULL, NULL, "credentials are required");
	/* the message never carries the password */
	auth_fails(NULL, NULL, basic("admin", "hunter2"), "admin");
	ck_assert_ptr_null(strstr(drove_error_last()->message, "hunter2"));

	drove_assert_error(drove_auth_add_user(auth, "a:b", "x", DROVE_AUTH_PLAIN, 1), DROVE_EINVAL,
	                   "username 'a:b' is empty or has ':'");
	drove_assert_error(drove_auth_add_user(auth, "u", "x", DROVE_AUTH_PLAIN, 42), DROVE_EINVAL,
	                   "userAuth.users[u].role: unknown role 42");
	drove_assert_error(drove_auth_add_user(auth, "u", "x", 7, 1), DROVE_EINVAL,
	                   "userAuth.encoding: unknown encoding 7");
}
END_TEST

START_TEST(test_basic_malformed_headers)
{
	static const struct {
		const char *hdr, *needle;
	} bad[] = {
	        {"Bearer abc", "not a basic credential"},
	        {"Basic", "not a basic credential"},
	        {"Basic ", "not a basic credential"},
	        {"Basicx YWRtaW46czNjcmV0", "not a basic credential"},
	        {"Basic    ", "not a basic credential"},
	        {"Basic YWRtaW46czNjcmV0=", "not base64"},
	        {"Basic YWRta W46czNjcmV0", "not base64"},
	        {"Basic !!!!", "not base64"},
	        {"Basic YWRtaW4=", "lacks ':'"},    /* "admin" */
	        {"Basic YWQAbWluOng=", "nul byte"}, /* "ad\0min:x" */
	        {"", "not a basic credential"},
	};
	char *huge;

	ck_assert_int_eq(drove_auth_add_user(auth, "admin", "s3cret", DROVE_AUTH_PLAIN, 1), 0);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(bad); i++)
		auth_fails(NULL, NULL, bad[i].hdr, bad[i].needle);
	huge = malloc(DROVE_AUTH_HEADER_MAX + 100);
	memcpy(huge, "Basic ", 6);
	memset(huge + 6, 'A', DROVE_AUTH_HEADER_MAX + 90);
	huge[DROVE_AUTH_HEADER_MAX + 96] = '\0';
	auth_fails(NULL, NULL, huge, "header longer than 4096 bytes");
	free(huge);
}
END_TEST

static char *make_bcrypt(const char *pass)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	char *out;

	ck_assert_ptr_nonnull(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof(salt)));
	ck_assert_ptr_nonnull(crypt_rn(pass, salt, cd, sizeof(*cd)));
	out = strdup(cd->output);
	free(cd);
	ck_assert_int_eq(strlen(out), 60);
	return out;
}

START_TEST(test_basic_bcrypt)
{
	char *hash = make_bcrypt("correct horse");
	drove_principal *p;

	ck_assert(drove__auth_is_bcrypt(hash));
	ck_assert_int_eq(drove_auth_add_user(auth, "ops", hash, DROVE_AUTH_CRYPT,
	                                     DROVE_ROLE_EXTERNAL_READ_WRITE),
	                 0);
	ck_assert_uint_eq(drove__auth_bcrypt_runs(auth), 0);
	p = auth_ok(NULL, NULL, NULL, basic("ops", "correct horse"));
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_EXTERNAL_READ_WRITE);
	drove_principal_free(p);
	ck_assert_uint_eq(drove__auth_bcrypt_runs(auth), 1);
	/* a second success comes from the cache */
	p = auth_ok(NULL, NULL, NULL, basic("ops", "correct horse"));
	drove_principal_free(p);
	ck_assert_uint_eq(drove__auth_bcrypt_runs(auth), 1);
	/* a wrong password is never cached and always recomputed */
	auth_fails(NULL, NULL, basic("ops", "correct horse!"), "wrong password for user 'ops'");
	auth_fails(NULL, NULL, basic("ops", "correct horse!"), "wrong password");
	ck_assert_uint_eq(drove__auth_bcrypt_runs(auth), 3);
	/* the hash itself is not a password */
	auth_fails(NULL, NULL, basic("ops", hash), "wrong password");
	/* replacing the user drops the cache */
	ck_assert_int_eq(drove_auth_add_user(auth, "ops", hash, DROVE_AUTH_CRYPT,
	                                     DROVE_ROLE_EXTERNAL_READ_ONLY),
	                 0);
	p = auth_ok(NULL, NULL, NULL, basic("ops", "correct horse"));
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_EXTERNAL_READ_ONLY);
	drove_principal_free(p);
	ck_assert_uint_eq(drove__auth_bcrypt_runs(auth), 5);
	/* without the cache every check runs bcrypt */
	ck_assert_int_eq(drove_auth_set_cache(auth, 0, 0), 0);
	p = auth_ok(NULL, NULL, NULL, basic("ops", "correct horse"));
	drove_principal_free(p);
	p = auth_ok(NULL, NULL, NULL, basic("ops", "correct horse"));
	drove_principal_free(p);
	ck_assert_uint_eq(drove__auth_bcrypt_runs(auth), 7);
	free(hash);
}
END_TEST

START_TEST(test_bcrypt_cache_expires)
{
	char *hash = make_bcrypt("pw");
	drove_principal *p;

	ck_assert_int_eq(drove_auth_set_cache(auth, 4, 1), 0); /* 1 ms */
	ck_assert_int_eq(drove_auth_add_user(auth, "u", hash, DROVE_AUTH_CRYPT, 1), 0);
	p = auth_ok(NULL, NULL, NULL, basic("u", "pw"));
	drove_principal_free(p);
	usleep(5000);
	p = auth_ok(NULL, NULL, NULL, basic("u", "pw"));
	drove_principal_free(p);
	ck_assert_uint_eq(drove__auth_bcrypt_runs(auth), 2);
	free(hash);
}
END_TEST

START_TEST(test_bcrypt_known_vectors)
{
	/* crypt_blowfish's published test vectors ($2a$ and $2y$), plus $2b$ */
	static const struct {
		const char *hash, *pass;
	} v[] = {
	        {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
	        {"$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
	        {"$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
	        {"$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK", "U*U*"},
	};
	char name[16];

	ck_assert_int_eq(drove_auth_set_cache(auth, 0, 0), 0);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(v); i++) {
		drove_principal *p;
		snprintf(name, sizeof(name), "u%zu", i);
		ck_assert_int_eq(drove_auth_add_user(auth, name, v[i].hash, DROVE_AUTH_CRYPT, 1),
		                 0);
		p = auth_ok(NULL, NULL, NULL, basic(name, v[i].pass));
		drove_principal_free(p);
		auth_fails(NULL, NULL, basic(name, "U*"), "wrong password");
	}
	/* not bcrypt: rejected when configured */
	drove_assert_error(drove_auth_add_user(auth, "x", "plaintext", DROVE_AUTH_CRYPT, 1),
	                   DROVE_EINVAL, "userAuth.users[x].password: not a bcrypt hash");
	ck_assert(!drove__auth_is_bcrypt("$1$abcdefgh$0123456789012345678901"));
	ck_assert(!drove__auth_is_bcrypt(
	        "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
	ck_assert(!drove__auth_is_bcrypt(
	        "$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
	ck_assert(!drove__auth_is_bcrypt(
	        "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!"));
}
END_TEST

/* ---- order and no-auth ---- */

START_TEST(test_order_first_accepting_wins)
{
	drove_principal *p;
	int calls = 0;

	ck_assert_int_eq(drove_auth_add_cluster_secret(auth, "EXECUTOR", "exe"), 0);
	ck_assert_int_eq(drove_auth_add_user(auth, "admin", "pw", DROVE_AUTH_PLAIN,
	                                     DROVE_ROLE_EXTERNAL_ROOT),
	                 0);
	drove_auth_set_token_verifier(auth, verify_token, &calls);
	/* a good cluster secret wins over everything after it */
	p = auth_ok("exe", "n1", "good.jwt.token", basic("admin", "pw"));
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_CLUSTER_NODE);
	drove_principal_free(p);
	ck_assert_int_eq(calls, 0);
	/* a wrong secret falls through to the token */
	p = auth_ok("bad", NULL, "good.jwt.token", basic("admin", "pw"));
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_APPLICATION_INSTANCE);
	drove_principal_free(p);
	/* ... and a bad token falls through to basic */
	p = auth_ok("bad", NULL, "forged", basic("admin", "pw"));
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_EXTERNAL_ROOT);
	drove_principal_free(p);
	/* when nothing accepts, the first refusal with a header present is reported */
	auth_fails("bad", NULL, basic("admin", "nope"),
	           "cluster-authorization: secret not "
	           "recognised");
}
END_TEST

START_TEST(test_no_auth_mode)
{
	drove_principal *p;

	ck_assert_int_eq(drove_auth_add_cluster_secret(auth, "CONTROLLER", "ctl"), 0);
	drove_auth_set_no_auth(auth, 1);
	p = auth_ok(NULL, NULL, NULL, NULL);
	ck_assert_str_eq(drove_principal_name(p), DROVE_AUTH_DEFAULT_USER);
	ck_assert_str_eq(drove_principal_name(p), "default-user");
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_EXTERNAL_ROOT);
	drove_principal_free(p);
	/* even bad credentials: everyone is root */
	p = auth_ok(NULL, NULL, NULL, "Basic !!!");
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_EXTERNAL_ROOT);
	drove_principal_free(p);
	/* the cluster secret still comes first */
	p = auth_ok("ctl", NULL, NULL, NULL);
	ck_assert_int_eq(drove_principal_role(p), DROVE_ROLE_CLUSTER_NODE);
	drove_principal_free(p);
	drove_auth_set_no_auth(auth, 0);
	auth_fails(NULL, NULL, NULL, "credentials are required");
}
END_TEST

static const char *lookup(const char *name, void *ud)
{
	const char **kv = ud;
	for (; kv[0]; kv += 2)
		if (strcasecmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

START_TEST(test_authenticate_headers)
{
	const char *hdrs[] = {"cluster-authorization", "exe", "nodeid", "exec-7", NULL, NULL};
	drove_principal *p = NULL;

	ck_assert_int_eq(drove_auth_add_cluster_secret(auth, "EXECUTOR", "exe"), 0);
	ck_assert_int_eq(drove_auth_authenticate_headers(auth, lookup, hdrs, &p), 0);
	ck_assert_str_eq(drove_principal_name(p), "exec-7");
	drove_principal_free(p);
	p = NULL;
	hdrs[1] = "wrong";
	drove_assert_error(drove_auth_authenticate_headers(auth, lookup, hdrs, &p), DROVE_EAUTH,
	                   "secret not recognised");
	ck_assert_ptr_null(p);
	drove_assert_error(drove_auth_authenticate_headers(auth, NULL, hdrs, &p), DROVE_EINVAL,
	                   "invalid argument");
}
END_TEST

START_TEST(test_consttime_streq)
{
	ck_assert(drove__auth_consttime_streq("abc", "abc"));
	ck_assert(!drove__auth_consttime_streq("abc", "abd"));
	ck_assert(!drove__auth_consttime_streq("abc", "abcd"));
	ck_assert(!drove__auth_consttime_streq("abc", NULL));
	ck_assert(drove__auth_consttime_streq("", ""));
}
END_TEST

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("roles");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_role_table);
	tcase_add_test(tc, test_authorise_exact_match);
	tcase_add_test(tc, test_disable_read_auth);
	suite_add_tcase(s, tc);

	tc = tcase_create("authenticators");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cluster_secret);
	tcase_add_test(tc, test_cluster_secrets_unique);
	tcase_add_test(tc, test_app_instance_token);
	tcase_add_test(tc, test_basic_plain);
	tcase_add_test(tc, test_basic_malformed_headers);
	tcase_add_test(tc, test_order_first_accepting_wins);
	tcase_add_test(tc, test_no_auth_mode);
	tcase_add_test(tc, test_authenticate_headers);
	tcase_add_test(tc, test_consttime_streq);
	suite_add_tcase(s, tc);

	tc = tcase_create("bcrypt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_basic_bcrypt);
	tcase_add_test(tc, test_bcrypt_cache_expires);
	tcase_add_test(tc, test_bcrypt_known_vectors);
	suite_add_tcase(s, tc);
	return s;
}
