/* One-time, thread-safe initialisation of the libraries we build on. */
#include <pthread.h>
#include <stdlib.h>
#include <curl/curl.h>
#include <event2/thread.h>

#include "core/internal.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void do_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		init_rc = DROVE_ERROR;
		return;
	}
	if (evthread_use_pthreads() != 0)
		init_rc = DROVE_ERROR;
}

int drove__global_init(void)
{
	pthread_once(&once, do_init);
	if (init_rc < 0)
		return drove__error(init_rc, "global initialisation of libcurl/libevent failed");
	return 0;
}

const char *drove__tls_ca_file(void)
{
	const char *p = getenv("CURL_CA_BUNDLE");

	if (!p || !*p)
		p = getenv("SSL_CERT_FILE");
	return p && *p ? p : NULL;
}
