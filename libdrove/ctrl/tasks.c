/* Tasks (DROVE_API.md §2.5, §4.3, §5.3). */
#include "ctrl/ctrl.h"

int drove__ctrl_task_routes(drove_controller *c)
{
	(void)c;
	return 0;
}

void drove__ctrl_tasks_load(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_tasks_clear(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_task_apply(drove_controller *c, const drove_task_info *t)
{
	(void)c;
	(void)t;
}

void drove__ctrl_tasks_reconcile(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_tasks_tick(drove_controller *c)
{
	(void)c;
}

void drove__ctrl_tasks_executor_lost(drove_controller *c, const char *exec_id)
{
	(void)c;
	(void)exec_id;
}

bool drove__ctrl_task_known(const drove_task_info *t, void *c)
{
	(void)c;
	return drove_task_state_is_active((int)t->state);
}

size_t drove__ctrl_tasks_active(drove_controller *c)
{
	(void)c;
	return 0;
}

const char *drove__ctrl_task_executor(drove_controller *c, const char *source_app,
                                      const char *task_id)
{
	(void)c;
	(void)source_app;
	(void)task_id;
	return NULL;
}
