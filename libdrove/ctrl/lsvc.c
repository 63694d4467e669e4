/* Local services (DROVE_API.md §2.6, §4.4, §5.4). */
#include <json-c/json.h>

#include "ctrl/ctrl.h"
#include "http/server.h"

static void h_reserved(drove__http_req *req, void *ud)
{
	struct json_object *o = json_object_new_object();
	(void)ud;
	json_object_object_add(o, "cpus", json_object_new_int(0));
	json_object_object_add(o, "memory", json_object_new_int(0));
	json_object_object_add(o, "requiredInstances", json_object_new_object());
	drove__http_reply_success(req, o);
}

int drove__ctrl_lsvc_routes(drove_controller *c)
{
	return drove__http_server_route(c->http, DROVE_HTTP_GET,
	                                "/apis/v1/internal/cluster/resources/reserved",
	                                DROVE_ROLES_CLUSTER, 1, h_reserved, c);
}

void drove__ctrl_lsvc_load(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_lsvc_clear(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_lsvc_apply(drove_controller *c, const drove_ls_instance_info *li)
{
	(void)c;
	(void)li;
}

void drove__ctrl_lsvc_reconcile(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_lsvc_tick(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_lsvc_executor_lost(drove_controller *c, const char *exec_id)
{
	(void)c;
	(void)exec_id;
}

void drove__ctrl_lsvc_executor_changed(drove_controller *c, const char *exec_id)
{
	(void)c;
	(void)exec_id;
}

bool drove__ctrl_lsvc_known(const drove_ls_instance_info *li, void *c)
{
	(void)c;
	(void)li;
	return false;
}

void drove__ctrl_lsvc_counts(drove_controller *c, size_t *total, size_t *active)
{
	(void)c;
	*total = *active = 0;
}

const char *drove__ctrl_lsvc_instance_executor(drove_controller *c, const char *service_id,
                                               const char *instance_id)
{
	(void)c;
	(void)service_id;
	(void)instance_id;
	return NULL;
}
