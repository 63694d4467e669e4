/* Authentication chain (cluster secret, app-instance token, Basic / no-auth), roles and
 * authorisation (reference §1.4, §1.5). */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <drove/auth.h>
#include <drove/clock.h>
#include <drove/strlist.h>
#include "auth/auth.h"
#include "core/internal.h"

#define MOD "auth"

struct drove_principal {
	char *name;
	int role;
	drove_strmap *claims; /* NULL until a claim is set */
};

struct user {
	char *name;
	char *password; /* plain text or bcrypt hash */
	int encoding;
	int role;
};

struct cache_entry {
	unsigned char key[32]; /* SHA-256(salt || user || '\0' || password) */
	int64_t last_used_ms;
	int used;
};

struct drove_auth {
	drove_ctx *ctx;
	int no_auth;
	int disable_read_auth;
	struct user *users;
	size_t nusers, cap_users;
	char *secret_controller;
	char *secret_executor;
	drove_auth_token_fn token_fn;
	void *token_ud;
	drove__authenticator *chain; /* built-ins first, then appended ones */
	drove__authenticator builtin[3];
	/* bcrypt cache */
	pthread_mutex_t cache_lock;
	struct cache_entry *cache;
	size_t cache_max;
	int64_t cache_ttl_ms;
	unsigned char cache_salt[16];
	unsigned long bcrypt_runs;
};

/* ---- roles ---- */

static const struct {
	int role;
	const char *name; /* role string */
	const char *yaml; /* YAML config value */
} roles[] = {
        {DROVE_ROLE_EXTERNAL_ROOT, "DROVE_EXTERNAL_ROOT", "EXTERNAL_ROOT"},
        {DROVE_ROLE_EXTERNAL_READ_WRITE, "DROVE_EXTERNAL_READ_WRITE", "EXTERNAL_READ_WRITE"},
        {DROVE_ROLE_EXTERNAL_MAINTENANCE, "DROVE_EXTERNAL_MAINTENANCE",
         "DROVE_EXTERNAL_MAINTENANCE"},
        {DROVE_ROLE_EXTERNAL_READ_ONLY, "DROVE_EXTERNAL_READ_ONLY", "EXTERNAL_READ_ONLY"},
        {DROVE_ROLE_CLUSTER_NODE, "DROVE_CLUSTER_NODE", "CLUSTER_NODE"},
        {DROVE_ROLE_APPLICATION_INSTANCE, "DROVE_APPLICATION_INSTANCE",
         "DROVE_APPLICATION_INSTANCE"},
};

int drove_auth_role_parse(const char *s, int *out)
{
	DROVE_CHECK_ARG(out);
	if (s) {
		for (size_t i = 0; i < DROVE_ARRAY_LEN(roles); i++) {
			if (drove__streq_nocase(s, roles[i].name) ||
			    drove__streq_nocase(s, roles[i].yaml)) {
				*out = roles[i].role;
				return 0;
			}
		}
	}
	return drove__error(DROVE_EINVAL, "role: unknown value '%s'", s ? s : "(null)");
}

const char *drove_auth_role_name(int role)
{
	for (size_t i = 0; i < DROVE_ARRAY_LEN(roles); i++)
		if (roles[i].role == role)
			return roles[i].name;
	return NULL;
}

static int role_valid(int role)
{
	return drove_auth_role_name(role) != NULL;
}

int drove_auth_encoding_parse(const char *s, int *out)
{
	DROVE_CHECK_ARG(out);
	if (s && drove__streq_nocase(s, "PLAIN")) {
		*out = DROVE_AUTH_PLAIN;
		return 0;
	}
	if (s && drove__streq_nocase(s, "CRYPT")) {
		*out = DROVE_AUTH_CRYPT;
		return 0;
	}
	return drove__error(DROVE_EINVAL, "userAuth.encoding: unknown value '%s'",
	                    s ? s : "(null)");
}

/* ---- principals ---- */

int drove_principal_new(drove_principal **out, const char *name, int role)
{
	drove_principal *p;

	DROVE_CHECK_ARG(out && name);
	if (!role_valid(role))
		return drove__error(DROVE_EINVAL, "principal.role: unknown role %d", role);
	if (!(p = calloc(1, sizeof(*p))))
		return drove__enomem();
	if (!(p->name = drove__strdup(name))) {
		free(p);
		return DROVE_ENOMEM;
	}
	p->role = role;
	*out = p;
	return 0;
}

