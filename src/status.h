/*
 * status.h -- /.tinesfs-status: what the mount is doing, as JSON.
 *
 * The file is read-only and reachable by name only (readdir never lists
 * it, so tar, rsync and find of the mount never pick it up). Each render
 * is a complete JSON document laid out as `jq .` lays it out; fs.c renders
 * it at every lookup (kernel timeouts 0) and serves getattr and reads from
 * those bytes until the next, so the size a stat reports is that of what a
 * read returns and a reader never sees half of two versions.
 *
 * The counters that belong to no other module live here:
 *   cache hits and misses -- a FUSE request that needs the listing (lookup,
 *     getattr, open, read, opendir, readdir) is a hit when it was answered without
 *     asking the API, a miss when it asked for at least one page itself
 *     (a request that only waited for another thread's fetch is a hit);
 *     requests on the status file are not counted;
 *   reloads -- SIGHUPs handled, when the last one was, and whether its
 *     key_file could be read.
 * Request counts, retries and bytes come from http.c, per-group state from
 * listing.c, at render time. The key never appears: only the origin.
 */
#ifndef TFS_STATUS_H
#define TFS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fuse_lowlevel.h>

#include "http.h"
#include "listing.h"
#include "url.h"

struct tfs_status_cfg {
	const char *version;		/* copied */
	const struct tfs_tenant *tenant; /* origin and host copied */
	struct tfs_http *http;		/* borrowed; NULL: no request counters */
	struct tfs_listing *listing;	/* borrowed */
	tfs_clock_fn clock;		/* the listing's monotonic ms clock */
	void *clock_ctx;
	tfs_clock_fn wall;		/* ms since the epoch; NULL: CLOCK_REALTIME */
	void *wall_ctx;
	long ttl_s;
	unsigned per_page;
};

struct tfs_status;

/* Returns a status (free with tfs_status_free) or NULL without memory. Its
 * uptime counts from here. */
struct tfs_status *tfs_status_new(const struct tfs_status_cfg *cfg);
void tfs_status_free(struct tfs_status *s);

/* Render the status file. On 0 *out is a malloc'd, NUL-terminated buffer
 * the caller frees with free(), *len its length; else -ENOMEM. */
int tfs_status_render(struct tfs_status *s, char **out, size_t *len);

/* Record a SIGHUP: key_rc is 0 when the key was re-read, -errno when
 * reading key_file failed (why says how), 1 when there is no key_file. */
void tfs_status_reloaded(struct tfs_status *s, int key_rc, const char *why);

/* --- cache hits and misses ------------------------------------------------ */

/* A tfs_fetch_fn that counts the calling thread's page fetches and then
 * calls the real one; ctx is a struct tfs_status_fetcher. */
struct tfs_status_fetcher {
	tfs_fetch_fn fetch;
	void *ctx;
};
int tfs_status_fetch(void *ctx, uint64_t group, unsigned page, unsigned per_page,
		     struct tfs_page *out);

/* Fill *out with inner's operations, the counted ones (lookup, getattr,
 * open, read, opendir, readdir, readdirplus) wrapped so that each request is
 * counted as a hit or a miss. status_of maps a request's userdata to the
 * status whose counters move. inner must outlive the session. */
void tfs_status_wrap_ops(const struct fuse_lowlevel_ops *inner,
			 struct tfs_status *(*status_of)(void *userdata),
			 struct fuse_lowlevel_ops *out);

/* When the FUSE request the calling thread serves started (CLOCK_MONOTONIC
 * ms), or 0 outside a wrapped request. main.c gives the listing this as
 * its clock, so that one request sees one time: what a request fetched is
 * never already past its TTL when the same request looks again (ttl=0, or
 * a first page slower than the TTL, would otherwise fetch page 1 forever). */
int64_t tfs_status_request_ms(void);

/* Count one request by hand (tests, or an operation not wrapped). */
void tfs_status_count(struct tfs_status *s, bool hit);

#endif
