/*
 * fetch.h -- one page of a group's runs from the tenant: URL, GET, parse.
 * The glue between http.c and page.c that listing.c calls through its
 * tfs_fetch_fn. A 200 whose body is not a page of the documented shape is
 * asked again (up to the retry count), then is -EIO.
 */
#ifndef TFS_FETCH_H
#define TFS_FETCH_H

#include <stdint.h>

#include "http.h"
#include "page.h"
#include "url.h"

struct tfs_fetcher {
	struct tfs_http *http;
	const struct tfs_tenant *tenant;
	unsigned per_page;
	unsigned retries;
};

/* tfs_fetch_fn for listing.c; ctx is a struct tfs_fetcher. */
int tfs_fetch_page(void *ctx, uint64_t group, unsigned page, unsigned per_page,
		   struct tfs_page *out);

#endif
