/* log.c -- stderr or syslog, one line per call. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static bool log_debug;
static bool log_syslog;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void tfs_log_init(bool debug, bool use_syslog)
{
	log_debug = debug;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("tinesfs", LOG_PID, LOG_DAEMON);
}

void tfs_log(enum tfs_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[1024];
	va_list ap;

	if (level == TFS_LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(prio[level], "%s", line);
		return;
	}
	/* One lock so lines from worker threads never interleave. */
	pthread_mutex_lock(&log_mu);
	fprintf(stderr, "tinesfs: %s: %s\n", names[level], line);
	pthread_mutex_unlock(&log_mu);
}
