/* The TLS keys of a Dropwizard `type: https` connector (key store path, password, type),
 * shared by the controller / executor and the Epoch configurations. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "config/config.h"
#include "config/yaml.h"

void drove__cfg_tls_clear(drove__cfg_tls *t)
{
	if (!t)
		return;
	free(t->key_store_path);
	if (t->key_store_password) {
		explicit_bzero(t->key_store_password, strlen(t->key_store_password));
		free(t->key_store_password);
	}
	free(t->key_store_type);
	memset(t, 0, sizeof(*t));
}

int drove__cfg_read_connector(drove__yreader *r, drove__ynode *c, drove__cfg_tls *out)
{
	static const char *const types[] = {"http", "https", NULL};
	int type = 0, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = drove__yr_enum(r, c, "type", types, &type)) < 0 || type == 0)
		return rc;
	out->enabled = 1;
	if ((rc = drove__yr_str(r, c, "keyStorePath", &out->key_store_path)) < 0 ||
	    (rc = drove__yr_str(r, c, "keyStorePassword", &out->key_store_password)) < 0 ||
	    (rc = drove__yr_str(r, c, "keyStoreType", &out->key_store_type)) < 0)
		goto fail;
	if (!out->key_store_path || !*out->key_store_path) {
		rc = drove__yr_error(r, c->line, "keyStorePath",
		                     "required for a connector of type https (a PKCS12 key store)");
		goto fail;
	}
	if (out->key_store_type && drove__streq_nocase(out->key_store_type, "JKS")) {
		rc = drove__yr_error(
		        r, drove__yr_get(c, "keyStoreType")->line, "keyStoreType",
		        "JKS key stores are not supported; convert the store to PKCS12 "
		        "(keytool -importkeystore -srckeystore in.jks -destkeystore "
		        "out.p12 -deststoretype PKCS12) and set keyStoreType: PKCS12");
		goto fail;
	}
	if (out->key_store_type && !drove__streq_nocase(out->key_store_type, "PKCS12")) {
		rc = drove__yr_error(r, drove__yr_get(c, "keyStoreType")->line, "keyStoreType",
		                     "'%s' is not supported (only PKCS12)", out->key_store_type);
		goto fail;
	}
	return 0;
fail:
	drove__cfg_tls_clear(out);
	return rc;
}
