/* Shared helpers for libdrove's tests. */
#ifndef DROVE_TEST_HARNESS_H
#define DROVE_TEST_HARNESS_H

#include <stddef.h>
#include <string.h>
#include <stdbool.h>

#include <check.h>
#include <drove/common.h>

#ifdef DROVE_SUITE_FN
/* Each test file defines its suite constructor; check_main.c calls it. */
Suite *DROVE_SUITE_FN(void);
#endif

/* The value of environment variable `name`, which tests/harness/components.sh exports for a
 * running component (`what`, e.g. "ZooKeeper"). When it is unset the test program exits 77
 * (skipped) — or 1 when DROVE_REQUIRE_COMPONENTS=1, as in CI, where a missing component is a
 * failure. */
const char *drove_test_require_env(const char *name, const char *what);

/* Read a whole file under the source tree (path relative to it). Exits 1 on error.
 * Caller frees. */
char *drove_test_read_source_file(const char *relpath, size_t *len);

/* End the ZooKeeper session of store `s` (server `zk`, "host:port") the standard way: a second
 * client joins the session with its id and password, then closes it, which ends the session
 * on the server. The store hears DROVE_STORE_EXPIRED when it next talks to the server; its own
 * client may have taken the session back first, so a caller retries until it sees that. A
 * session the server already reports expired counts as ended. Asserts on failure (no answer
 * from the server within 10 s). Any thread. */
struct drove_store;
void drove_test_zk_end_session(struct drove_store *s, const char *zk);

/* Whether something accepts TCP connections at ZooKeeper's "127.0.0.1:port" `zk`. */
bool drove_test_zk_reachable(const char *zk);
/* A ZooKeeper outage: components.sh restart-zk in the background (down for `secs`, then up on
 * the same port with the same data); returns once ZooKeeper no longer accepts connections.
 * drove_test_zk_outage_over() says when it is back up. One outage at a time per process. */
void drove_test_zk_outage_begin(int secs);
bool drove_test_zk_outage_over(void);

/* Assert that the thread's last libdrove error has `code` and its message contains `needle`. */
#define drove_assert_error(rc_, code_, needle)                                                   \
	do {                                                                                     \
		ck_assert_int_eq((rc_), (code_));                                                \
		ck_assert_int_eq(drove_error_last()->code, (code_));                             \
		ck_assert_msg(strstr(drove_error_last()->message, (needle)) != NULL,             \
		              "message '%s' lacks '%s'", drove_error_last()->message, (needle)); \
	} while (0)

#endif