void drove_principal_free(drove_principal *p)
{
	if (!p)
		return;
	drove_strmap_free(p->claims);
	free(p->name);
	free(p);
}

const char *drove_principal_name(const drove_principal *p)
{
	return p ? p->name : NULL;
}

int drove_principal_role(const drove_principal *p)
{
	return p ? p->role : 0;
}

int drove_principal_set_claim(drove_principal *p, const char *key, const char *value)
{
	int rc;

	DROVE_CHECK_ARG(p && key && value);
	if (!p->claims && (rc = drove_strmap_new(&p->claims)) < 0)
		return rc;
	return drove_strmap_set(p->claims, key, value);
}

const char *drove_principal_claim(const drove_principal *p, const char *key)
{
	return p && p->claims && key ? drove_strmap_get(p->claims, key) : NULL;
}

/* ---- helpers ---- */

static int sha256(const void *a, size_t alen, const void *b, size_t blen, const void *c,
                  size_t clen, unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok;

	if (!md)
		return drove__enomem();
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     (!alen || EVP_DigestUpdate(md, a, alen) == 1) &&
	     (!blen || EVP_DigestUpdate(md, b, blen) == 1) &&
	     (!clen || EVP_DigestUpdate(md, c, clen) == 1) &&
	     EVP_DigestFinal_ex(md, out, &n) == 1 && n == 32;
	EVP_MD_CTX_free(md);
	return ok ? 0 : drove__error(DROVE_ERROR, "auth: sha-256 failed");
}

int drove__auth_consttime_streq(const char *a, const char *b)
{
	unsigned char da[32], db[32];

	if (!a || !b)
		return 0;
	if (sha256(a, strlen(a), NULL, 0, NULL, 0, da) < 0 ||
	    sha256(b, strlen(b), NULL, 0, NULL, 0, db) < 0)
		return 0;
	return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

static int is_bcrypt_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '/';
}

