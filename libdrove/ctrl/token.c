/* Instance tokens (§8.9): minted for every START, verified by the sibling API (iapi.c). Below
 * the kinds that send STARTs; calls nothing in ctrl. */
#include <stdlib.h>

#include <drove/clock.h>
#include <drove/config.h>
#include <drove/token.h>

#include "ctrl/mech.h"

#define DEFAULT_INSTANCE_SECRET "DEFAULT_SECRET"

const char *drove__ctrl_instance_secret(const drove_controller *c)
{
	const char *secret = drove_config_instance_secret(c->cfg);
	return secret && *secret ? secret : DEFAULT_INSTANCE_SECRET;
}

char *drove__ctrl_instance_token(drove_controller *c, const char *app_id, const char *instance_id,
                                 const char *executor_id)
{
	char *tok = NULL;

	if (drove_instance_token_sign(drove__ctrl_instance_secret(c), app_id, instance_id,
	                              executor_id, drove_time_wall_ms() / 1000, &tok) < 0)
		return NULL;
	return tok;
}
