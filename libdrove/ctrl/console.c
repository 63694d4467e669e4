/* The console's routes and page shell (console.h, docs/console.md): GET / and /ui/... on
 * every controller, behind the API's Basic auth, answered with HTML rendered by
 * console_pages.c; the follower notice; Bootstrap 5 from Debian's libjs-bootstrap5 and the
 * console's own small CSS and JavaScript. Nothing here changes state. Loop thread. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drove/clock.h>
#include <drove/config.h>

#include "ctrl/console.h"
#include "http/server.h"

#define P drove__html_put

/* People read the console: every external role (read-only for all of them); not cluster
 * nodes or app-instance tokens. */
#define CONSOLE_ROLES                                      \
	(DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_ROOT) |        \
	 DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_READ_WRITE) |  \
	 DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_MAINTENANCE) | \
	 DROVE_ROLE_BIT(DROVE_ROLE_EXTERNAL_READ_ONLY))

/* Largest asset file served (Bootstrap's bundle is about 80 KiB). */
#define ASSET_MAX (4u * 1024 * 1024)

static const char console_css[] =
        ".core{display:inline-block;min-width:2.4em;padding:.1em .3em;margin:.1em;"
        "text-align:center;border-radius:.25rem;font-size:.8em;text-decoration:none;"
        "border:1px solid #ced4da}\n"
        ".core-free{background:#f8f9fa;color:#6c757d}\n"
        ".core-app{background:#0d6efd;color:#fff}\n"
        ".core-task{background:#fd7e14;color:#fff}\n"
        ".core-lsvc{background:#6f42c1;color:#fff}\n"
        ".core-other{background:#adb5bd;color:#000}\n"
        "pre.spec{max-height:32em;overflow:auto;background:#f8f9fa;padding:.5em;"
        "border:1px solid #dee2e6}\n"
        "#tail{height:24em;overflow:auto;background:#111;color:#ddd;padding:.5em;"
        "font-size:.8em;white-space:pre-wrap}\n"
        "table.kv th{width:12em}\n";

/* Refresh: fetch the page's own ?fragment=1 and swap <main>. Tail: the log read API with
 * offsets, as the CLI's tail does (start at the end, advance by the bytes received). */
static const char console_js[] =
        "(function () {\n"
        "  'use strict';\n"
        "  var content = document.getElementById('content');\n"
        "  var stamp = document.getElementById('refreshed');\n"
        "  function say(el, text, cls) { if (el) { el.textContent = text; el.className = cls || "
        "''; } }\n"
        "  function refresh() {\n"
        "    fetch(location.pathname + '?fragment=1', {credentials: 'same-origin', cache: "
        "'no-store'})\n"
        "      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return "
        "r.text(); })\n"
        "      .then(function (html) { content.innerHTML = html;\n"
        "        say(stamp, 'refreshed ' + new Date().toLocaleTimeString(), 'text-light'); })\n"
        "      .catch(function (e) { say(stamp, 'refresh failed: ' + e.message, "
        "'text-warning'); });\n"
        "  }\n"
        "  if (content && content.dataset.refresh) setInterval(refresh, "
        "+content.dataset.refresh);\n"
        "  var logs = document.getElementById('logs');\n"
        "  if (!logs) return;\n"
        "  var base = logs.dataset.base, list = document.getElementById('logfiles');\n"
        "  var out = document.getElementById('tail'), state = "
        "document.getElementById('tail-state');\n"
        "  var file = 'output.log', offset = -1, busy = false, enc = new TextEncoder();\n"
        "  function get(url) {\n"
        "    return fetch(url, {credentials: 'same-origin', cache: 'no-store'}).then(function "
        "(r) {\n"
        "      if (r.status === 204) return null;\n"
        "      if (!r.ok) throw new Error('HTTP ' + r.status);\n"
        "      return r.json();\n"
        "    });\n"
        "  }\n"
        "  function files() {\n"
        "    get(base + '/list').then(function (d) {\n"
        "      list.textContent = '';\n"
        "      var names = (d && d.files) || [];\n"
        "      if (!names.length) { var none = document.createElement('li');\n"
        "        none.textContent = 'no log file yet'; none.className = 'text-muted'; "
        "list.appendChild(none); }\n"
        "      names.forEach(function (f) {\n"
        "        var li = document.createElement('li'), a = document.createElement('a');\n"
        "        a.href = base + '/download/' + encodeURIComponent(f);\n"
        "        a.textContent = f; a.setAttribute('download', f); a.className = 'logfile';\n"
        "        li.appendChild(a); list.appendChild(li);\n"
        "      });\n"
        "    }).catch(function (e) { say(list, 'log files: ' + e.message, 'text-warning'); "
        "});\n"
        "  }\n"
        "  function poll() {\n"
        "    if (busy) return;\n"
        "    busy = true;\n"
        "    var url = base + '/read/' + encodeURIComponent(file) +\n"
        "      (offset < 0 ? '' : '?offset=' + offset + '&length=65536');\n"
        "    get(url).then(function (d) {\n"
        "      if (!d) { say(state, 'no log yet', 'text-muted'); return; }\n"
        "      if (offset < 0) { offset = Math.max(0, d.offset - 4096); return; }\n"
        "      if (d.data) {\n"
        "        var stick = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;\n"
        "        out.textContent += d.data;\n"
        "        if (out.textContent.length > 262144) out.textContent = "
        "out.textContent.slice(-131072);\n"
        "        offset += enc.encode(d.data).length;\n"
        "        if (stick) out.scrollTop = out.scrollHeight;\n"
        "      }\n"
        "      say(state, 'following ' + file + ' at byte ' + offset, 'text-muted small');\n"
        "    }).catch(function (e) { say(state, 'tail: ' + e.message, 'text-warning'); })\n"
        "      .then(function () { busy = false; });\n"
        "  }\n"
        "  files();\n"
        "  poll();\n"
        "  setInterval(poll, 1000);\n"
        "  setInterval(files, 15000);\n"
        "})();\n";

