/*
 * The read-only web console (docs/console.md): pages rendered on the server from the
 * controller's own state, at / and under /ui/ on the application port, behind the same Basic
 * auth as /apis/v1 and read-only for every role. The edge of ctrl, like api.c:
 *   console_html.c   the escaping and template helper (pure, any thread)
 *   console_pages.c  one renderer per page (loop thread, reads state as rest.c's GETs do)
 *   console.c        routes, the page shell, assets, the follower notice
 * console.c calls console_pages.c, both call console_html.c; nothing calls back up.
 */
#ifndef DROVE_CTRL_CONSOLE_H
#define DROVE_CTRL_CONSOLE_H

#include <stdarg.h>

#include "ctrl/engine.h"

/* ---- escaping and the template helper (console_html.c) ---- */

/* Append `s` (NULL: nothing) with & < > " ' as entities: safe as element text and as a
 * quoted attribute value. @return 0 or DROVE_ENOMEM. */
int drove__html_esc(drove__buf *b, const char *s);
/* Append `s` percent-encoded as one URL path segment (only A-Z a-z 0-9 - . _ ~ kept), which
 * is also safe inside a quoted attribute. @return 0 or DROVE_ENOMEM. */
int drove__html_url(drove__buf *b, const char *s);
/* Append epoch ms as "2026-12-05 11:22:33 UTC" ("-" for 0 or less). @return 0 or ENOMEM. */
int drove__html_time(drove__buf *b, int64_t ms);
/* The template: append `tpl` with its directives replaced by the next argument:
 *   %s  const char *, escaped (drove__html_esc; NULL is "")
 *   %u  const char *, one URL path segment (drove__html_url)
 *   %r  const char *, raw: only for HTML this program wrote (never data)
 *   %d  int64_t, decimal
 *   %t  int64_t epoch ms (drove__html_time)
 *   %%  a '%'
 * @return 0, DROVE_ENOMEM, or DROVE_EINVAL for an unknown directive (nothing more appended). */
int drove__html_put(drove__buf *b, const char *tpl, ...);
int drove__html_vput(drove__buf *b, const char *tpl, va_list ap);
/* A JSON value pretty-printed and escaped (for <pre>). NULL is "null". */
int drove__html_json(drove__buf *b, struct json_object *j);

/* ---- pages (console_pages.c) ---- */

enum drove__console_page {
	DROVE__CONSOLE_CLUSTER = 0,
	DROVE__CONSOLE_EXECUTORS,
	DROVE__CONSOLE_EXECUTOR, /* id1: executor id */
	DROVE__CONSOLE_APPS,
	DROVE__CONSOLE_APP,          /* id1: app id */
	DROVE__CONSOLE_APP_INSTANCE, /* id1: app id, id2: instance id */
	DROVE__CONSOLE_TASKS,
	DROVE__CONSOLE_TASK, /* id1: source app name, id2: task id */
	DROVE__CONSOLE_LSVCS,
	DROVE__CONSOLE_LSVC,          /* id1: service id */
	DROVE__CONSOLE_LSVC_INSTANCE, /* id1: service id, id2: instance id */
	DROVE__CONSOLE__COUNT
};

/* Render the content of `page` (what <main id="content"> holds, and what ?fragment=1
 * answers) from `c`'s memory at wall time `now_ms`. A missing object renders a notice.
 * Loop thread. @return 0 or DROVE_ENOMEM (b may hold part of the page). */
int drove__console_render(drove_controller *c, int page, const char *id1, const char *id2,
                          int64_t now_ms, drove__buf *b);
/* The page's title ("Applications"), static. */
const char *drove__console_title(int page);

/* ---- the shell and the routes (console.c) ---- */

/* The whole HTML document of `page` (fragment 0) or only its content (fragment 1), with the
 * follower notice instead of the content when `c` does not lead. @return 0 or DROVE_ENOMEM. */
int drove__console_document(drove_controller *c, int page, const char *id1, const char *id2,
                            int fragment, drove__buf *b);
/* drove__ctrl_console_routes() is declared in engine.h, for api.c. */

#define DROVE_CONSOLE_ASSETS_DEFAULT "/usr/share/javascript/bootstrap5"

#endif
