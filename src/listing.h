/*
 * listing.h -- each group's runs as walked from the API, with the TTL.
 *
 * A *generation* is one walk of a group's list from page 1. It only ever
 * grows (pages are appended in order, runs deduplicated by guid), so an
 * index into it stays valid for as long as someone holds it: an open
 * directory keeps its generation, and the offsets handed to the kernel are
 * indexes into it. After the TTL the next access starts a new generation;
 * the old one lives on until its last holder lets go.
 *
 * Runs are immutable and reference counted: a changed run is a new object,
 * so a reader never sees bytes of two versions.
 *
 * Pure: pages come from an injected fetch function and time from an
 * injected clock, so the unit tests need no network.
 *
 * Locking: one mutex per group guards its generations; a page fetch runs
 * without the lock, and a second reader of the same page waits on the
 * group's condition variable instead of asking again (single flight).
 */
#ifndef TFS_LISTING_H
#define TFS_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "page.h"

struct tfs_run {
	uint64_t ino;
	int64_t mtime;
	char *guid;		/* NUL-terminated */
	char *bytes;		/* file content */
	uint32_t len;
	uint16_t guid_len;
	bool finished;
	int refs;		/* atomic */
};

/* Fetch page `page` (1-based) of group's runs into *out, asking for
 * per_page runs a page (0: the mount's configured size). Returns 0,
 * -ENOENT (no such group), -EACCES, -EIO, or -ENOMEM. */
typedef int (*tfs_fetch_fn)(void *ctx, uint64_t group, unsigned page,
			    unsigned per_page, struct tfs_page *out);
/* Monotonic milliseconds. */
typedef int64_t (*tfs_clock_fn)(void *ctx);

struct tfs_listing_cfg {
	int64_t ttl_ms;
	tfs_fetch_fn fetch;
	void *fetch_ctx;
	tfs_clock_fn clock;
	void *clock_ctx;
	const uint64_t *named;	/* groups listed under /groups */
	size_t nnamed;
	unsigned readahead;	/* pages asked ahead of a walk, in parallel; 0 off */
	size_t max_cache;	/* bytes of runs kept, all groups; 0 no bound */
	/* Told (under a group lock: must not block) when a refresh brings a
	 * run whose bytes differ from the version it replaces. */
	void (*on_changed)(void *ctx, uint64_t ino);
	void *changed_ctx;
};

struct tfs_listing;
struct tfs_group;
struct tfs_gen;

/* Returns a listing (free with tfs_listing_free) or NULL without memory. */
struct tfs_listing *tfs_listing_new(const struct tfs_listing_cfg *cfg);
void tfs_listing_free(struct tfs_listing *l);

/* The group with this id, created on first use; it lives as long as the
 * listing. NULL only without memory. */
struct tfs_group *tfs_listing_group(struct tfs_listing *l, uint64_t id);

/* Groups to show under /groups: the named ones (unless known to be 404)
 * and those found since. Writes up to max ids, returns how many there are. */
size_t tfs_listing_groups(struct tfs_listing *l, uint64_t *ids, size_t max);

/* Newest mtime of the named groups (for / and /groups); may fetch their
 * page 1. 0 while none is known. */
int64_t tfs_listing_mtime(struct tfs_listing *l);

/* Make sure the group exists: its current generation has page 1 and is
 * within the TTL (a fetch when not). 0, -ENOENT, -EACCES or -EIO. A 404 is
 * remembered for the TTL. */
int tfs_group_check(struct tfs_listing *l, struct tfs_group *g);

/* Newest mtime on the group's page 1 (the newest runs): the directory's
 * mtime, steady while the rest is walked; 0 while unknown. */
int64_t tfs_group_mtime(struct tfs_listing *l, struct tfs_group *g);

/* Take a reference on the current generation (fresh, page 1 fetched) for a
 * directory handle. Release with tfs_gen_put. */
int tfs_group_open(struct tfs_listing *l, struct tfs_group *g,
		   struct tfs_gen **out);
void tfs_gen_put(struct tfs_listing *l, struct tfs_group *g, struct tfs_gen *gen);

/* Entry i of a held generation, fetching the next page only when i is past
 * what is known. On 0 *out holds a reference (tfs_run_put). -ENOENT past
 * the end; -EIO/-EACCES when a needed page cannot be had. If wait is false
 * and entry i needs a fetch, returns -EAGAIN instead. */
int tfs_gen_entry(struct tfs_listing *l, struct tfs_group *g,
		  struct tfs_gen *gen, size_t i, bool wait, struct tfs_run **out);

/* Find a run by guid in the current generation, walking pages from the
 * first until it is found and no further. On 0 *out holds a reference. */
int tfs_group_find(struct tfs_listing *l, struct tfs_group *g,
		   const char *guid, size_t len, struct tfs_run **out);

/* The group's id. */
uint64_t tfs_listing_group_id(const struct tfs_group *g);

/* A run-like blob (the status file): one block, freed by tfs_run_put.
 * NULL without memory. */
struct tfs_run *tfs_run_blob(uint64_t ino, int64_t mtime, const char *bytes, size_t len);

/* Whether gen is the generation the kernel last cached this group's
 * directory from; records gen as that generation from now on. */
bool tfs_group_kernel_cached(struct tfs_listing *l, struct tfs_group *g,
			     const struct tfs_gen *gen);

void tfs_run_get(struct tfs_run *r);
void tfs_run_put(struct tfs_run *r);

/* Counters for tests and the status file. */
struct tfs_group_stats {
	uint64_t id;
	size_t runs_known;
	unsigned pages_fetched;		/* of the current generation */
	int64_t pages_total;		/* meta.pages of the last page seen */
	bool complete;
	int64_t refreshed_at;		/* clock ms of the current page 1; 0 never */
	int last_error;			/* -errno of the last failed fetch, 0 none */
	bool stale;			/* served past its TTL because a fetch failed */
};
void tfs_group_stats(struct tfs_listing *l, struct tfs_group *g,
		     struct tfs_group_stats *out);

/* Call fn for every group the listing knows, newest first. fn must not
 * call back into the listing for the whole list (it may for its group). */
void tfs_listing_each(struct tfs_listing *l,
		      void (*fn)(void *ctx, struct tfs_group *g), void *ctx);

/* Forget every generation and every remembered miss (SIGHUP): the next
 * access asks the API again. Handles that hold a generation keep it. */
void tfs_listing_drop_all(struct tfs_listing *l);

#endif