static const struct nav {
	int page;
	const char *href, *label;
} navs[] = {
        {DROVE__CONSOLE_CLUSTER, "/", "Cluster"},
        {DROVE__CONSOLE_EXECUTORS, "/ui/executors", "Executors"},
        {DROVE__CONSOLE_APPS, "/ui/applications", "Applications"},
        {DROVE__CONSOLE_TASKS, "/ui/tasks", "Tasks"},
        {DROVE__CONSOLE_LSVCS, "/ui/localservices", "Local services"},
};

/* The menu entry a page belongs to. */
static int section_of(int page)
{
	switch (page) {
	case DROVE__CONSOLE_EXECUTOR:
		return DROVE__CONSOLE_EXECUTORS;
	case DROVE__CONSOLE_APP:
	case DROVE__CONSOLE_APP_INSTANCE:
		return DROVE__CONSOLE_APPS;
	case DROVE__CONSOLE_TASK:
		return DROVE__CONSOLE_TASKS;
	case DROVE__CONSOLE_LSVC:
	case DROVE__CONSOLE_LSVC_INSTANCE:
		return DROVE__CONSOLE_LSVCS;
	default:
		return page;
	}
}

static int follower(drove_controller *c, drove__buf *b)
{
	const char *leader = c->standby.leader_hp;
	int rc = P(b,
	           "<div class=\"alert alert-info\" id=\"follower\"><strong>This controller "
	           "(%s) is a follower.</strong> Only the leader holds the cluster's state. ",
	           c->leader_hp);
	if (rc == 0)
		rc = leader ? P(b,
		                "The leader is <a id=\"leader-link\" href=\"http://%s/\">%s</a>.",
		                leader, leader)
		            : P(b, "No leader is known yet (election underway).");
	return rc < 0 ? rc : P(b, "</div>");
}

