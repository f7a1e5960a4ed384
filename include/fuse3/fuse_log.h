/*
 * include/fuse3/fuse_log.h - LinFsp's FUSE 3 logging API (libfuse 3 compatible).
 *
 * fuse_log() formats a message and hands it to the current log function;
 * the default one writes to stderr. fuse_set_log_func(NULL) restores it.
 */
#ifndef LINFSP_FUSE3_LOG_H_INCLUDED
#define LINFSP_FUSE3_LOG_H_INCLUDED

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Message severities, most severe first (the syslog(3) order). */
enum fuse_log_level {
    FUSE_LOG_EMERG,
    FUSE_LOG_ALERT,
    FUSE_LOG_CRIT,
    FUSE_LOG_ERR,
    FUSE_LOG_WARNING,
    FUSE_LOG_NOTICE,
    FUSE_LOG_INFO,
    FUSE_LOG_DEBUG
};

/** A log function: receives the level, a printf format and its arguments. */
typedef void (*fuse_log_func_t)(enum fuse_log_level level, const char *fmt, va_list ap);

/** Send log messages to func (NULL: back to stderr). */
void fuse_set_log_func(fuse_log_func_t func);

/** Log one message through the current log function. */
void fuse_log(enum fuse_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
