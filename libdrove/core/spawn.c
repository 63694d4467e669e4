/* Children the library starts (DYNAMIC_COMMAND metadata providers, nginx): their spawn
 * attributes. */
#include <signal.h>

#include "core/internal.h"

void drove__spawnattr_init(posix_spawnattr_t *at, bool own_group)
{
	sigset_t none, dfl;
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(at);
	posix_spawnattr_setsigmask(at, &none);
	posix_spawnattr_setsigdefault(at, &dfl);
	if (own_group) {
		posix_spawnattr_setpgroup(at, 0);
		flags |= POSIX_SPAWN_SETPGROUP;
	}
	posix_spawnattr_setflags(at, flags);
}
