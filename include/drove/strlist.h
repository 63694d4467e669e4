/*
 * Small owned containers used across the API: a list of strings (validation errors, tags,
 * arguments) and an insertion-ordered string map (env, tags, metadata).
 *
 * Threads: one thread at a time per object; shared read-only once built.
 */
#ifndef DROVE_STRLIST_H
#define DROVE_STRLIST_H

#include <drove/common.h>

DROVE_BEGIN_DECLS

typedef struct drove_strlist drove_strlist;

/** @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_strlist_new(drove_strlist **out);
DROVE_API void drove_strlist_free(drove_strlist *l);
/** Append a copy of `s`. @return 0, DROVE_EINVAL (NULL) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_strlist_add(drove_strlist *l, const char *s);
/** @since 0.1 */
DROVE_API size_t drove_strlist_count(const drove_strlist *l);
/** Borrowed; NULL when `i` is out of range. @since 0.1 */
DROVE_API const char *drove_strlist_get(const drove_strlist *l, size_t i);
/** 1 when the list holds a string equal to `s`. @since 0.1 */
DROVE_API int drove_strlist_contains(const drove_strlist *l, const char *s);
/** The entries joined with `sep`; caller frees with drove_free(). NULL on ENOMEM. @since 0.1 */
DROVE_API char *drove_strlist_join(const drove_strlist *l, const char *sep);

typedef struct drove_strmap drove_strmap;

/** @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_strmap_new(drove_strmap **out);
DROVE_API void drove_strmap_free(drove_strmap *m);
/** Set `key` to a copy of `value`, replacing an existing value in place (order kept).
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_strmap_set(drove_strmap *m, const char *key, const char *value);
/** Borrowed value, or NULL when absent. @since 0.1 */
DROVE_API const char *drove_strmap_get(const drove_strmap *m, const char *key);
/** @return 0 or DROVE_ENOTFOUND. @since 0.1 */
DROVE_API int drove_strmap_remove(drove_strmap *m, const char *key);
/** @since 0.1 */
DROVE_API size_t drove_strmap_count(const drove_strmap *m);
/** Entry `i` in insertion order; borrowed; NULL when out of range. @since 0.1 */
DROVE_API const char *drove_strmap_key(const drove_strmap *m, size_t i);
DROVE_API const char *drove_strmap_value(const drove_strmap *m, size_t i);

DROVE_END_DECLS
#endif
