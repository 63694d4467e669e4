/* Runtime pieces that need no engine: the spec and its create JSON, the ustar writer, the
 * stream demultiplexer, the engine response parsers, argument checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <drove/ctx.h>
#include <drove/loop.h>
#include <drove/runtime.h>
#include "runtime/runtime_internal.h"
#include "harness.h"

/* ---- spec ---- */

static json_object *spec_json(drove_container_spec *spec, int podman)
{
	char *s = NULL;
	json_object *o;
	ck_assert_int_eq(drove__runtime_spec_json(spec, podman, &s), 0);
	o = json_tokener_parse(s);
	ck_assert_ptr_nonnull(o);
	free(s);
	return o;
}

static const char *jpath(json_object *o, const char *a, const char *b, const char *c)
{
	json_object *v = o;
	const char *keys[] = {a, b, c};
	for (int i = 0; i < 3 && keys[i]; i++)
		if (!json_object_object_get_ex(v, keys[i], &v))
			return NULL;
	return json_object_get_string(v);
}

START_TEST(test_spec_json_fields)
{
	drove_container_spec *spec;
	json_object *o;
	int port = 0;

	ck_assert_int_eq(drove_container_spec_new(&spec, "app-AI-1", "localhost/img:1"), 0);
	drove_container_spec_add_arg(spec, "httpd");
	drove_container_spec_add_arg(spec, "-f");
	ck_assert_int_eq(drove_container_spec_set_env(spec, "A", "1"), 0);
	ck_assert_int_eq(drove_container_spec_set_label(spec, "drove.instance.id", "AI-1"), 0);
	ck_assert_int_eq(drove_container_spec_set_cpuset(spec, "2,3", "0"), 0);
	ck_assert_int_eq(drove_container_spec_set_cpu_count(spec, 2), 0);
	ck_assert_int_eq(drove_container_spec_set_memory(spec, 128 << 20), 0);
	ck_assert_int_eq(drove_container_spec_add_port(spec, 8000, 0, &port), 0);
	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(drove_container_spec_add_port(spec, 9000, 9000, NULL), 0);
	ck_assert_int_eq(drove_container_spec_add_volume(spec, "/data", "/mnt/data", 1), 0);
	ck_assert_int_eq(drove_container_spec_add_device(spec, "/dev/null", "/dev/x", NULL), 0);
	ck_assert_int_eq(drove_container_spec_set_user(spec, "1000:1000"), 0);
	ck_assert_int_eq(drove_container_spec_set_hostname(spec, "h1"), 0);
	ck_assert_int_eq(drove_container_spec_set_nofile(spec, 470000), 0);
	ck_assert_int_eq(drove_container_spec_set_log_driver(spec, "json-file"), 0);
	ck_assert_int_eq(drove_container_spec_set_log_opt(spec, "max-size", "10m"), 0);
	ck_assert_int_eq(drove_container_spec_set_log_opt(spec, "cache-max-size", "20m"), 0);
	ck_assert_int_eq(drove_container_spec_set_log_opt(spec, "mode", "non-blocking"), 0);

	o = spec_json(spec, 0);
	ck_assert_str_eq(jpath(o, "Image", NULL, NULL), "localhost/img:1");
	ck_assert_str_eq(jpath(o, "Cmd", NULL, NULL), "[ \"httpd\", \"-f\" ]");
	ck_assert_str_eq(jpath(o, "Env", NULL, NULL), "[ \"A=1\" ]");
	ck_assert_str_eq(jpath(o, "Labels", "drove.instance.id", NULL), "AI-1");
	ck_assert_str_eq(jpath(o, "User", NULL, NULL), "1000:1000");
	ck_assert_str_eq(jpath(o, "Hostname", NULL, NULL), "h1");
	ck_assert_ptr_nonnull(jpath(o, "ExposedPorts", "8000/tcp", NULL));
	ck_assert_str_eq(jpath(o, "HostConfig", "CpusetCpus", NULL), "2,3");
	ck_assert_str_eq(jpath(o, "HostConfig", "CpusetMems", NULL), "0");
	ck_assert_str_eq(jpath(o, "HostConfig", "CpuCount", NULL), "2");
	ck_assert_str_eq(jpath(o, "HostConfig", "Memory", NULL), "134217728");
	ck_assert_str_eq(jpath(o, "HostConfig", "Binds", NULL), "[ \"\\/data:\\/mnt\\/data:ro\" ]");
	ck_assert_ptr_nonnull(strstr(jpath(o, "HostConfig", "PortBindings", NULL),
	                             "\"9000\\/tcp\": [ { \"HostPort\": \"9000\" } ]"));
	ck_assert_ptr_nonnull(
	        strstr(jpath(o, "HostConfig", "Devices", NULL), "\"CgroupPermissions\": \"rwm\""));
	ck_assert_ptr_nonnull(strstr(jpath(o, "HostConfig", "Ulimits", NULL),
	                             "\"Name\": \"nofile\", \"Soft\": 470000, \"Hard\": 470000"));
	ck_assert_str_eq(jpath(o, "HostConfig", "LogConfig", "Type"), "json-file");
	ck_assert_str_eq(jpath(o, "HostConfig", "LogConfig", "Config"),
	                 "{ \"max-size\": \"10m\", \"cache-max-size\": \"20m\", \"mode\": "
	                 "\"non-blocking\" }");
	json_object_put(o);

	o = spec_json(spec, 1); /* podman: no dual-logging options, no CpuCount */
	ck_assert_str_eq(jpath(o, "HostConfig", "LogConfig", "Config"),
	                 "{ \"max-size\": \"10m\" }");
	ck_assert_ptr_null(jpath(o, "HostConfig", "CpuCount", NULL));
	json_object_put(o);
	drove_container_spec_free(spec);
}
END_TEST

