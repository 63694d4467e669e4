/*
 * validate-spec: check a Drove spec file (application, task or local service, detected from
 * its `type` and fields) with libdrove's validation, as the controller would on CREATE.
 *
 *   validate-spec [--strict] [--allow-mount-dir DIR]... [--enable-devices] [--disable-args] FILE
 *
 * Prints each problem on its own line ("path: message") and exits 1; prints
 * "FILE: valid <kind> <id>" and exits 0 when the spec is valid; exits 2 on usage errors or an
 * unreadable file. Fields the parser ignores are reported on stderr as warnings (errors with
 * --strict).
 */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/spec.h>
#include <drove/strlist.h>

#define MAX_FILE (2 * 1024 * 1024) /* the library rejects more than 1 MiB itself */

static void usage(FILE *f)
{
	fprintf(f, "usage: validate-spec [--strict] [--allow-mount-dir DIR]... [--enable-devices]\n"
	           "                     [--disable-args] FILE\n");
}

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *data;
	size_t n = 0;

	if (fd < 0)
		return NULL;
	if (!(data = malloc(MAX_FILE + 1))) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, data + n, MAX_FILE + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(data);
			close(fd);
			return NULL;
		}
		if (r == 0 || (n += (size_t)r) > MAX_FILE)
			break;
	}
	close(fd);
	*len = n;
	return data;
}

int main(int argc, char **argv)
{
	drove_spec_opts *opts = NULL;
	drove_strlist *errors = NULL, *unknown = NULL;
	drove_spec *spec = NULL;
	drove_ctx *ctx = NULL;
	const char *file = NULL;
	char *json;
	size_t len = 0;
	int strict = 0, rc, status;

	if (drove_ctx_new(&ctx) < 0 || drove_spec_opts_new(&opts) < 0) {
		fprintf(stderr, "validate-spec: %s\n", drove_error_last()->message);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--strict") == 0) {
			strict = 1;
		} else if (strcmp(argv[i], "--allow-mount-dir") == 0 && i + 1 < argc) {
			drove_spec_opts_add_allowed_mount_dir(opts, argv[++i]);
		} else if (strcmp(argv[i], "--enable-devices") == 0) {
			drove_spec_opts_set_enable_raw_device_access(opts, 1);
		} else if (strcmp(argv[i], "--disable-args") == 0) {
			drove_spec_opts_set_disable_cmdl_args(opts, 1);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			status = 0;
			goto out;
		} else if (argv[i][0] == '-' || file) {
			usage(stderr);
			status = 2;
			goto out;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		usage(stderr);
		status = 2;
		goto out;
	}
	drove_spec_opts_set_strict(opts, strict);
	if (!(json = read_file(file, &len))) {
		fprintf(stderr, "validate-spec: cannot read %s: %s\n", file, strerror(errno));
		status = 2;
		goto out;
	}
	if (!strict && drove_spec_unknown_fields(json, len, &unknown) == 0) {
		for (size_t i = 0; i < drove_strlist_count(unknown); i++)
			fprintf(stderr, "warning: %s (ignored)\n", drove_strlist_get(unknown, i));
	}
	rc = drove_spec_validate_json(ctx, json, len, opts, &errors);
	if (rc == 0) {
		if (drove_spec_from_json(&spec, ctx, DROVE_KIND_UNKNOWN, json, len, opts) == 0)
			printf("%s: valid %s %s\n", file,
			       drove_spec_kind_name(drove_spec_kind(spec)),
			       drove_spec_id(spec) ? drove_spec_id(spec) : "");
		status = 0;
	} else if (rc == DROVE_EINVAL) {
		for (size_t i = 0; i < drove_strlist_count(errors); i++)
			printf("%s\n", drove_strlist_get(errors, i));
		status = 1;
	} else {
		fprintf(stderr, "validate-spec: %s\n", drove_error_last()->message);
		status = 2;
	}
	free(json);
out:
	drove_spec_free(spec);
	drove_strlist_free(errors);
	drove_strlist_free(unknown);
	drove_spec_opts_free(opts);
	drove_ctx_free(ctx);
	return status;
}
