/* Instance output to syslog (the executor's `syslog` appender, issue 16, and a RSYSLOG
 * loggingSpec on engines without Docker's syslog log driver, issue 22): every line as an
 * RFC 5424 message over UDP, or over TCP with RFC 6587 octet counting, with the app and
 * instance ids in structured data. One sender per instance, beside its log file; lines that
 * cannot be sent (the collector is down, more than SYSLOG_QUEUE_MAX bytes queued) are dropped:
 * the log file stays the record. Loop thread only. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include <drove/clock.h>

#include "exec/engine.h"

#define SYSLOG_QUEUE_MAX (1u << 20)
#define SD_ID            "drove@32473" /* 32473: the documentation enterprise number (RFC 5612) */

struct drove__exec_syslog {
	struct event_base *base;
	int tcp;
	int facility;
	struct sockaddr_storage addr;
	socklen_t alen;
	int fd;                  /* UDP */
	struct bufferevent *bev; /* TCP: NULL before the first line and after an error */
	char *hostname, *app_name, *app_id, *instance_id; /* app_name NULL: app_id */
	int64_t dropped;
};

/* Printable US-ASCII without spaces, at most `max` characters; "-" when empty (RFC 5424 §6). */
static int put_token(drove__buf *b, const char *s, size_t max)
{
	size_t n = 0;
	int rc = 0;
	for (; s && *s && n < max && rc == 0; s++, n++)
		rc = drove__buf_putc(b, (*s > 32 && *s < 127) ? *s : '_');
	if (rc == 0 && n == 0)
		rc = drove__buf_putc(b, '-');
	return rc;
}

/* An SD-PARAM value: '"', '\' and ']' escaped (§6.3.3). */
static int put_param(drove__buf *b, const char *s)
{
	int rc = 0;
	for (; s && *s && rc == 0; s++) {
		if (*s == '"' || *s == '\\' || *s == ']')
			rc = drove__buf_putc(b, '\\');
		if (rc == 0)
			rc = drove__buf_putc(b, *s);
	}
	return rc;
}

static int format_msg(drove__buf *b, int facility, int severity, int64_t wall_ms,
                      const char *hostname, const char *app_name, const char *app_id,
                      const char *instance_id, const char *line, size_t len)
{
	char ts[40];
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;
	int rc;
	gmtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if ((rc = drove__buf_printf(b, "<%d>1 %s.%03dZ ", facility * 8 + severity, ts,
	                            (int)(wall_ms % 1000))) < 0 ||
	    (rc = put_token(b, hostname, 255)) < 0 || (rc = drove__buf_putc(b, ' ')) < 0 ||
	    (rc = put_token(b, app_name, 48)) < 0 ||
	    (rc = drove__buf_puts(b, " - - [" SD_ID " appId=\"")) < 0 ||
	    (rc = put_param(b, app_id)) < 0 || (rc = drove__buf_puts(b, "\" instanceId=\"")) < 0 ||
	    (rc = put_param(b, instance_id)) < 0 || (rc = drove__buf_puts(b, "\"] ")) < 0 ||
	    (rc = drove__buf_append(b, line, len)) < 0)
		return rc;
	return 0;
}

int drove__exec_syslog_format(drove__buf *b, int facility, int severity, int64_t wall_ms,
                              const char *hostname, const char *app_id, const char *instance_id,
                              const char *line, size_t len)
{
	return format_msg(b, facility, severity, wall_ms, hostname, app_id, app_id, instance_id,
	                  line, len);
}

int drove__exec_syslog_parse_server(const char *server, char **host, int *port, int *tcp)
{
	const char *p = server, *colon, *end;
	size_t n;
	long v = 514;

	*host = NULL;
	*tcp = 0;
	if (!server || !*server || strlen(server) > 1024)
		return drove__error(DROVE_EINVAL, "loggingSpec.server: empty or too long");
	if (!strncmp(p, "udp://", 6))
		p += 6;
	else if (!strncmp(p, "tcp://", 6)) {
		p += 6;
		*tcp = 1;
	} else if (strstr(p, "://"))
		return drove__error(DROVE_EINVAL,
		                    "loggingSpec.server '%s': only udp:// and tcp:// are supported "
		                    "when the executor sends the lines itself (podman)",
		                    server);
	if (*p == '[') { /* [v6]:port */
		if (!(end = strchr(p, ']')))
			return drove__error(DROVE_EINVAL, "loggingSpec.server '%s': no ']'",
			                    server);
		n = (size_t)(end - p - 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end[1])
			return drove__error(DROVE_EINVAL, "loggingSpec.server '%s': bad port",
			                    server);
		p++;
	} else {
		colon = strrchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
	}
	if (colon) {
		char *e;
		v = strtol(colon + 1, &e, 10);
		if (e == colon + 1 || *e || v < 1 || v > 65535)
			return drove__error(DROVE_EINVAL, "loggingSpec.server '%s': bad port",
			                    server);
	}
	if (!n || n > 255)
		return drove__error(DROVE_EINVAL, "loggingSpec.server '%s': no host", server);
	if (!(*host = drove__strndup(p, n)))
		return drove__enomem();
	*port = (int)v;
	return 0;
}