START_TEST(test_spec_device_requests)
{
	drove_container_spec *spec;
	drove_strlist *ids, *caps;
	drove_strmap *opts;
	json_object *o;
	char *body = NULL;

	ck_assert_int_eq(drove_container_spec_new(&spec, "gpu", "img"), 0);
	ck_assert_int_eq(drove_strlist_new(&ids), 0);
	ck_assert_int_eq(drove_strlist_new(&caps), 0);
	ck_assert_int_eq(drove_strmap_new(&opts), 0);
	drove_strlist_add(caps, "gpu");
	/* enableNvidiaGpu */
	ck_assert_int_eq(
	        drove_container_spec_add_device_request(spec, "nvidia", -1, NULL, caps, NULL), 0);
	/* a DETAILED device with ids, capability sets and options */
	drove_strlist_add(ids, "0");
	drove_strlist_add(ids, "GPU-3a1b");
	drove_strlist_free(caps);
	ck_assert_int_eq(drove_strlist_new(&caps), 0);
	drove_strlist_add(caps, "gpu,utility");
	drove_strlist_add(caps, "compute");
	drove_strmap_set(opts, "k", "v\"q");
	ck_assert_int_eq(
	        drove_container_spec_add_device_request(spec, "nvidia", 0, ids, caps, opts), 0);
	drove_assert_error(drove_container_spec_add_device_request(spec, "x", -2, NULL, NULL, NULL),
	                   DROVE_EINVAL, "count -2");

	o = spec_json(spec, 0); /* Docker: HostConfig.DeviceRequests as given */
	ck_assert_str_eq(jpath(o, "HostConfig", "DeviceRequests", NULL),
	                 "[ { \"Driver\": \"nvidia\", \"Count\": -1, \"DeviceIDs\": [ ], "
	                 "\"Capabilities\": [ [ \"gpu\" ] ], \"Options\": { } }, "
	                 "{ \"Driver\": \"nvidia\", \"Count\": 0, \"DeviceIDs\": [ \"0\", "
	                 "\"GPU-3a1b\" ], \"Capabilities\": [ [ \"gpu\", \"utility\" ], "
	                 "[ \"compute\" ] ], \"Options\": { \"k\": \"v\\\"q\" } } ]");
	ck_assert_ptr_null(jpath(o, "HostConfig", "Devices", NULL));
	json_object_put(o);
	o = spec_json(spec, 1); /* podman: CDI names as devices, no DeviceRequests */
	ck_assert_ptr_null(jpath(o, "HostConfig", "DeviceRequests", NULL));
	ck_assert_str_eq(jpath(o, "HostConfig", "Devices", NULL),
	                 "[ { \"PathOnHost\": \"nvidia.com\\/gpu=all\", \"PathInContainer\": "
	                 "\"\", \"CgroupPermissions\": \"\" }, { \"PathOnHost\": "
	                 "\"nvidia.com\\/gpu=0\", \"PathInContainer\": \"\", "
	                 "\"CgroupPermissions\": \"\" }, { \"PathOnHost\": "
	                 "\"nvidia.com\\/gpu=GPU-3a1b\", \"PathInContainer\": \"\", "
	                 "\"CgroupPermissions\": \"\" } ]");
	json_object_put(o);

	/* a driver podman has no CDI name for: Docker gets it, podman's body is refused */
	drove_strlist_free(ids);
	ck_assert_int_eq(drove_strlist_new(&ids), 0);
	ck_assert_int_eq(drove_container_spec_add_device_request(spec, "acme", 1, NULL, NULL, NULL),
	                 0);
	drove_strlist_add(ids, "vendor.com/fpga=f0");
	ck_assert_int_eq(drove_container_spec_add_device_request(spec, "cdi", 0, ids, NULL, NULL),
	                 0);
	o = spec_json(spec, 0);
	ck_assert_ptr_nonnull(strstr(jpath(o, "HostConfig", "DeviceRequests", NULL),
	                             "\"Driver\": \"acme\", \"Count\": 1"));
	json_object_put(o);
	drove_assert_error(drove__runtime_spec_json(spec, 1, &body), DROVE_EINVAL, "driver 'acme'");
	ck_assert_ptr_null(body);
	drove_strlist_free(ids);
	drove_strlist_free(caps);
	drove_strmap_free(opts);
	drove_container_spec_free(spec);

	/* ids that are CDI names already pass through */
	ck_assert_int_eq(drove_container_spec_new(&spec, "cdi", "img"), 0);
	ck_assert_int_eq(drove_strlist_new(&ids), 0);
	drove_strlist_add(ids, "vendor.com/fpga=f0");
	ck_assert_int_eq(drove_container_spec_add_device_request(spec, "cdi", 0, ids, NULL, NULL),
	                 0);
	o = spec_json(spec, 1);
	ck_assert_ptr_nonnull(strstr(jpath(o, "HostConfig", "Devices", NULL),
	                             "\"PathOnHost\": \"vendor.com\\/fpga=f0\""));
	json_object_put(o);
	drove_strlist_free(ids);
	drove_container_spec_free(spec);
}
END_TEST

