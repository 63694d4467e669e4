/*
 * Internal interface of the cron module (not installed): time zones (tz.c) below the cron
 * expression matcher (cron.c). tz.c knows nothing of cron; cron.c calls tz.c only through
 * the functions declared here. drove__cron_ref() is for the library's own holders of a cron
 * (Epoch's timetable).
 */
#ifndef DROVE_CRON_INTERNAL_H
#define DROVE_CRON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Largest zoneinfo file read (the biggest in tzdata is a few KiB). */
#define DROVE_TZ_FILE_MAX (256 * 1024)
/* Longest zone name or POSIX TZ string accepted. */
#define DROVE_TZ_NAME_MAX 255

typedef struct drove__tz drove__tz;

/* A zone: "UTC" (also "Z", "GMT", "Etc/UTC"), a zoneinfo name ("Europe/Berlin") read from
 * $TZDIR or /usr/share/zoneinfo, or a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3").
 * DROVE_EINVAL naming the zone when none of these fits. Zones are immutable and shared: while
 * one is held, loading the same name again (any thread) returns it, not a fresh read of its
 * file; each load is paired with one drove__tz_free(). */
int drove__tz_load(drove__tz **out, const char *name);
/* A zone from the bytes of a TZif file (versions 1-4), with `name` kept for display; not
 * shared (this and drove__tz_from_posix() give the caller its own). */
int drove__tz_from_tzif(drove__tz **out, const char *name, const unsigned char *data, size_t len);
/* A zone from a POSIX TZ string only. */
int drove__tz_from_posix(drove__tz **out, const char *spec);
void drove__tz_free(drove__tz *tz);
const char *drove__tz_name(const drove__tz *tz);
/* Offset from UTC, in seconds east, in effect at the UTC instant `t` (seconds). */
int32_t drove__tz_offset(const drove__tz *tz, int64_t t);

typedef struct drove_cron drove_cron;
/* `cron` once more, for one more holder (any thread): the parsed expression is immutable, so
 * holders share it; each drove__cron_ref() and the drove_cron_parse() are paired with one
 * drove_cron_free(), and the last one frees it. Epoch's timetable holds its topologies'
 * crons this way. */
drove_cron *drove__cron_ref(const drove_cron *cron);

/* Civil calendar helpers (proleptic Gregorian, days since 1970-01-01). */
int64_t drove__days_from_civil(int64_t y, unsigned m, unsigned d);
void drove__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
unsigned drove__days_in_month(int64_t y, unsigned m);
/* 0 = Sunday ... 6 = Saturday. */
unsigned drove__weekday(int64_t days);

#endif
