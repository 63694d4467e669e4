/* Store options from a loaded controller or executor configuration, so that every daemon
 * opens its store the same way. */
#include <stdlib.h>

#include "config/config.h"
#include "core/internal.h"
#include "store/store_internal.h"

int drove__store_opts_from_config(const drove_config *cfg, drove_store_opts **out)
{
	drove_store_opts *so = NULL;
	char *ns = NULL;
	int rc;

	DROVE_CHECK_ARG(cfg && out);
	if ((rc = drove_store_opts_new(&so)) < 0)
		return rc;
	switch (cfg->store.type) {
	case DROVE_STORE_ZK:
		if (!(ns = drove__asprintf("/%s", cfg->store.zk_namespace ? cfg->store.zk_namespace
		                                                          : "drove"))) {
			rc = DROVE_ENOMEM;
			break;
		}
		if ((rc = drove_store_opts_set_zk(so, cfg->store.zk_connection)) < 0 ||
		    (rc = drove_store_opts_set_namespace(so, ns)) < 0)
			break;
		if (cfg->store.zk_session_timeout_ms > 0)
			rc = drove_store_opts_set_session_timeout(
			        so, (int)cfg->store.zk_session_timeout_ms);
		break;
	case DROVE_STORE_LOCAL:
		rc = drove_store_opts_set_local(so, cfg->store.data_dir);
		break;
	default:
		rc = drove__error(DROVE_EINVAL, "store: the configuration has none");
		break;
	}
	free(ns);
	if (rc < 0) {
		drove_store_opts_free(so);
		return rc;
	}
	*out = so;
	return 0;
}
