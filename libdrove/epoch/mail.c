/* MAIL notifications (epoch.yml `notify: {type: MAIL, ...}`): one message per finished run,
 * sent through libcurl's SMTP support. Blocking: the engine calls it on a worker thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/internal.h"
#include "epoch/mail.h"

struct src {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct src *s = ud;
	size_t n = size * nmemb, left = s->len - s->off;
	if (n > left)
		n = left;
	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return n;
}

/* A header value without CR/LF (a subject comes from a topology name, but be strict). */
static int header_safe(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

int drove__epoch_mail_send(const drove__epoch_mail *m, const drove_strlist *to, const char *subject,
                           const char *body)
{
	CURL *curl = NULL;
	struct curl_slist *rcpt = NULL;
	char url[512], date[64], errbuf[CURL_ERROR_SIZE] = "";
	char *msg = NULL, *from_hdr = NULL;
	struct src src;
	int rc = 0;

	DROVE_CHECK_ARG(m && m->server && to && subject && body);
	if (drove_strlist_count(to) == 0)
		return 0;
	if (!header_safe(subject) || !header_safe(m->from))
		return drove__error(DROVE_EINVAL, "mail: subject or sender holds a line break");
	snprintf(url, sizeof(url), "%s://%s:%d", m->tls && m->port == 465 ? "smtps" : "smtp",
	         m->server, m->port);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	char *tos = drove_strlist_join(to, ", ");
	if (!tos)
		return drove__enomem();
	from_hdr = drove__asprintf("<%s>", m->from);
	msg = drove__asprintf("Date: %s\r\nTo: %s\r\nFrom: %s\r\nSubject: %s\r\n"
	                      "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
	                      date, tos, m->from, subject, body);
	if (!from_hdr || !msg) {
		rc = DROVE_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < drove_strlist_count(to); i++) {
		struct curl_slist *n = curl_slist_append(rcpt, drove_strlist_get(to, i));
		if (!n) {
			rc = drove__enomem();
			goto out;
		}
		rcpt = n;
	}
	if (!(curl = curl_easy_init())) {
		rc = drove__error(DROVE_ERROR, "mail: curl_easy_init");
		goto out;
	}
	src = (struct src){msg, strlen(msg), 0};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_hdr);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &src);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
	if (m->tls && m->port != 465)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (m->username && *m->username) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, m->username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, m->password ? m->password : "");
	}
	CURLcode cc = curl_easy_perform(curl);
	if (cc != CURLE_OK)
		rc = drove__error(DROVE_EUNAVAIL, "mail: %s: %s", url,
		                  *errbuf ? errbuf : curl_easy_strerror(cc));
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(rcpt);
	free(tos);
	free(from_hdr);
	free(msg);
	return rc;
}
