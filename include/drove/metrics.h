/*
 * A small metrics registry: counters, gauges and histograms with labels, rendered in the
 * Prometheus text exposition format 0.0.4 (docs/operations.md lists the metrics the daemons
 * export).
 *
 * A registry owns its metric families; a family (drove_metric) is borrowed from it and valid
 * until the registry is freed. A family holds one series per distinct set of label values.
 *
 * Threads: every function may be called from any thread; a registry serialises its updates
 * with one internal mutex, never held while a collector runs. Collectors run on the thread
 * that calls drove_metrics_render(), one after another.
 */
#ifndef DROVE_METRICS_H
#define DROVE_METRICS_H

#include <stddef.h>

#include <drove/common.h>

DROVE_BEGIN_DECLS

typedef struct drove_metrics drove_metrics;
typedef struct drove_metric drove_metric;

/** Family types. @since 0.1 */
enum drove_metric_type {
	DROVE_METRIC_COUNTER = 1,
	DROVE_METRIC_GAUGE = 2,
	DROVE_METRIC_HISTOGRAM = 3,
};

/** Most label names of one family, most buckets of one histogram, most series of one family
 *  (a guard against unbounded label values). @since 0.1 */
#define DROVE_METRICS_LABELS_MAX  8
#define DROVE_METRICS_BUCKETS_MAX 32
#define DROVE_METRICS_SERIES_MAX  20000

/** An empty registry. @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_metrics_new(drove_metrics **out);
/** Frees the registry and every family. NULL is fine. @since 0.1 */
DROVE_API void drove_metrics_free(drove_metrics *m);

/** Register (or find) a counter. `name` matches [a-zA-Z_:][a-zA-Z0-9_:]* (counters should end
 *  in `_total`); `help` is one line; `labels` is NULL or "" for none, else comma-separated
 *  label names ("route,method,status"), each [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__".
 *  Registering the same name again with the same type and labels returns the same family.
 *  @return 0 with *out (borrowed from `m`), DROVE_EINVAL (bad name or labels: the message
 *  names them), DROVE_EEXISTS (the name is taken by another type or label set) or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_metrics_counter(drove_metrics *m, drove_metric **out, const char *name,
                                    const char *help, const char *labels);
/** A gauge; as drove_metrics_counter(). @since 0.1 */
DROVE_API int drove_metrics_gauge(drove_metrics *m, drove_metric **out, const char *name,
                                  const char *help, const char *labels);
/** A histogram with `nbounds` (1..DROVE_METRICS_BUCKETS_MAX) finite, strictly increasing
 *  upper bounds (copied); the +Inf bucket is implicit. The label "le" is reserved. Errors as
 *  drove_metrics_counter(), and DROVE_EINVAL for bad bounds. @since 0.1 */
DROVE_API int drove_metrics_histogram(drove_metrics *m, drove_metric **out, const char *name,
                                      const char *help, const char *labels, const double *bounds,
                                      size_t nbounds);

/* Updates. `values` holds one label value per label name, in order (NULL when the family has
 * no labels; a NULL value is ""). A series is created on its first update. */

/** Add `delta` to a counter (delta >= 0) or a gauge (any sign).
 *  @return 0, DROVE_EINVAL (negative delta on a counter, NaN, a histogram, NULL values for a
 *  labelled family), DROVE_ENORESOURCE (DROVE_METRICS_SERIES_MAX reached) or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_metric_add(drove_metric *f, const char *const *values, double delta);
/** Set a gauge, or a counter taken from a cumulative source (such as a container's CPU
 *  seconds). Errors as drove_metric_add(). @since 0.1 */
DROVE_API int drove_metric_set(drove_metric *f, const char *const *values, double value);
/** Record one observation in a histogram. Errors as drove_metric_add(). @since 0.1 */
DROVE_API int drove_metric_observe(drove_metric *f, const char *const *values, double value);
/** Drop the series with these label values (an instance that is gone).
 *  @return 0, DROVE_ENOTFOUND or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_metric_remove(drove_metric *f, const char *const *values);
/** Drop every series of the family (a collector that recomputes gauges by state). @since 0.1 */
DROVE_API void drove_metric_clear(drove_metric *f);
/** Read a series: the value of a counter or gauge, the observation count of a histogram
 *  (`sum_out`, may be NULL, gets the histogram's sum).
 *  @return 0, DROVE_ENOTFOUND (no such series) or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_metric_get(const drove_metric *f, const char *const *values, double *out,
                               double *sum_out);

/** A collector refreshes some families just before each render (process figures, counts
 *  of objects by state). It runs on the rendering thread without the registry's lock held.
 *  @since 0.1 */
typedef void (*drove_metrics_collect_fn)(drove_metrics *m, void *userdata);
/** Add a collector; they run in the order added. @return 0, DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_metrics_on_collect(drove_metrics *m, drove_metrics_collect_fn fn,
                                       void *userdata);
/** Remove the collector added with this fn and userdata (before freeing what it reads).
 *  @since 0.1 */
DROVE_API void drove_metrics_off_collect(drove_metrics *m, drove_metrics_collect_fn fn,
                                         void *userdata);
/** Register the standard process families (process_resident_memory_bytes,
 *  process_virtual_memory_bytes, process_cpu_seconds_total, process_open_fds,
 *  process_max_fds, process_threads, process_start_time_seconds) and a collector reading
 *  /proc/self for them. @return 0, DROVE_EEXISTS or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_metrics_add_process(drove_metrics *m);

/** Run the collectors, then render every family in the Prometheus text format 0.0.4
 *  (content type "text/plain; version=0.0.4; charset=utf-8"), families in registration order.
 *  @return 0 with *out (NUL-terminated, free with drove_free()) and *len (may be NULL), or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_metrics_render(drove_metrics *m, char **out, size_t *len);

/** The exposition format's content type. @since 0.1 */
#define DROVE_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

DROVE_END_DECLS
#endif
