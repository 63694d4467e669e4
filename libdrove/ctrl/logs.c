/* Log files proxied to the executor that holds them (DROVE_API.md §2.9). */
#include "ctrl/ctrl.h"

int drove__ctrl_log_routes(drove_controller *c)
{
	(void)c;
	return 0;
}
