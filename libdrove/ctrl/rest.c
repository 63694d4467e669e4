/* REST helpers shared by the controller's handlers (api.c, tasks.c, lsvc.c). */
#include <errno.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "ctrl/mech.h"
#include "http/server.h"

struct json_object *drove__ctrl_jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

int drove__ctrl_query_i64(drove__http_req *req, const char *name, int64_t def, int64_t max,
                          int64_t *out)
{
	const char *v = drove__http_req_query(req, name);
	char *end;
	long long x;
	if (!v) {
		*out = def;
		return 0;
	}
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || end == v || *end || x < 0 || x > max)
		return -1;
	*out = x;
	return 0;
}

void drove__ctrl_reply_one_error(drove__http_req *req, const char *msg)
{
	drove_strlist *e = NULL;
	if (drove_strlist_new(&e) < 0 || drove_strlist_add(e, msg) < 0) {
		drove_strlist_free(e);
		drove__http_reply_server_error(req, "out of memory");
		return;
	}
	drove__http_reply_validation(req, e);
	drove_strlist_free(e);
}

void drove__ctrl_reply_bad_param(drove__http_req *req, const char *name)
{
	char *msg = drove__asprintf("query param %s must be between 0 and the maximum", name);
	drove__ctrl_reply_one_error(req, msg ? msg : "bad query parameter");
	free(msg);
}

void drove__ctrl_reply_json_errors(drove__http_req *req, const drove_strlist *errors)
{
	struct json_object *d = json_object_new_object(), *a = json_object_new_array();
	for (size_t i = 0; i < drove_strlist_count(errors); i++)
		json_object_array_add(a, drove__ctrl_jstr(drove_strlist_get(errors, i)));
	if (!drove_strlist_count(errors))
		json_object_array_add(a, drove__ctrl_jstr(drove_error_last()->message));
	json_object_object_add(d, "validationErrors", a);
	drove__http_reply_failed(req, 400, "JSON validation failure", d);
}

const char *drove__ctrl_op_begin(drove_controller *c, drove__http_req *req, size_t *len,
                                 drove_strlist **errors)
{
	if (drove__ctrl_in_window(c)) {
		drove__ctrl_reply_one_error(req, "Cluster is in maintenance mode");
		return NULL;
	}
	if (drove_strlist_new(errors) < 0) {
		drove__http_reply_server_error(req, "out of memory");
		return NULL;
	}
	return drove__http_req_body(req, len);
}

void drove__ctrl_reply_decode_failed(drove__http_req *req, int rc, const drove_strlist *errors)
{
	if (rc == 1)
		drove__ctrl_reply_json_errors(req, errors);
	else if (rc == 2)
		drove__http_reply_validation(req, errors);
	else
		drove__http_reply_server_error(req, "out of memory");
}