int drove__auth_is_bcrypt(const char *s)
{
	int cost;

	if (!s || strlen(s) != 60 || s[0] != '$' || s[1] != '2' ||
	    (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') || s[3] != '$' || s[6] != '$')
		return 0;
	if (s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9')
		return 0;
	cost = (s[4] - '0') * 10 + (s[5] - '0');
	if (cost < 4 || cost > 31)
		return 0;
	for (int i = 7; i < 60; i++)
		if (!is_bcrypt_b64(s[i]))
			return 0;
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int drove__auth_parse_basic(const char *header, char **user, char **pass)
{
	const char *p, *end, *colon;
	unsigned char *dec = NULL;
	size_t n, dlen;
	int rc;

	if (!header)
		return drove__error(DROVE_EAUTH, "authorization: header missing");
	n = strnlen(header, DROVE_AUTH_HEADER_MAX + 1);
	if (n > DROVE_AUTH_HEADER_MAX)
		return drove__error(DROVE_EAUTH, "authorization: header longer than %d bytes",
		                    DROVE_AUTH_HEADER_MAX);
	p = header;
	end = header + n;
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if ((size_t)(end - p) < 6 || strncasecmp(p, "basic", 5) != 0 || !is_blank(p[5]))
		return drove__error(DROVE_EAUTH, "authorization: not a basic credential");
	p += 6;
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return drove__error(DROVE_EAUTH, "authorization: empty basic credential");
	if ((rc = drove__base64_decode(p, (size_t)(end - p), &dec, &dlen)) < 0) {
		if (rc == DROVE_ENOMEM)
			return rc;
		return drove__error(DROVE_EAUTH, "authorization: basic credential is not base64");
	}
	if (memchr(dec, '\0', dlen)) {
		free(dec);
		return drove__error(DROVE_EAUTH,
		                    "authorization: basic credential holds a nul byte");
	}
	if (!(colon = memchr(dec, ':', dlen))) {
		free(dec);
		return drove__error(DROVE_EAUTH, "authorization: basic credential lacks ':'");
	}
	*user = drove__strndup((const char *)dec, (size_t)(colon - (const char *)dec));
	*pass = drove__strdup(colon + 1);
	OPENSSL_cleanse(dec, dlen);
	free(dec);
	if (!*user || !*pass) {
		free(*user);
		free(*pass);
		*user = *pass = NULL;
		return drove__enomem();
	}
	return 0;
}

/* ---- bcrypt cache ---- */

static int cache_key(drove_auth *auth, const char *user, const char *pass, unsigned char key[32])
{
	return sha256(auth->cache_salt, sizeof(auth->cache_salt), user, strlen(user) + 1, pass,
	              strlen(pass), key);
}

static int cache_hit(drove_auth *auth, const unsigned char key[32])
{
	int64_t now = drove_time_mono_ms();
	int hit = 0;

	pthread_mutex_lock(&auth->cache_lock);
	for (size_t i = 0; i < auth->cache_max && auth->cache; i++) {
		struct cache_entry *e = &auth->cache[i];
		if (!e->used)
			continue;
		if (now - e->last_used_ms >= auth->cache_ttl_ms) {
			e->used = 0;
			continue;
		}
		if (CRYPTO_memcmp(e->key, key, 32) == 0) {
			e->last_used_ms = now;
			hit = 1;
			break;
		}
	}
	pthread_mutex_unlock(&auth->cache_lock);
	return hit;
}

static void cache_put(drove_auth *auth, const unsigned char key[32])
{
	int64_t now = drove_time_mono_ms();
	struct cache_entry *victim = NULL;

	pthread_mutex_lock(&auth->cache_lock);
	for (size_t i = 0; i < auth->cache_max && auth->cache; i++) {
		struct cache_entry *e = &auth->cache[i];
		if (!e->used || now - e->last_used_ms >= auth->cache_ttl_ms) {
			victim = e;
			break;
		}
		if (!victim || e->last_used_ms < victim->last_used_ms)
			victim = e; /* least recently used */
	}
	if (victim) {
		memcpy(victim->key, key, 32);
		victim->last_used_ms = now;
		victim->used = 1;
	}
	pthread_mutex_unlock(&auth->cache_lock);
}

static void cache_clear(drove_auth *auth)
{
	pthread_mutex_lock(&auth->cache_lock);
	if (auth->cache)
		memset(auth->cache, 0, auth->cache_max * sizeof(*auth->cache));
	pthread_mutex_unlock(&auth->cache_lock);
}

int drove_auth_set_cache(drove_auth *auth, size_t max_entries, int64_t ttl_ms)
{
	struct cache_entry *c = NULL;

	DROVE_CHECK_ARG(auth && ttl_ms >= 0 && max_entries <= 1000000);
	if (max_entries && ttl_ms && !(c = calloc(max_entries, sizeof(*c))))
		return drove__enomem();
	pthread_mutex_lock(&auth->cache_lock);
	free(auth->cache);
	auth->cache = c;
	auth->cache_max = c ? max_entries : 0;
	auth->cache_ttl_ms = ttl_ms;
	pthread_mutex_unlock(&auth->cache_lock);
	return 0;
}

unsigned long drove__auth_bcrypt_runs(const drove_auth *auth)
{
	unsigned long n;

	pthread_mutex_lock((pthread_mutex_t *)&auth->cache_lock);
	n = auth->bcrypt_runs;
	pthread_mutex_unlock((pthread_mutex_t *)&auth->cache_lock);
	return n;
}

/* bcrypt through libxcrypt; 1 when `pass` matches `hash`. */
static int bcrypt_verify(drove_auth *auth, const char *pass, const char *hash)
{
	struct crypt_data *cd;
	const char *res;
	int ok = 0;

	if (!(cd = calloc(1, sizeof(*cd))))
		return drove__enomem();
	pthread_mutex_lock(&auth->cache_lock);
	auth->bcrypt_runs++;
	pthread_mutex_unlock(&auth->cache_lock);
	res = crypt_rn(pass, hash, cd, (int)sizeof(*cd));
	if (res && strlen(res) == strlen(hash))
		ok = CRYPTO_memcmp(res, hash, strlen(hash)) == 0;
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return ok;
}

/* ---- the authenticators ---- */

static int cluster_authenticate(drove__authenticator *self, drove_auth *auth,
                                const drove__auth_headers *h, drove_principal **out)
{
	const char *secret = h->cluster_authorization;
	int match = 0;

	if (!secret)
		return drove__error(DROVE_EAUTH, "cluster-authorization: header missing");
	/* Compare against every secret, always, so timing does not tell which one matched. */
	match |= drove__auth_consttime_streq(secret, auth->secret_controller);
	match |= drove__auth_consttime_streq(secret, auth->secret_executor);
	if (!match)
		return drove__error(DROVE_EAUTH, "cluster-authorization: secret not recognised");
	return drove_principal_new(out, h->node_id && *h->node_id ? h->node_id : "cluster-node",
	                           DROVE_ROLE_CLUSTER_NODE);
}

static int token_authenticate(drove__authenticator *self, drove_auth *auth,
                              const drove__auth_headers *h, drove_principal **out)
{
	drove_principal *p = NULL;
	const char *id;
	int rc;

	if (!h->app_instance_authorization)
		return drove__error(DROVE_EAUTH, "app-instance-authorization: header missing");
	if (!auth->token_fn)
		return drove__error(DROVE_EAUTH, "app-instance-authorization: no token verifier");
	if ((rc = drove_principal_new(&p, "app-instance", DROVE_ROLE_APPLICATION_INSTANCE)) < 0)
		return rc;
	if ((rc = auth->token_fn(h->app_instance_authorization, p, auth->token_ud)) < 0) {
		drove_principal_free(p);
		if (rc == DROVE_ENOMEM)
			return rc;
		return drove__error(DROVE_EAUTH, "app-instance-authorization: token rejected");
	}
	if ((id = drove_principal_claim(p, "droveInstanceId"))) {
		char *name = drove__strdup(id);
		if (!name) {
			drove_principal_free(p);
			return DROVE_ENOMEM;
		}
		free(p->name);
		p->name = name;
	}
	p->role = DROVE_ROLE_APPLICATION_INSTANCE; /* the verifier cannot raise it */
	*out = p;
	return 0;
}

static const struct user *find_user(const drove_auth *auth, const char *name)
{
	for (size_t i = 0; i < auth->nusers; i++)
		if (strcmp(auth->users[i].name, name) == 0)
			return &auth->users[i];
	return NULL;
}

static int basic_authenticate(drove__authenticator *self, drove_auth *auth,
                              const drove__auth_headers *h, drove_principal **out)
{
	const struct user *u;
	char *name = NULL, *pass = NULL;
	int rc, ok = 0;

	if (auth->no_auth)
		return drove_principal_new(out, DROVE_AUTH_DEFAULT_USER, DROVE_ROLE_EXTERNAL_ROOT);
	if (!h->authorization)
		return drove__error(DROVE_EAUTH, "credentials are required");
	if ((rc = drove__auth_parse_basic(h->authorization, &name, &pass)) < 0)
		return rc;
	if (!(u = find_user(auth, name))) {
		rc = drove__error(DROVE_EAUTH, "authorization: unknown user '%s'", name);
		goto out;
	}
	if (u->encoding == DROVE_AUTH_PLAIN) {
		ok = drove__auth_consttime_streq(pass, u->password);
	} else {
		unsigned char key[32];
		int cached = auth->cache_max && cache_key(auth, name, pass, key) == 0;
		if (cached && cache_hit(auth, key)) {
			ok = 1;
		} else if ((ok = bcrypt_verify(auth, pass, u->password)) < 0) {
			rc = ok;
			goto out;
		} else if (ok && cached) {
			cache_put(auth, key);
		}
		OPENSSL_cleanse(key, sizeof(key));
	}
	if (!ok) {
		rc = drove__error(DROVE_EAUTH, "authorization: wrong password for user '%s'", name);
		goto out;
	}
	rc = drove_principal_new(out, u->name, u->role);
out:
	OPENSSL_cleanse(pass, strlen(pass));
	free(pass);
	free(name);
	return rc;
}

/* ---- the object ---- */

int drove_auth_new(drove_auth **out, drove_ctx *ctx)
{
	drove_auth *a;
	int rc;

	DROVE_CHECK_ARG(out && ctx);
	if (!(a = calloc(1, sizeof(*a))))
		return drove__enomem();
	a->ctx = ctx;
	pthread_mutex_init(&a->cache_lock, NULL);
	drove__rand_bytes(ctx, a->cache_salt, sizeof(a->cache_salt));
	a->builtin[0] = (drove__authenticator){"cluster-secret", cluster_authenticate, NULL, NULL};
	a->builtin[1] = (drove__authenticator){"app-instance", token_authenticate, NULL, NULL};
	a->builtin[2] = (drove__authenticator){"basic", basic_authenticate, NULL, NULL};
	a->builtin[0].next = &a->builtin[1];
	a->builtin[1].next = &a->builtin[2];
	a->chain = &a->builtin[0];
	if ((rc = drove_auth_set_cache(a, 500, 5 * 60 * 1000)) < 0) {
		drove_auth_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void drove_auth_free(drove_auth *a)
{
	drove__authenticator *x;

	if (!a)
		return;
	for (x = a->builtin[2].next; x;) {
		drove__authenticator *next = x->next;
		if (x->free)
			x->free(x);
		x = next;
	}
	for (size_t i = 0; i < a->nusers; i++) {
		OPENSSL_cleanse(a->users[i].password, strlen(a->users[i].password));
		free(a->users[i].password);
		free(a->users[i].name);
	}
	free(a->users);
	if (a->secret_controller)
		OPENSSL_cleanse(a->secret_controller, strlen(a->secret_controller));
	if (a->secret_executor)
		OPENSSL_cleanse(a->secret_executor, strlen(a->secret_executor));
	free(a->secret_controller);
	free(a->secret_executor);
	free(a->cache);
	pthread_mutex_destroy(&a->cache_lock);
	free(a);
}

void drove__auth_append(drove_auth *auth, drove__authenticator *a)
{
	drove__authenticator *x = &auth->builtin[2];

	while (x->next)
		x = x->next;
	a->next = NULL;
	x->next = a;
}

int drove_auth_add_user(drove_auth *auth, const char *username, const char *password, int encoding,
                        int role)
{
	struct user *u;
	char *n, *p;

	DROVE_CHECK_ARG(auth && username && password);
	if (!*username || strchr(username, ':'))
		return drove__error(DROVE_EINVAL,
		                    "userAuth.users: username '%s' is empty or has ':'", username);
	if (!role_valid(role))
		return drove__error(DROVE_EINVAL, "userAuth.users[%s].role: unknown role %d",
		                    username, role);
	if (encoding != DROVE_AUTH_PLAIN && encoding != DROVE_AUTH_CRYPT)
		return drove__error(DROVE_EINVAL, "userAuth.encoding: unknown encoding %d",
		                    encoding);
	if (encoding == DROVE_AUTH_CRYPT && !drove__auth_is_bcrypt(password))
		return drove__error(DROVE_EINVAL,
		                    "userAuth.users[%s].password: not a bcrypt hash ($2a$, $2b$ or "
		                    "$2y$, 60 characters)",
		                    username);
	if (!(n = drove__strdup(username)))
		return DROVE_ENOMEM;
	if (!(p = drove__strdup(password))) {
		free(n);
		return DROVE_ENOMEM;
	}
	if ((u = (struct user *)find_user(auth, username))) {
		OPENSSL_cleanse(u->password, strlen(u->password));
		free(u->password);
		free(u->name);
		cache_clear(auth); /* a changed password must not stay cached */
	} else {
		if (drove__grow(&auth->users, &auth->cap_users, auth->nusers + 1,
		                sizeof(*auth->users)) < 0) {
			free(n);
			free(p);
			return DROVE_ENOMEM;
		}
		u = &auth->users[auth->nusers++];
	}
	u->name = n;
	u->password = p;
	u->encoding = encoding;
	u->role = role;
	return 0;
}

static char **secret_slot(drove_auth *auth, const char *node_type)
{
	if (node_type && drove__streq_nocase(node_type, "CONTROLLER"))
		return &auth->secret_controller;
	if (node_type && drove__streq_nocase(node_type, "EXECUTOR"))
		return &auth->secret_executor;
	return NULL;
}

int drove_auth_add_cluster_secret(drove_auth *auth, const char *node_type, const char *secret)
{
	char **slot, **other;
	char *s;

	DROVE_CHECK_ARG(auth && secret);
	if (!(slot = secret_slot(auth, node_type)))
		return drove__error(DROVE_EINVAL,
		                    "clusterAuth.secrets.nodeType: unknown value '%s'",
		                    node_type ? node_type : "(null)");
	if (!*secret)
		return drove__error(DROVE_EINVAL, "clusterAuth.secrets[%s].secret: empty",
		                    node_type);
	if (*slot)
		return drove__error(DROVE_EINVAL,
		                    "clusterAuth.secrets: a second secret for node type %s",
		                    node_type);
	other = slot == &auth->secret_controller ? &auth->secret_executor
	                                         : &auth->secret_controller;
	if (*other && strcmp(*other, secret) == 0)
		return drove__error(DROVE_EEXISTS,
		                    "clusterAuth.secrets[%s].secret: secrets must be unique",
		                    node_type);
	if (!(s = drove__strdup(secret)))
		return DROVE_ENOMEM;
	*slot = s;
	return 0;
}

const char *drove_auth_cluster_secret(const drove_auth *auth, const char *node_type)
{
	char **slot;

	if (!auth || !(slot = secret_slot((drove_auth *)auth, node_type)))
		return NULL;
	return *slot;
}

void drove_auth_set_no_auth(drove_auth *auth, int on)
{
	if (auth)
		auth->no_auth = on ? 1 : 0;
}

void drove_auth_set_disable_read_auth(drove_auth *auth, int on)
{
	if (auth)
		auth->disable_read_auth = on ? 1 : 0;
}

void drove_auth_set_token_verifier(drove_auth *auth, drove_auth_token_fn fn, void *userdata)
{
	if (!auth)
		return;
	auth->token_fn = fn;
	auth->token_ud = userdata;
}

static int run_chain(drove_auth *auth, const drove__auth_headers *h, drove_principal **out)
{
	char first[256] = "";
	int rc = DROVE_EAUTH;

	for (drove__authenticator *a = auth->chain; a; a = a->next) {
		drove_principal *p = NULL;
		rc = a->authenticate(a, auth, h, &p);
		if (rc == 0) {
			drove__debug(auth->ctx, MOD, "%s accepted '%s' as %s", a->name, p->name,
			             drove_auth_role_name(p->role));
			*out = p;
			return 0;
		}
		if (rc != DROVE_EAUTH)
			return rc;
		/* Remember why the most relevant authenticator refused: the one whose header
		 * was present, else the last one. */
		if (!first[0] && !strstr(drove_error_last()->message, "header missing"))
			snprintf(first, sizeof(first), "%s", drove_error_last()->message);
	}
	if (first[0])
		return drove__error(DROVE_EAUTH, "%s", first);
	return drove__error(DROVE_EAUTH, "credentials are required");
}

int drove_auth_authenticate(drove_auth *auth, const char *cluster_authorization,
                            const char *node_id, const char *app_instance_authorization,
                            const char *authorization, drove_principal **out)
{
	drove__auth_headers h = {cluster_authorization, node_id, app_instance_authorization,
	                         authorization};

	DROVE_CHECK_ARG(auth && out);
	return run_chain(auth, &h, out);
}

int drove_auth_authenticate_headers(drove_auth *auth, drove_auth_header_fn get, void *userdata,
                                    drove_principal **out)
{
	drove__auth_headers h;

	DROVE_CHECK_ARG(auth && get && out);
	h.cluster_authorization = get("Cluster-Authorization", userdata);
	h.node_id = get("NodeId", userdata);
	h.app_instance_authorization = get("App-Instance-Authorization", userdata);
	h.authorization = get("Authorization", userdata);
	return run_chain(auth, &h, out);
}

int drove_auth_authorise(const drove_auth *auth, const drove_principal *p, unsigned allowed)
{
	DROVE_CHECK_ARG(auth && p);
	if (!role_valid(p->role))
		return drove__error(DROVE_EAUTH, "principal '%s': unknown role %d", p->name,
		                    p->role);
	if (allowed & DROVE_ROLE_BIT(p->role))
		return 0;
	/* disableReadAuth: a check for READ_ONLY passes for everyone authenticated. */
	if (auth->disable_read_auth && (allowed & DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_READ_ONLY)))
		return 0;
	return drove__error(DROVE_EAUTH, "principal '%s': role %s is not allowed here", p->name,
	                    drove_auth_role_name(p->role));
}