static void on_tcp_read(struct bufferevent *bev, void *ud)
{
	(void)ud;
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void on_tcp_event(struct bufferevent *bev, short what, void *ud)
{
	drove__exec_syslog *s = ud;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		bufferevent_free(bev); /* reconnect with the next line */
		s->bev = NULL;
	}
}

static int tcp_connect(drove__exec_syslog *s)
{
	if (!(s->bev = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE)))
		return DROVE_ENOMEM;
	bufferevent_setcb(s->bev, on_tcp_read, NULL, on_tcp_event, s);
	bufferevent_enable(s->bev, EV_READ);
	if (bufferevent_socket_connect(s->bev, (struct sockaddr *)&s->addr, (int)s->alen) < 0) {
		bufferevent_free(s->bev);
		s->bev = NULL;
		return DROVE_EIO;
	}
	return 0;
}

static int open_to(drove__exec_syslog **out, struct drove_executor *ex, const char *host,
                   int portnum, int tcp, int facility, const char *app_name, const char *app_id,
                   const char *instance_id)
{
	struct addrinfo hints, *res = NULL;
	drove__exec_syslog *s;
	char port[16];
	int rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", portnum);
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0 || !res)
		return drove__error(DROVE_EUNAVAIL, "syslog %s:%s: %s", host, port,
		                    gai_strerror(rc));
	if (!(s = calloc(1, sizeof(*s)))) {
		freeaddrinfo(res);
		return drove__enomem();
	}
	s->fd = -1;
	s->base = drove__loop_base(ex->loop);
	s->tcp = tcp;
	s->facility = facility;
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->alen = res->ai_addrlen;
	freeaddrinfo(res);
	if (!(s->hostname = drove__strdup(ex->hostname ? ex->hostname : "")) ||
	    (app_name && !(s->app_name = drove__strdup(app_name))) ||
	    !(s->app_id = drove__strdup(app_id ? app_id : "")) ||
	    !(s->instance_id = drove__strdup(instance_id ? instance_id : ""))) {
		drove__exec_syslog_close(s);
		return DROVE_ENOMEM;
	}
	if (!s->tcp &&
	    (s->fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		rc = drove__error(DROVE_EIO, "syslog: socket: %s", strerror(errno));
		drove__exec_syslog_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int drove__exec_syslog_open(drove__exec_syslog **out, struct drove_executor *ex, const char *app_id,
                            const char *instance_id)
{
	const drove__cfg_syslog_appender *c = &ex->ec->syslog;
	return open_to(out, ex, c->host, (int)c->port, c->protocol == DROVE__SYSLOG_TCP,
	               c->facility, NULL, app_id, instance_id);
}

int drove__exec_syslog_open_spec(drove__exec_syslog **out, struct drove_executor *ex,
                                 const drove_logging *lg, const char *app_id,
                                 const char *instance_id)
{
	char *host = NULL, *tag;
	int port = 0, tcp = 0, rc;
	if ((rc = drove__exec_syslog_parse_server(lg->server, &host, &port, &tcp)) < 0)
		return rc;
	tag = drove__asprintf("%s%s%s", lg->tag_prefix ? lg->tag_prefix : "", instance_id,
	                      lg->tag_suffix ? lg->tag_suffix : "");
	rc = tag ? open_to(out, ex, host, port, tcp, 3 /* daemon, as Drove sets */, tag, app_id,
	                   instance_id)
	         : DROVE_ENOMEM;
	free(tag);
	free(host);
	return rc;
}

void drove__exec_syslog_line(drove__exec_syslog *s, int severity, const char *line, size_t len)
{
	drove__buf b = DROVE_BUF_INIT;
	if (!s)
		return;
	if (format_msg(&b, s->facility, severity, drove_time_wall_ms(), s->hostname,
	               s->app_name ? s->app_name : s->app_id, s->app_id, s->instance_id, line,
	               len) < 0) {
		s->dropped++;
		drove__buf_free(&b);
		return;
	}
	if (!s->tcp) {
		if (sendto(s->fd, b.data, b.len, MSG_DONTWAIT, (struct sockaddr *)&s->addr,
		           s->alen) < 0)
			s->dropped++;
	} else if ((!s->bev && tcp_connect(s) < 0) ||
	           evbuffer_get_length(bufferevent_get_output(s->bev)) > SYSLOG_QUEUE_MAX) {
		s->dropped++;
	} else {
		char head[24];
		int n = snprintf(head, sizeof(head), "%zu ", b.len);
		if (bufferevent_write(s->bev, head, (size_t)n) < 0 ||
		    bufferevent_write(s->bev, b.data, b.len) < 0)
			s->dropped++;
	}
	drove__buf_free(&b);
}

void drove__exec_syslog_close(drove__exec_syslog *s)
{
	if (!s)
		return;
	if (s->bev)
		bufferevent_free(s->bev);
	if (s->fd >= 0)
		close(s->fd);
	free(s->hostname);
	free(s->app_name);
	free(s->app_id);
	free(s->instance_id);
	free(s);
}
