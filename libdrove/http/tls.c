/* TLS for the HTTP server: a server-side OpenSSL context from a PKCS12 key store (the
 * keyStorePath / keyStorePassword / keyStoreType of a Dropwizard `type: https` connector).
 * JKS key stores are refused with a message saying how to convert them. docs/http.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/internal.h"
#include "http/server.h"

#define KEY_STORE_MAX (1024 * 1024)

/* OpenSSL's first queued error as text (the queue is then cleared). */
static const char *ssl_err(char *buf, size_t n)
{
	unsigned long e = ERR_get_error();
	if (!e)
		snprintf(buf, n, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, buf, n);
	ERR_clear_error();
	return buf;
}

int drove__http_tls_check_type(const char *type)
{
	if (!type || drove__streq_nocase(type, "PKCS12"))
		return 0;
	if (drove__streq_nocase(type, "JKS"))
		return drove__error(
		        DROVE_EINVAL,
		        "JKS key stores are not supported; convert it to PKCS12 (keytool "
		        "-importkeystore -srckeystore in.jks -destkeystore out.p12 "
		        "-deststoretype PKCS12) and set keyStoreType: PKCS12");
	return drove__error(DROVE_EINVAL, "key store type '%.40s' is not supported (only PKCS12)",
	                    type);
}

/* The whole file, at most KEY_STORE_MAX bytes. */
static int read_store(const char *path, unsigned char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (!f)
		return drove__error(DROVE_EIO, "TLS key store %s: %s", path, strerror(errno));
	if (!(buf = malloc(KEY_STORE_MAX + 1))) {
		fclose(f);
		return drove__enomem();
	}
	n = fread(buf, 1, KEY_STORE_MAX + 1, f);
	fclose(f);
	if (n > KEY_STORE_MAX) {
		free(buf);
		return drove__error(DROVE_EINVAL, "TLS key store %s: larger than %d bytes", path,
		                    KEY_STORE_MAX);
	}
	*out = buf;
	*len = n;
	return 0;
}

int drove__http_tls_ctx_new(void **out, const char *path, const char *password, const char *type)
{
	unsigned char *data = NULL;
	const unsigned char *p;
	size_t len = 0;
	PKCS12 *p12 = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	SSL_CTX *ctx = NULL;
	char eb[256];
	int rc;

	DROVE_CHECK_ARG(out && path);
	*out = NULL;
	if ((rc = drove__http_tls_check_type(type)) < 0)
		return rc;
	if ((rc = read_store(path, &data, &len)) < 0)
		return rc;
	if (len >= 4 && data[0] == 0xfe && data[1] == 0xed && data[2] == 0xfe && data[3] == 0xed) {
		free(data);
		drove__http_tls_check_type("JKS");
		return drove__error(DROVE_EINVAL, "TLS key store %s: %s", path,
		                    drove_error_last()->message);
	}
	ERR_clear_error();
	p = data;
	if (!(p12 = d2i_PKCS12(NULL, &p, (long)len))) {
		rc = drove__error(DROVE_EINVAL, "TLS key store %s: not a PKCS12 file (%s)", path,
		                  ssl_err(eb, sizeof(eb)));
		goto out;
	}
	if (!PKCS12_parse(p12, password ? password : "", &key, &cert, &ca) || !key || !cert) {
		rc = drove__error(DROVE_EINVAL,
		                  "TLS key store %s: cannot read the key and certificate (wrong "
		                  "keyStorePassword?): %s",
		                  path, ssl_err(eb, sizeof(eb)));
		goto out;
	}
	if (!(ctx = SSL_CTX_new(TLS_server_method())) ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		rc = drove__error(DROVE_EINVAL, "TLS key store %s: %s", path,
		                  ssl_err(eb, sizeof(eb)));
		goto out;
	}
	for (int i = 0; ca && i < sk_X509_num(ca); i++) {
		X509 *c = sk_X509_value(ca, i);
		if (SSL_CTX_add1_chain_cert(ctx, c) != 1) {
			rc = drove__error(DROVE_EINVAL, "TLS key store %s: chain: %s", path,
			                  ssl_err(eb, sizeof(eb)));
			goto out;
		}
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	*out = ctx;
	ctx = NULL;
	rc = 0;
out:
	SSL_CTX_free(ctx);
	sk_X509_pop_free(ca, X509_free);
	X509_free(cert);
	EVP_PKEY_free(key);
	PKCS12_free(p12);
	OPENSSL_cleanse(data, len);
	free(data);
	return rc;
}

void drove__http_tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}
