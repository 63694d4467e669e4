/*
 * The controller's log-file proxy (DROVE_API.md §2.9, docs/logs.md): the pure parts, unit
 * tested in tests/unit/check_ctrl_logs.c. Everything runs on any thread (no state).
 */
#ifndef DROVE_CTRL_LOGS_H
#define DROVE_CTRL_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest `length` the controller asks an executor for (the executor caps at the same). */
#define DROVE__CTRL_LOG_READ_MAX (1024 * 1024)
/* Largest executor JSON answer the controller buffers (1 MiB of data, escaped). */
#define DROVE__CTRL_LOG_BODY_MAX (8u * 1024 * 1024)

/* A plain name inside an instance's log directory: non-empty, at most 255 bytes, not "." or
 * "..", no '/', '\\' or control character (NUL, CR, LF...). `what` names the field in the
 * message ("fileName: '../x' is not a plain file name").
 * @return 0 or DROVE_EINVAL. */
int drove__ctrl_log_name_check(const char *what, const char *name);

/* Parse and validate §2.9's query parameters (NULL or "" means -1): integers, offset >= -1,
 * length >= -1, offset -1 only with length -1. `length` above DROVE__CTRL_LOG_READ_MAX is
 * capped to it. @return 0 or DROVE_EINVAL naming the parameter ("offset: -2 is below -1"). */
int drove__ctrl_log_range(const char *offset, const char *length, int64_t *off_out,
                          int64_t *len_out);

/* The download name: `file`, or with `rename` "{id1}_{id2}_{file}-yyyy-MM-dd_HH-mm-ss" at
 * `now_ms` (local time, as Drove). @return a new string (free()) or NULL on ENOMEM. */
char *drove__ctrl_log_download_name(const char *id1, const char *id2, const char *file, bool rename,
                                    int64_t now_ms);

/* Content-Type guessed from a file name (static string; "text/plain" by default). */
const char *drove__ctrl_log_content_type(const char *file);

/* Kind of a /logfiles/{kind}/... path segment: 0 applications, 1 tasks, 2 localservices;
 * -1 for anything else. */
int drove__ctrl_log_kind(const char *kind);

#endif
