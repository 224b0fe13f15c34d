/*
 * page.h -- one page of GET /groups/<id>/runs, from body bytes to runs.
 *
 * Pure: no I/O. jsontext checks that the body is one complete JSON document
 * (strict, UTF-8, bounded depth), finds group_runs and meta, lays each run
 * out from the raw text (so the file keeps every field, key order and
 * number text the API sent) and reads its guid and times on the way;
 * json-c reads meta.
 */
#ifndef TFS_PAGE_H
#define TFS_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsontext.h"

struct tfs_page_run {
	char *guid;		/* NUL-terminated, passed tfs_guid_ok */
	size_t guid_len;
	int64_t mtime;		/* end_time, else start_time, else 0 */
	bool finished;		/* end_time is set */
	char *bytes;		/* the file's content, jq-style */
	size_t len;
};

struct tfs_page {
	struct tfs_page_run *runs;
	size_t nruns;
	size_t skipped;		/* items that were not a usable run */
	int64_t per_page;	/* meta, as the server reports them */
	int64_t pages;
	int64_t count;
	int64_t next_page_number;	/* -1 when null */
};

/* Max nesting accepted in a page body (jsontext's bound). */
#define TFS_PAGE_MAX_DEPTH TFS_JT_MAX_DEPTH

/* Parse body[0..len). Returns 0 and fills *out (release with
 * tfs_page_free), -EBADMSG for a body that is not one JSON document of the
 * documented shape (nothing is allocated then), or -ENOMEM. Items that are
 * not objects with a safe string guid are counted in skipped, not fatal. */
int tfs_page_parse(const char *body, size_t len, struct tfs_page *out);

/* Free what tfs_page_parse allocated; the struct itself is the caller's. */
void tfs_page_free(struct tfs_page *p);

/* Detach run i's guid and bytes (the caller frees both with free()). */
void tfs_page_take(struct tfs_page *p, size_t i, char **guid, char **bytes);

#endif