static int logs_section(int page, const char *id1, const char *id2, drove__buf *b)
{
	const char *kind = page == DROVE__CONSOLE_APP_INSTANCE    ? "applications"
	                   : page == DROVE__CONSOLE_TASK          ? "tasks"
	                   : page == DROVE__CONSOLE_LSVC_INSTANCE ? "localservices"
	                                                          : NULL;
	if (!kind)
		return 0;
	return P(b,
	         "<section id=\"logs\" class=\"mt-4\" data-base=\"/apis/v1/logfiles/%r/%u/%u\">"
	         "<h2 class=\"h5\">Log files</h2><ul id=\"logfiles\"><li class=\"text-muted\">"
	         "loading&hellip;</li></ul><h2 class=\"h5\">Live tail <small id=\"tail-state\" "
	         "class=\"text-muted\"></small></h2><pre id=\"tail\"></pre></section>",
	         kind, id1, id2);
}

int drove__console_document(drove_controller *c, int page, const char *id1, const char *id2,
                            int fragment, drove__buf *b)
{
	int rc, lead = c->leader;

	if (fragment)
		return lead ? drove__console_render(c, page, id1, id2, drove_time_wall_ms(), b)
		            : follower(c, b);
	rc = P(b,
	       "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta "
	       "name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s "
	       "&middot; drove</title><link rel=\"icon\" href=\"data:,\"><link "
	       "rel=\"stylesheet\" href=\"/ui/assets/bootstrap.min.css\"><link "
	       "rel=\"stylesheet\" href=\"/ui/assets/console.css\"></head><body><nav "
	       "class=\"navbar navbar-expand navbar-dark bg-dark mb-3\"><div "
	       "class=\"container-fluid\"><a class=\"navbar-brand\" href=\"/\">drove</a><ul "
	       "class=\"navbar-nav me-auto\">",
	       drove__console_title(page));
	for (size_t i = 0; rc == 0 && i < DROVE_ARRAY_LEN(navs); i++)
		rc = P(b, "<li class=\"nav-item\"><a class=\"nav-link%r\" href=\"%r\">%r</a></li>",
		       navs[i].page == section_of(page) ? " active" : "", navs[i].href,
		       navs[i].label);
	if (rc == 0)
		rc = P(b,
		       "</ul><span class=\"navbar-text small\">%s %s &middot; read-only &middot; "
		       "<span id=\"refreshed\">live</span></span></div></nav><div "
		       "class=\"container-fluid\"><main id=\"content\" data-refresh=\"5000\">",
		       lead ? "leader" : "follower", c->leader_hp);
	if (rc == 0)
		rc = lead ? drove__console_render(c, page, id1, id2, drove_time_wall_ms(), b)
		          : follower(c, b);
	if (rc == 0)
		rc = P(b, "</main>");
	if (rc == 0 && lead)
		rc = logs_section(page, id1, id2, b);
	if (rc == 0)
		rc = P(b, "</div><script src=\"/ui/assets/bootstrap.bundle.min.js\"></script>"
		          "<script src=\"/ui/assets/console.js\"></script></body></html>");
	return rc;
}

/* ---- handlers ---- */

static void common_headers(drove__http_req *req)
{
	drove__http_req_add_header(req, "X-Content-Type-Options", "nosniff");
	drove__http_req_add_header(req, "X-Frame-Options", "DENY");
	drove__http_req_add_header(req, "Referrer-Policy", "same-origin");
}

