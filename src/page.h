/*
 * page.h -- one page of GET /groups/<id>/runs, from body bytes to runs.
 *
 * Pure: no I/O. json-c checks that the body is one complete JSON document of
 * the documented shape and reads meta and each run's guid and times; the
 * file bytes of each run are laid out from the raw text by jsontext, so they
 * keep every field, key order and number text the API sent.
 */
#ifndef TFS_PAGE_H
#define TFS_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Max nesting accepted in a page body. */
#define TFS_PAGE_MAX_DEPTH 32

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
