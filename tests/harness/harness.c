#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#ifndef THREADED
#define THREADED 1
#endif
#include <zookeeper/zookeeper.h>

#include <drove/clock.h>

#include "harness.h"
#include "store/store_internal.h"

const char *drove_test_require_env(const char *name, const char *what)
{
	const char *v = getenv(name);
	const char *req = getenv("DROVE_REQUIRE_COMPONENTS");

	if (v && *v)
		return v;
	if (req && strcmp(req, "1") == 0) {
		fprintf(stderr,
		        "FAIL: %s is required (DROVE_REQUIRE_COMPONENTS=1) but %s is unset; "
		        "start it with tests/harness/components.sh\n",
		        what, name);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s not available (%s unset); run tests through scripts/test.sh\n",
	        what, name);
	exit(77);
}

char *drove_test_read_source_file(const char *relpath, size_t *len)
{
	char path[4096];
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/%s", DROVE_SOURCE_DIR, relpath);
	if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(data = malloc((size_t)n + 1)) ||
	    fread(data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	data[n] = '\0';
	if (len)
		*len = (size_t)n;
	return data;
}

static void zk_quiet(const char *msg)
{
	(void)msg;
}

static void zk_joined(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	(void)zh;
	(void)type;
	(void)path;
	if (state == ZOO_CONNECTED_STATE)
		__atomic_store_n((int *)ctx, 1, __ATOMIC_RELEASE);
	else if (state == ZOO_EXPIRED_SESSION_STATE)
		__atomic_store_n((int *)ctx, -1, __ATOMIC_RELEASE);
}

void drove_test_zk_end_session(struct drove_store *s, const char *zk)
{
	clientid_t cid;
	zhandle_t *zh;
	int up = 0;
	int64_t end;

	ck_assert_int_eq(drove__store_zk_session(s, &cid.client_id, cid.passwd), 0);
	zh = zookeeper_init2(zk, zk_joined, 4000, &cid, &up, 0, zk_quiet);
	ck_assert_ptr_nonnull(zh);
	end = drove_time_mono_ms() + 10000;
	while (!__atomic_load_n(&up, __ATOMIC_ACQUIRE) && drove_time_mono_ms() < end)
		usleep(1000);
	/* -1: the server says the session is already gone (an earlier call ended it and the
	 * store has not heard yet), which is what the caller wants */
	ck_assert_msg(up != 0, "could not join the session");
	zookeeper_close(zh);
}

bool drove_test_zk_reachable(const char *zk)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *colon = strrchr(zk, ':');
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;
	sa.sin_port = htons((uint16_t)atoi(colon ? colon + 1 : "0"));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static char outage_flag[512];

void drove_test_zk_outage_begin(int secs)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	const char *dir = drove_test_require_env("DROVE_TEST_COMPONENTS_DIR", "components");
	char cmd[2048];
	int64_t end;

	/* (in a session of its own: check kills a test's process group when the test ends, and
	 * ZooKeeper must come back even when the test fails during the outage) */
	snprintf(outage_flag, sizeof(outage_flag), "%s/zk-back-%d", dir, (int)getpid());
	unlink(outage_flag);
	snprintf(cmd, sizeof(cmd),
	         "setsid sh -c \"%s/tests/harness/components.sh restart-zk '%s' %d >/dev/null "
	         "2>&1; touch '%s'\" </dev/null >/dev/null 2>&1 &",
	         DROVE_SOURCE_DIR, dir, secs, outage_flag);
	ck_assert_int_eq(system(cmd), 0);
	end = drove_time_mono_ms() + 30000;
	while (drove_test_zk_reachable(zk)) {
		ck_assert_msg(drove_time_mono_ms() < end, "ZooKeeper did not stop");
		usleep(50 * 1000);
	}
}

bool drove_test_zk_outage_over(void)
{
	return outage_flag[0] && access(outage_flag, F_OK) == 0;
}
