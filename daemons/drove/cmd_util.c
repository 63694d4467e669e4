/* The drove CLI: helpers the command groups share: field text, waiting, output in text or --json,
 * tables. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

/* Field text in one of 32 rotating buffers, so that a row can use many at once. */
static char sbuf[32][512];
static unsigned sbi;
static char *next_buf(void)
{
	return sbuf[(sbi++) % 32];
}
const char *S(json_object *obj, const char *key)
{
	return cli_str(obj, key, next_buf(), sizeof(sbuf[0]));
}

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int64_t poll_ms(void)
{
	const char *e = getenv("DROVE_CLI_POLL_MS");
	long long v;
	if (e && cli_int("DROVE_CLI_POLL_MS", e, 10, 600000, &v) == 0)
		return v;
	return 2000;
}

int64_t i64(json_object *o, const char *key)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

const char *date_of(json_object *o, const char *key)
{
	return cli_date(i64(o, key), next_buf(), sizeof(sbuf[0]));
}

const char *num_text(int64_t v)
{
	char *b = next_buf();
	snprintf(b, sizeof(sbuf[0]), "%lld", (long long)v);
	return b;
}

const char *date_text(int64_t ms)
{
	return cli_date(ms, next_buf(), sizeof(sbuf[0]));
}

const char *str_text(const char *s)
{
	return s ? s : "";
}

int json_only(struct cli *cli, int (*call)(drove_client *, char **), int *rc)
{
	char *d = NULL;
	if (!cli->json)
		return 0;
	*rc = call(cli->client, &d);
	*rc = show(cli, *rc, &d, NULL);
	return 1;
}

/* Render the data of a successful call: JSON with --json, else `render`. */
int show(struct cli *cli, int rc, char **datap, void (*render)(json_object *))
{
	json_object *o;
	char *data =
	        *datap; /* read after the call that filled it (argument order is unspecified) */
	*datap = NULL;
	if (rc < 0) {
		free(data);
		return cli_fail(NULL);
	}
	o = cli_parse(data);
	free(data);
	if (cli->json || !render)
		cli_print_json(o);
	else
		render(o);
	json_object_put(o);
	return CLI_OK;
}

/* {"key": "id"} for --json after a create. */
void print_id_json(const char *key, const char *id)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, key, json_object_new_string(id));
	cli_print_json(o);
	json_object_put(o);
}

/* Print `msg` (or the data with --json) after an operation. */
int done(struct cli *cli, int rc, const char *msg)
{
	if (rc < 0)
		return cli_fail(NULL);
	if (cli->json)
		printf("{\"status\": \"SUCCESS\", \"message\": \"%s\"}\n", msg);
	else
		printf("%s\n", msg);
	return CLI_OK;
}

void render_dict(json_object *o)
{
	cli_print_dict(o, 0);
}

void render_pretty(json_object *o)
{
	cli_print_json(o);
}

int sort_col(const struct cli *cli, const struct cli_args *a, int ncols)
{
	long long v = 0;
	const char *s = cli_opt(cli, a, "sort");
	if (s && cli_int("--sort", s, 0, ncols - 1, &v) < 0)
		return -2;
	return (int)v;
}

/* "0:[2,3] 1:[4]" from {"0":[2,3],"1":[4]} */
const char *node_map(json_object *m, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	if (!m || !json_object_is_type(m, json_type_object))
		return buf;
	json_object_object_foreach(m, k, v)
	{
		off += (size_t)snprintf(buf + off, off < n ? n - off : 0, "%s%s:%s", off ? " " : "",
		                        k,
		                        json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		if (off >= n)
			break;
	}
	return buf;
}

const char *host_of(json_object *inst)
{
	json_object *li;
	if (json_object_object_get_ex(inst, "localInfo", &li))
		return S(li, "hostname");
	return S(inst, "hostname");
}

/* The sort column and order of the table being printed (--sort, --reverse). */
int g_sort, g_reverse;

/* "12,345": a count with thousands separators (drove-cli's {:,}). */
const char *cli_grouped(int64_t v, char *buf, size_t n)
{
	char raw[32];
	size_t len, out = 0;
	snprintf(raw, sizeof(raw), "%lld", (long long)(v < 0 ? -v : v));
	len = strlen(raw);
	if (v < 0 && out + 1 < n)
		buf[out++] = '-';
	for (size_t i = 0; i < len && out + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = raw[i];
	}
	buf[out] = '\0';
	return buf;
}

/* Cores and memory of an instance's resources: "2" and "1024" ("1,024" with `group`). */
void cores_memory(json_object *in, char *cpu, char *mem, size_t n, int group)
{
	json_object *res, *r, *v;
	cpu[0] = mem[0] = '\0';
	if (!json_object_object_get_ex(in, "resources", &res) ||
	    !json_object_is_type(res, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		r = json_object_array_get_idx(res, i);
		if (json_object_object_get_ex(r, "cores", &v) &&
		    json_object_is_type(v, json_type_object)) {
			/* drove-cli counts the NUMA nodes listed, which is 1 for a pinned instance;
			 * we count the cores, which is what an operator reads the column for */
			size_t c = 0;
			json_object_object_foreach(v, k, cores)
			{
				(void)k;
				c += json_object_is_type(cores, json_type_array)
				             ? json_object_array_length(cores)
				             : 0;
			}
			snprintf(cpu, n, "%zu", c);
		}
		if (json_object_object_get_ex(r, "memoryInMB", &v) &&
		    json_object_is_type(v, json_type_object)) {
			int64_t sum = 0;
			json_object_object_foreach(v, k, mb)
			{
				(void)k;
				sum += json_object_get_int64(mb);
			}
			if (group)
				cli_grouped(sum, mem, n);
			else
				snprintf(mem, n, "%lld", (long long)sum);
		}
	}
}

/* "NUMA Node 0: Cores: [2, 3]" (CPU) or "NUMA Node 0: 128" (memory) of the instance's
 * resources, as drove-cli's populate_resources. */
const char *numa_resources(json_object *in, const char *key, int cores, char *buf, size_t n)
{
	json_object *res, *v;
	size_t off = 0;
	buf[0] = '\0';
	if (!json_object_object_get_ex(in, "resources", &res) ||
	    !json_object_is_type(res, json_type_array))
		return buf;
	for (size_t i = 0; i < json_object_array_length(res); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(res, i), key, &v) &&
		    json_object_is_type(v, json_type_object)) {
			json_object_object_foreach(v, node, val)
			{
				off += (size_t)snprintf(
				        buf + off, off < n ? n - off : 0, "%sNUMA Node %s: %s%s",
				        off ? ", " : "", node, cores ? "Cores: " : "",
				        json_object_to_json_string_ext(
				                val,
				                JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_SPACED));
			}
		}
	return buf;
}
