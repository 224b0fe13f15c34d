/*
 * http.h -- GET requests to the tenant through libcurl.
 *
 * Connections are reused (a pool of easy handles sharing DNS, TLS sessions
 * and the connection cache), every body lands in a buffer with a hard cap,
 * transient failures are retried with exponential backoff and full jitter,
 * and only URLs on the tenant's own origin are requested, so the key in
 * the Authorization header cannot travel anywhere else. This module maps
 * nothing to errno itself: errmap.c does.
 */
#ifndef TFS_HTTP_H
#define TFS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "url.h"

struct tfs_http_cfg {
	const struct tfs_tenant *tenant; /* copied */
	const char *key;		/* copied into the header, wiped at free */
	const char *cafile;		/* NULL: the system's CA bundle */
	long timeout_s;			/* whole request */
	long connect_timeout_s;
	unsigned retries;		/* extra attempts after the first */
	size_t max_body;		/* bytes; larger bodies fail */
	unsigned max_rate;		/* requests a minute, all threads; 0: no limit */
	long op_timeout_s;		/* one GET with its retries and waits; 0: none */
};

struct tfs_http_stats {
	bool down;			/* the tenant is known to be unreachable */
	uint64_t requests;		/* attempts sent */
	uint64_t by_class[6];		/* [0] transport failures, [2] 2xx ... [5] 5xx */
	uint64_t retries;
	uint64_t bytes;
};

struct tfs_http;

/* Returns a client (free with tfs_http_free) or NULL without memory.
 * curl_global_init must have run. */
struct tfs_http *tfs_http_new(const struct tfs_http_cfg *cfg);
void tfs_http_free(struct tfs_http *h);

/* GET url (which must lie on the tenant's origin). On 0 *body is a
 * NUL-terminated malloc'd buffer the caller frees with free(), *len its
 * length. Errors: -EACCES (401/403), -ENOENT (404), -EIO (anything else
 * that failed after the retries, or at once while the tenant is known to
 * be down), -ENOMEM, -EINVAL (foreign origin), -EINTR (aborted).
 *
 * Every attempt of every thread draws from one token bucket (max_rate a
 * minute, bursts up to a minute's worth); a 429 pauses all threads for its
 * Retry-After. When a GET fails for transport or server reasons after its
 * retries, the tenant is marked down: later GETs fail at once, and one
 * background probe retries the last URL at growing intervals until it
 * answers, which marks the tenant up again. */
int tfs_http_get(struct tfs_http *h, const char *url, char **body, size_t *len);

/* Make every transfer under way and every later one fail with -EINTR at
 * once (unmount, SIGTERM). Safe from any thread, not from a signal
 * handler. */
void tfs_http_abort(struct tfs_http *h);

/* Also abort once fn(ctx) returns true; it is polled during transfers and
 * waits (about once a second at least). Set before the first GET. */
void tfs_http_set_abort(struct tfs_http *h, bool (*fn)(void *ctx), void *ctx);

void tfs_http_stats(struct tfs_http *h, struct tfs_http_stats *out);

/* Replace the key (a rotated key, on SIGHUP); the old one is wiped.
 * Returns 0 or -ENOMEM (the old key then stays). */
int tfs_http_set_key(struct tfs_http *h, const char *key);

#endif
