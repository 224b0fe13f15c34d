/*
 * url.h -- the tenant's origin, and every URL tinesfs requests built from it.
 *
 * Pure: no I/O. Only URLs made here are ever requested, so the key can only
 * travel to the origin the user named (a server-sent next_page is data).
 */
#ifndef TFS_URL_H
#define TFS_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tfs_tenant {
	bool https;
	char host[256];	/* as written, IPv6 with brackets, lowercased */
	unsigned port;	/* 0 when the URL named none */
	char origin[300]; /* scheme://host[:port], no trailing slash */
};

/* Parse TENANT_URL: http(s)://host[:port] with an optional trailing "/".
 * Plain http is accepted only for loopback hosts. On error returns -EINVAL
 * and writes one human-readable reason into err. */
int tfs_tenant_parse(const char *in, struct tfs_tenant *out, char *err,
		     size_t errlen);

/* Whether host (as stored in tfs_tenant.host) is a loopback name/address. */
bool tfs_host_is_loopback(const char *host);

/* Write the URL of one page of a group's runs into buf. Returns the length,
 * or -ENAMETOOLONG when buf is too small. */
int tfs_url_runs_page(const struct tfs_tenant *t, uint64_t group,
		      unsigned page, unsigned per_page, char *buf, size_t len);

#endif