START_TEST(test_spec_rejects_bad_values)
{
	drove_container_spec *spec = NULL;
	drove_assert_error(drove_container_spec_new(&spec, "x", ""), DROVE_EINVAL, "image");
	ck_assert_ptr_null(spec);
	ck_assert_int_eq(drove_container_spec_new(&spec, NULL, "img"), 0);
	drove_assert_error(drove_container_spec_add_port(spec, 0, 0, NULL), DROVE_EINVAL,
	                   "container port 0");
	drove_assert_error(drove_container_spec_add_port(spec, 80, 70000, NULL), DROVE_EINVAL,
	                   "host port 70000");
	drove_assert_error(drove_container_spec_set_env(spec, "A=B", "x"), DROVE_EINVAL, "'A=B'");
	drove_assert_error(drove_container_spec_set_memory(spec, -1), DROVE_EINVAL, "-1");
	drove_assert_error(drove_container_spec_add_volume(spec, "rel", "/x", 0), DROVE_EINVAL,
	                   "rel:/x");
	drove_assert_error(drove_container_spec_set_ulimit(spec, "nofile", 10, 5), DROVE_EINVAL,
	                   "ulimits.nofile");
	drove_assert_error(drove_container_spec_add_file(spec, "relative.txt", "x", 1, 0644),
	                   DROVE_EINVAL, "relative.txt");
	drove_assert_error(drove_container_spec_add_file(spec, "/dir/", "x", 1, 0644), DROVE_EINVAL,
	                   "names no file");
	drove_container_spec_free(spec);
	drove_container_spec_free(NULL);
}
END_TEST

/* ---- ustar ---- */

static unsigned long oct(const char *p, size_t n)
{
	char tmp[16] = {0};
	memcpy(tmp, p, n);
	return strtoul(tmp, NULL, 8);
}

