/*
 * log.h -- one place where tinesfs writes diagnostics.
 *
 * In the foreground lines go to stderr, as a daemon to syslog. Callers pass
 * request paths and statuses; never a key or a header (nothing here can
 * redact after the fact).
 */
#ifndef TFS_LOG_H
#define TFS_LOG_H

#include <stdbool.h>

enum tfs_log_level { TFS_LOG_ERR, TFS_LOG_WARN, TFS_LOG_INFO, TFS_LOG_DEBUG };

/* Configure once at start: debug enables TFS_LOG_DEBUG lines, use_syslog
 * sends lines to syslog(3) instead of stderr. */
void tfs_log_init(bool debug, bool use_syslog);

void tfs_log(enum tfs_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define tfs_err(...) tfs_log(TFS_LOG_ERR, __VA_ARGS__)
#define tfs_warn(...) tfs_log(TFS_LOG_WARN, __VA_ARGS__)
#define tfs_info(...) tfs_log(TFS_LOG_INFO, __VA_ARGS__)
#define tfs_debug(...) tfs_log(TFS_LOG_DEBUG, __VA_ARGS__)

#endif
