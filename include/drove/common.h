/*
 * libdrove: common definitions shared by every public header.
 *
 * Conventions of the whole API (docs/architecture.md has the long form):
 *  - Fallible functions return int: 0 on success or a negative DROVE_E* code. The code and a
 *    one-line message naming the bad value are also kept per thread: drove_error_last().
 *  - For `T **out` the caller owns the result and frees it with drove_T_free(); a returned
 *    `char *` is freed with drove_free(). `*out` is written only on success.
 *  - A `const T *` return value is borrowed from its parent.
 *  - Inputs are copied, except where a header says "borrowed" and how long the input must
 *    live (a daemon engine's configuration and loop: for the engine's life). Free functions
 *    accept NULL.
 *  - No third-party type or handle (libevent, json-c, ZooKeeper, OpenSSL) appears here; no
 *    function returns a struct by value; a public struct that may grow starts with a `size`
 *    field (docs/api-stability.md).
 *  - The library never prints, never exits and starts no thread of its own unless a header says so.
 */
#ifndef DROVE_COMMON_H
#define DROVE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define DROVE_BEGIN_DECLS extern "C" {
#define DROVE_END_DECLS   }
#else
#define DROVE_BEGIN_DECLS
#define DROVE_END_DECLS
#endif

#if defined(__GNUC__) && !defined(DROVE_STATIC)
#define DROVE_API __attribute__((visibility("default")))
#else
#define DROVE_API
#endif

#if defined(__GNUC__)
#define DROVE_DEPRECATED __attribute__((deprecated))
#else
#define DROVE_DEPRECATED
#endif

DROVE_BEGIN_DECLS

/** Error codes. Only ever appended; never renumbered or reused. @since 0.1 */
enum drove_errcode {
	DROVE_OK = 0,
	DROVE_ERROR = -1,       /**< anything not covered below */
	DROVE_ENOMEM = -2,      /**< out of memory */
	DROVE_EINVAL = -3,      /**< invalid argument or input; the message names it */
	DROVE_ENOTFOUND = -4,   /**< no such object */
	DROVE_EEXISTS = -5,     /**< the object exists already */
	DROVE_ENORESOURCE = -6, /**< not enough cores, memory or executors */
	DROVE_EAUTH = -7,       /**< missing or wrong credentials, or not allowed */
	DROVE_EUNAVAIL = -8,    /**< a peer (store, engine, controller) is unreachable: retryable */
	DROVE_ETIMEOUT = -9,    /**< the call did not finish in time: retryable */
	DROVE_ECONFLICT = -10,  /**< a compare-and-set lost, or the state does not allow it */
	DROVE_ESTALE = -11,     /**< a command from an older leader term */
	DROVE_EIO = -12,        /**< file or socket I/O error */
};

/** The last error on the calling thread: a code and a one-line message. */
typedef struct drove_error {
	int code;
	const char *message; /**< never NULL; "" when there is none */
} drove_error;

/** The calling thread's last error. Never NULL; valid until the next libdrove call on this
 *  thread. @since 0.1 */
DROVE_API const drove_error *drove_error_last(void);
/** Forget the calling thread's last error. @since 0.1 */
DROVE_API void drove_error_clear(void);
/** Static text for a code ("invalid argument"); never NULL. @since 0.1 */
DROVE_API const char *drove_strerror(int code);
/** Free a string or buffer the library returned. NULL is fine. @since 0.1 */
DROVE_API void drove_free(void *p);

/** The library's version (compare with DROVE_VERSION_* from <drove/version.h> to catch a
 *  header/library mismatch). Any pointer may be NULL. @since 0.1 */
DROVE_API void drove_version(int *major, int *minor, int *patch);
/** The library's version as "major.minor.patch"; static. @since 0.1 */
DROVE_API const char *drove_version_string(void);

DROVE_END_DECLS
#endif