START_TEST(test_tar_entries)
{
	drove__buf tar = DROVE_BUF_INIT;
	char longpath[200];
	unsigned sum = 0;

	ck_assert_int_eq(drove__runtime_tar_add(&tar, "/etc/app/conf.yml", "abc", 3, 0640, 0), 0);
	ck_assert_uint_eq(tar.len, 1024); /* header + one padded block */
	ck_assert_str_eq(tar.data, "etc/app/conf.yml");
	ck_assert_uint_eq(oct(tar.data + 100, 8), 0640);
	ck_assert_uint_eq(oct(tar.data + 124, 12), 3);
	ck_assert_int_eq(tar.data[156], '0');
	ck_assert_mem_eq(tar.data + 257,
	                 "ustar\0"
	                 "00",
	                 8);
	ck_assert_mem_eq(tar.data + 512, "abc\0", 4);
	for (int i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : (unsigned char)tar.data[i];
	ck_assert_uint_eq(oct(tar.data + 148, 7), sum);

	/* a long path goes into prefix + name */
	memset(longpath, 'd', sizeof(longpath));
	longpath[0] = '/';
	longpath[120] = '/';
	longpath[150] = '\0';
	ck_assert_int_eq(drove__runtime_tar_add(&tar, longpath, "", 0, 0644, 0), 0);
	ck_assert_uint_eq(tar.len, 1536);
	ck_assert_uint_eq(strnlen(tar.data + 1024 + 345, 155), 119);
	ck_assert_uint_eq(strnlen(tar.data + 1024, 100), 29);
	ck_assert_int_eq(drove__runtime_tar_finish(&tar), 0);
	ck_assert_uint_eq(tar.len, 2560);

	memset(longpath, 'x', sizeof(longpath));
	longpath[0] = '/';
	longpath[150] = '\0'; /* no '/' to split at */
	drove_assert_error(drove__runtime_tar_add(&tar, longpath, "", 0, 0644, 0), DROVE_EINVAL,
	                   "too long");
	drove__buf_free(&tar);
}
END_TEST

/* ---- demux ---- */

struct got {
	drove__buf out, err;
	int lines;
};

static void got_line(int stream, const char *line, size_t len, void *ud)
{
	struct got *g = ud;
	drove__buf *b = stream == DROVE_RUNTIME_STDERR ? &g->err : &g->out;
	ck_assert_uint_eq(strlen(line), len);
	drove__buf_append(b, line, len);
	drove__buf_putc(b, '|');
	g->lines++;
}

static void frame(drove__buf *b, int stream, const char *payload)
{
	unsigned char h[8] = {(unsigned char)stream, 0, 0, 0, 0, 0, 0, 0};
	size_t n = strlen(payload);
	h[6] = (unsigned char)(n >> 8);
	h[7] = (unsigned char)n;
	drove__buf_append(b, h, 8);
	drove__buf_append(b, payload, n);
}

START_TEST(test_demux_framed_byte_by_byte)
{
	drove__buf in = DROVE_BUF_INIT;
	drove__runtime_demux d;
	struct got g = {DROVE_BUF_INIT, DROVE_BUF_INIT, 0};

	frame(&in, 1, "hello\nwor");
	frame(&in, 2, "oops\r\n");
	frame(&in, 1, "ld\n\nlast");
	drove__runtime_demux_init(&d, got_line, &g);
	for (size_t i = 0; i < in.len; i++) /* split anywhere, headers included */
		ck_assert_int_eq(drove__runtime_demux_feed(&d, in.data + i, 1), 0);
	drove__runtime_demux_finish(&d);
	ck_assert_str_eq(g.out.data, "hello|world||last|");
	ck_assert_str_eq(g.err.data, "oops|");
	drove__runtime_demux_free(&d);
	drove__buf_free(&in);
	drove__buf_free(&g.out);
	drove__buf_free(&g.err);
}
END_TEST

START_TEST(test_demux_raw_and_bad_header)
{
	drove__runtime_demux d;
	struct got g = {DROVE_BUF_INIT, DROVE_BUF_INIT, 0};
	static const char bad[] = {1, 0, 0, 0, 0, 0, 0, 1, 'x', 7, 1, 0, 0, 0, 0, 0, 0};

	drove__runtime_demux_init(&d, got_line, &g);
	ck_assert_int_eq(drove__runtime_demux_feed(&d, "tty line\nmore", 13), 0);
	drove__runtime_demux_finish(&d);
	ck_assert_str_eq(g.out.data, "tty line|more|");
	drove__runtime_demux_free(&d);

	drove__runtime_demux_init(&d, got_line, &g);
	drove_assert_error(drove__runtime_demux_feed(&d, bad, sizeof(bad)), DROVE_EIO,
	                   "bad frame header");
	drove__runtime_demux_free(&d);
	drove__buf_free(&g.out);
	drove__buf_free(&g.err);
}
END_TEST

START_TEST(test_demux_long_line_is_cut)
{
	drove__runtime_demux d;
	struct got g = {DROVE_BUF_INIT, DROVE_BUF_INIT, 0};
	size_t n = 200000;
	char *big = malloc(n);
	memset(big, 'a', n);

	drove__runtime_demux_init(&d, got_line, &g);
	ck_assert_int_eq(drove__runtime_demux_feed(&d, big, n), 0); /* raw: 'a' > 2 */
	drove__runtime_demux_finish(&d);
	ck_assert_int_eq(g.lines, 4); /* 3 x 64 KiB + the rest */
	drove__runtime_demux_free(&d);
	free(big);
	drove__buf_free(&g.out);
}
END_TEST

/* ---- parsers ---- */

static const char INSPECT[] =
        "{\"Id\":\"abc123\",\"Name\":\"/app-AI-1\",\"Image\":\"sha256:feed\","
        "\"State\":{\"Status\":\"running\",\"Running\":true,\"ExitCode\":0,"
        "\"StartedAt\":\"2024-01-02T03:04:05.678901234Z\"},"
        "\"Config\":{\"Image\":\"localhost/img:1\",\"Labels\":{\"drove.instance.id\":\"AI-1\"}},"
        "\"NetworkSettings\":{\"Ports\":{\"8000/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":"
        "\"32768\"}],\"53/udp\":null,\"9000/tcp\":null}}}";

START_TEST(test_parse_inspect)
{
	drove_container_info *c = NULL;
	ck_assert_int_eq(drove__runtime_parse_inspect(INSPECT, strlen(INSPECT), &c), 0);
	ck_assert_str_eq(drove_container_info_id(c), "abc123");
	ck_assert_str_eq(drove_container_info_name(c), "app-AI-1");
	ck_assert_str_eq(drove_container_info_image(c), "localhost/img:1");
	ck_assert_str_eq(drove_container_info_image_id(c), "sha256:feed");
	ck_assert_str_eq(drove_container_info_state(c), "running");
	ck_assert_int_eq(drove_container_info_running(c), 1);
	ck_assert_int_eq(drove_container_info_exit_code(c), 0);
	ck_assert_int_eq(drove_container_info_started_at(c), 1704164645678LL);
	ck_assert_str_eq(drove_container_info_label(c, "drove.instance.id"), "AI-1");
	ck_assert_ptr_null(drove_container_info_label(c, "nope"));
	ck_assert_int_eq(drove_container_info_host_port(c, 8000), 32768);
	ck_assert_int_eq(drove_container_info_host_port(c, 9000), -1);
	drove__runtime_info_free(c);
	drove_assert_error(drove__runtime_parse_inspect("[1]", 3, &c), DROVE_EINVAL, "json type");
	drove_assert_error(drove__runtime_parse_inspect("{\"Id\":", 6, &c), DROVE_EINVAL,
	                   "bad json");
}
END_TEST

START_TEST(test_parse_list_version_stats_exec)
{
	static const char LIST[] =
	        "[{\"Id\":\"a\",\"Names\":[\"/one\"],\"Image\":\"img\",\"ImageID\":\"sha256:1\","
	        "\"State\":\"running\",\"Labels\":{\"k\":\"v\"},\"Ports\":[{\"PrivatePort\":8000,"
	        "\"PublicPort\":40000,\"Type\":\"tcp\"}]},{\"Id\":\"b\",\"Names\":[\"/two\"],"
	        "\"State\":\"exited\"}]";
	static const char PODMAN[] =
	        "{\"Components\":[{\"Name\":\"Podman Engine\"}],\"ApiVersion\":\"1.41\"}";
	static const char DOCKER[] =
	        "{\"Components\":[{\"Name\":\"Engine\"}],\"ApiVersion\":\"1.43\"}";
	static const char STATS[] =
	        "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":500},\"system_cpu_usage\":9000,"
	        "\"online_cpus\":2},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":100},"
	        "\"system_cpu_usage\":1000},\"memory_stats\":{\"usage\":4096,\"limit\":67108864},"
	        "\"networks\":{\"eth0\":{\"rx_bytes\":10,\"tx_bytes\":20},\"eth1\":{\"rx_bytes\":1,"
	        "\"tx_bytes\":2}}}";
	drove_container_info **list = NULL;
	int64_t st[DROVE_STAT_COUNT];
	char engine[16], api[16];
	size_t n = 0;
	int ec = 0, running = 1;

	ck_assert_int_eq(drove__runtime_parse_list(LIST, strlen(LIST), &list, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(drove_container_info_name(list[0]), "one");
	ck_assert_int_eq(drove_container_info_running(list[0]), 1);
	ck_assert_int_eq(drove_container_info_host_port(list[0], 8000), 40000);
	ck_assert_str_eq(drove_container_info_label(list[0], "k"), "v");
	ck_assert_int_eq(drove_container_info_running(list[1]), 0);
	for (size_t i = 0; i < n; i++)
		drove__runtime_info_free(list[i]);
	free(list);

	ck_assert_int_eq(drove__runtime_parse_version(PODMAN, strlen(PODMAN), engine, 16, api, 16),
	                 0);
	ck_assert_str_eq(engine, "podman");
	ck_assert_str_eq(api, "1.41");
	ck_assert_int_eq(drove__runtime_parse_version(DOCKER, strlen(DOCKER), engine, 16, api, 16),
	                 0);
	ck_assert_str_eq(engine, "docker");
	ck_assert_str_eq(api, "1.41"); /* capped to what we speak */
	drove_assert_error(
	        drove__runtime_parse_version("{\"ApiVersion\":\"2.0\"}", 20, engine, 16, api, 16),
	        DROVE_EINVAL, "'2.0'");

	ck_assert_int_eq(drove__runtime_parse_stats(STATS, strlen(STATS), st), 0);
	ck_assert_int_eq(st[DROVE_STAT_CPU_TOTAL_NS], 500);
	ck_assert_int_eq(st[DROVE_STAT_CPU_SYSTEM_NS], 9000);
	ck_assert_int_eq(st[DROVE_STAT_ONLINE_CPUS], 2);
	ck_assert_int_eq(st[DROVE_STAT_PRECPU_TOTAL_NS], 100);
	ck_assert_int_eq(st[DROVE_STAT_MEM_USAGE], 4096);
	ck_assert_int_eq(st[DROVE_STAT_MEM_LIMIT], 67108864);
	ck_assert_int_eq(st[DROVE_STAT_NET_RX], 11);
	ck_assert_int_eq(st[DROVE_STAT_NET_TX], 22);

	ck_assert_int_eq(
	        drove__runtime_parse_exec("{\"Running\":false,\"ExitCode\":3}", 31, &ec, &running),
	        0);
	ck_assert_int_eq(ec, 3);
	ck_assert_int_eq(running, 0);
}
END_TEST

START_TEST(test_engine_messages_and_codes)
{
	char *m = drove__runtime_engine_message("{\"message\":\"No such image: localhost/x:1\"}\n",
	                                        44, 404);
	ck_assert_str_eq(m, "No such image: localhost/x:1");
	free(m);
	m = drove__runtime_engine_message("plain text error\n", 17, 500);
	ck_assert_str_eq(m, "plain text error");
	free(m);
	m = drove__runtime_engine_message("", 0, 502);
	ck_assert_str_eq(m, "engine returned http 502");
	free(m);
	ck_assert_int_eq(drove__runtime_status_code(404), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove__runtime_status_code(409), DROVE_ECONFLICT);
	ck_assert_int_eq(drove__runtime_status_code(400), DROVE_EINVAL);
	ck_assert_int_eq(drove__runtime_status_code(403), DROVE_EAUTH);
	ck_assert_int_eq(drove__runtime_status_code(500), DROVE_ERROR);
	/* pull errors that mean "bad or missing registry credentials" (podman, Docker) */
	ck_assert(drove__runtime_is_auth_error("reading manifest latest in 127.0.0.1:5000/x: "
	                                       "unauthorized: authentication required"));
	ck_assert(drove__runtime_is_auth_error("Head \"https://r/v2/x/manifests/1\": no basic auth "
	                                       "credentials"));
	ck_assert(
	        drove__runtime_is_auth_error("denied: requested access to the resource is denied"));
	ck_assert(!drove__runtime_is_auth_error("manifest unknown: manifest unknown"));
	ck_assert(
	        !drove__runtime_is_auth_error("dial tcp 127.0.0.1:1: connect: connection refused"));
	ck_assert(!drove__runtime_is_auth_error(NULL));
}
END_TEST

START_TEST(test_pull_lines_and_time)
{
	char *text, *err;
	ck_assert_int_eq(
	        drove__runtime_parse_pull_line(
	                "{\"status\":\"Downloading\",\"id\":\"ab12\",\"progress\":\"[=> ]\"}", 55,
	                &text, &err),
	        0);
	ck_assert_str_eq(text, "ab12: Downloading [=> ]");
	ck_assert_ptr_null(err);
	free(text);
	ck_assert_int_eq(
	        drove__runtime_parse_pull_line("{\"error\":\"denied: x\"}", 21, &text, &err), 0);
	ck_assert_str_eq(err, "denied: x");
	ck_assert_ptr_null(text);
	free(err);
	ck_assert_int_eq(drove__runtime_parse_time("0001-01-01T00:00:00Z"), 0);
	ck_assert_int_eq(drove__runtime_parse_time("1970-01-01T00:00:01.5Z"), 1500);
	ck_assert_int_eq(drove__runtime_parse_time("1970-01-01T01:00:01+01:00"), 1000);
	ck_assert_int_eq(drove__runtime_parse_time("garbage"), 0);
}
END_TEST

/* ---- argument checks and the error path without an engine ---- */

static void never(const drove_runtime_result *r, void *ud)
{
	ck_abort_msg("callback must not run");
}

struct one {
	int done, code;
	char msg[512];
};

static void on_one(const drove_runtime_result *r, void *ud)
{
	struct one *o = ud;
	o->done++;
	o->code = drove_runtime_result_code(r);
	snprintf(o->msg, sizeof(o->msg), "%s", drove_runtime_result_message(r));
}

START_TEST(test_runtime_args_and_unavailable)
{
	drove_ctx *ctx;
	drove_loop *loop;
	drove_runtime *rt = NULL;
	drove_strlist *argv;
	struct one o = {0};

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	drove_assert_error(drove_runtime_docker_new(&rt, loop, ""), DROVE_EINVAL, "socket path");
	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, "/nonexistent/check-runtime.sock"), 0);
	ck_assert_str_eq(drove_runtime_engine(rt), "");
	drove_assert_error(drove_runtime_start(rt, "", never, NULL), DROVE_EINVAL, "id");
	drove_assert_error(drove_runtime_stop(rt, "x", -1, never, NULL), DROVE_EINVAL, "grace_s");
	ck_assert_int_eq(drove_strlist_new(&argv), 0);
	drove_assert_error(drove_runtime_exec(rt, "x", argv, 0, never, NULL), DROVE_EINVAL,
	                   "empty command");
	drove_strlist_free(argv);

	drove_runtime_set_timeout(rt, 2000);
	ck_assert_int_eq(drove_runtime_remove(rt, "x", on_one, &o), 0);
	ck_assert_int_eq(o.done, 0);
	while (!o.done)
		drove_loop_run_for(loop, 50);
	ck_assert_int_eq(o.code, DROVE_EUNAVAIL);
	ck_assert_ptr_nonnull(
	        strstr(o.msg, "engine unreachable at /nonexistent/check-runtime.sock"));
	ck_assert_int_eq(drove_error_last()->code, DROVE_EUNAVAIL);

	/* calls in flight when the runtime goes: no callback */
	ck_assert_int_eq(drove_runtime_version(rt, never, NULL), 0);
	drove_runtime_free(rt);
	drove_loop_run_for(loop, 50);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
}
END_TEST

Suite *runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("spec");
	tcase_add_test(tc, test_spec_json_fields);
	tcase_add_test(tc, test_spec_rejects_bad_values);
	tcase_add_test(tc, test_spec_device_requests);
	tcase_add_test(tc, test_tar_entries);
	suite_add_tcase(s, tc);
	tc = tcase_create("stream");
	tcase_add_test(tc, test_demux_framed_byte_by_byte);
	tcase_add_test(tc, test_demux_raw_and_bad_header);
	tcase_add_test(tc, test_demux_long_line_is_cut);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_inspect);
	tcase_add_test(tc, test_parse_list_version_stats_exec);
	tcase_add_test(tc, test_engine_messages_and_codes);
	tcase_add_test(tc, test_pull_lines_and_time);
	suite_add_tcase(s, tc);
	tc = tcase_create("calls");
	tcase_add_test(tc, test_runtime_args_and_unavailable);
	suite_add_tcase(s, tc);
	return s;
}