static void serve(drove__http_req *req, drove_controller *c, int page)
{
	const char *frag = drove__http_req_query(req, "fragment");
	drove__buf b = DROVE_BUF_INIT;

	if (drove__console_document(c, page, drove__http_req_param(req, "id1"),
	                            drove__http_req_param(req, "id2"), drove__streq(frag, "1"),
	                            &b) < 0) {
		drove__buf_free(&b);
		return drove__http_reply_server_error(req, "out of memory");
	}
	common_headers(req);
	drove__http_req_add_header(req, "Cache-Control", "no-store");
	drove__http_req_add_header(req, "Content-Security-Policy",
	                           "default-src 'self'; img-src 'self' data:; object-src 'none'; "
	                           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
	drove__http_reply_raw(req, 200, "text/html; charset=utf-8", b.data, b.len);
	drove__buf_free(&b);
}

#define PAGE(fn, page)                                 \
	static void fn(drove__http_req *req, void *ud) \
	{                                              \
		serve(req, ud, page);                  \
	}
PAGE(h_cluster, DROVE__CONSOLE_CLUSTER)
PAGE(h_executors, DROVE__CONSOLE_EXECUTORS)
PAGE(h_executor, DROVE__CONSOLE_EXECUTOR)
PAGE(h_apps, DROVE__CONSOLE_APPS)
PAGE(h_app, DROVE__CONSOLE_APP)
PAGE(h_app_instance, DROVE__CONSOLE_APP_INSTANCE)
PAGE(h_tasks, DROVE__CONSOLE_TASKS)
PAGE(h_task, DROVE__CONSOLE_TASK)
PAGE(h_lsvcs, DROVE__CONSOLE_LSVCS)
PAGE(h_lsvc, DROVE__CONSOLE_LSVC)
PAGE(h_lsvc_instance, DROVE__CONSOLE_LSVC_INSTANCE)
#undef PAGE

/* Read a whole regular file of at most ASSET_MAX bytes. @return 0 with *out and *len, or -1. */
static int slurp(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *data = NULL;
	size_t got = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)ASSET_MAX ||
	    !(data = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*out = data;
	*len = got;
	return 0;
}

static void h_asset(drove__http_req *req, void *ud)
{
	static const struct {
		const char *name, *rel, *type;
	} files[] = {
	        {"bootstrap.min.css", "css/bootstrap.min.css", "text/css; charset=utf-8"},
	        {"bootstrap.bundle.min.js", "js/bootstrap.bundle.min.js",
	         "text/javascript; charset=utf-8"},
	        {"bootstrap.min.css.map", "css/bootstrap.min.css.map", "application/json"},
	        {"bootstrap.bundle.min.js.map", "js/bootstrap.bundle.min.js.map",
	         "application/json"},
	};
	drove_controller *c = ud;
	const char *name = drove__http_req_param(req, "file");
	const char *dir =
	        c->cfg ? drove_config_get_string(c->cfg, "options.consoleAssetsPath") : NULL;
	char path[4096], *data = NULL;
	size_t len = 0;

	common_headers(req);
	if (drove__streq(name, "console.css") || drove__streq(name, "console.js")) {
		bool css = drove__streq(name, "console.css");
		drove__http_req_add_header(req, "Cache-Control", "no-cache");
		return drove__http_reply_raw(
		        req, 200,
		        css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
		        css ? console_css : console_js,
		        css ? sizeof(console_css) - 1 : sizeof(console_js) - 1);
	}
	for (size_t i = 0; i < DROVE_ARRAY_LEN(files); i++) {
		if (!drove__streq(name, files[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%s",
		         dir && *dir ? dir : DROVE_CONSOLE_ASSETS_DEFAULT, files[i].rel);
		if (slurp(path, &data, &len) < 0)
			break;
		drove__http_req_add_header(req, "Cache-Control", "max-age=3600");
		drove__http_reply_raw(req, 200, files[i].type, data, len);
		free(data);
		return;
	}
	drove__http_reply_raw(req, 404, "text/plain; charset=utf-8", "no such asset\n", 14);
}

int drove__ctrl_console_routes(drove_controller *c)
{
	static const struct {
		const char *path;
		drove__http_handler fn;
	} routes[] = {
	        {"/", h_cluster},
	        {"/ui", h_cluster},
	        {"/ui/executors", h_executors},
	        {"/ui/executors/{id1}", h_executor},
	        {"/ui/applications", h_apps},
	        {"/ui/applications/{id1}", h_app},
	        {"/ui/applications/{id1}/instances/{id2}", h_app_instance},
	        {"/ui/tasks", h_tasks},
	        {"/ui/tasks/{id1}/{id2}", h_task},
	        {"/ui/localservices", h_lsvcs},
	        {"/ui/localservices/{id1}", h_lsvc},
	        {"/ui/localservices/{id1}/instances/{id2}", h_lsvc_instance},
	        {"/ui/assets/{file}", h_asset},
	};
	int rc;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(routes); i++)
		if ((rc = drove__http_server_route(c->http, DROVE_HTTP_GET, routes[i].path,
		                                   CONSOLE_ROLES, 0, routes[i].fn, c)) < 0)
			return rc;
	return 0;
}
