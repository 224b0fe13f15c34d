/* fetch.c -- URL -> GET -> page, with the errno each failure becomes. */
#include "fetch.h"

#include <errno.h>
#include <stdlib.h>

#include "errmap.h"
#include "log.h"

int tfs_fetch_page(void *ctx, uint64_t group, unsigned page, unsigned per_page,
		   struct tfs_page *out)
{
	struct tfs_fetcher *f = ctx;
	char url[512];
	int rc;

	if (tfs_url_runs_page(f->tenant, group, page,
			      per_page ? per_page : f->per_page, url, sizeof(url)) < 0)
		return -EIO;
	for (unsigned n = 0;; n++) {
		char *body;
		size_t len;

		rc = tfs_http_get(f->http, url, &body, &len);
		if (rc != 0) {
			if (rc == -ENOENT && page > 1)
				rc = -EIO;	/* the group vanished mid-walk: not a short list */
			return rc;
		}
		rc = tfs_page_parse(body, len, out);
		free(body);
		if (rc == 0)
			return 0;
		tfs_warn("group %llu page %u: the answer is not a runs page%s",
			 (unsigned long long)group, page, n < f->retries ? ", asking again" : "");
		if (n >= f->retries)
			return tfs_errno_from_parse(rc);
	}
}
