/* The app-instance API (DROVE_API.md §2.10) and instance tokens (§8.9). */
#include <drove/clock.h>
#include <drove/config.h>
#include <drove/token.h>

#include "ctrl/ctrl.h"
#include "http/server.h"

char *drove__ctrl_instance_token(drove_controller *c, const char *app_id, const char *instance_id,
                                 const char *executor_id)
{
	char *tok = NULL;
	const char *secret = drove_config_instance_secret(c->cfg);

	if (drove_instance_token_sign(secret ? secret : "DEFAULT_SECRET", app_id, instance_id,
	                              executor_id, drove_time_wall_ms() / 1000, &tok) < 0)
		return NULL;
	return tok;
}

int drove__ctrl_iapi_routes(drove_controller *c)
{
	(void)c;
	return 0;
}
