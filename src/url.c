/* url.c -- parse TENANT_URL and build request URLs from it. */
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -EINVAL;
}

/* Only canonical dotted decimal counts: resolvers read "0127.0.0.1" as
 * octal (87.0.0.1), so anything else is not loopback. */
static bool dotted_loopback(const char *h)
{
	int parts = 0;
	unsigned first = 0;

	while (parts < 4) {
		unsigned v = 0;
		size_t n = 0;

		while (h[n] >= '0' && h[n] <= '9' && n < 4)
			v = v * 10 + (unsigned)(h[n++] - '0');
		if (n == 0 || n > 3 || v > 255 || (n > 1 && h[0] == '0'))
			return false;
		if (parts++ == 0)
			first = v;
		h += n;
		if (parts < 4 && *h++ != '.')
			return false;
	}
	return *h == '\0' && first == 127;
}

bool tfs_host_is_loopback(const char *host)
{
	return strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	       dotted_loopback(host);
}

static bool host_ok(const char *h, size_t n)
{
	if (n == 0)
		return false;
	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			return false;
		for (size_t i = 1; i + 1 < n; i++)
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
				return false;
		return true;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
			return false;
	return h[0] != '.' && h[0] != '-';
}

int tfs_tenant_parse(const char *in, struct tfs_tenant *out, char *err,
		     size_t errlen)
{
	const char *p, *host, *end;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(in, "https://", 8) == 0) {
		out->https = true;
		p = in + 8;
	} else if (strncasecmp(in, "http://", 7) == 0) {
		p = in + 7;
	} else {
		return fail(err, errlen, "must start with https:// (or http:// for a loopback host)");
	}
	host = p;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end)
			return fail(err, errlen, "unterminated IPv6 address");
		p = end + 1;
	} else {
		p += strcspn(p, ":/?#@");
	}
	hlen = (size_t)(p - host);
	if (*p == '@')
		return fail(err, errlen, "must not contain user information");
	if (!host_ok(host, hlen) || hlen >= sizeof(out->host))
		return fail(err, errlen, "has no valid host name");
	for (size_t i = 0; i < hlen; i++)
		out->host[i] = (char)tolower((unsigned char)host[i]);
	if (*p == ':') {
		char *e;
		unsigned long port;

		p++;
		if (!isdigit((unsigned char)*p))
			return fail(err, errlen, "has an invalid port");
		errno = 0;
		port = strtoul(p, &e, 10);
		if (errno || port == 0 || port > 65535 || e - p > 5)
			return fail(err, errlen, "has an invalid port");
		out->port = (unsigned)port;
		p = e;
	}
	if (*p == '/')
		p++;
	if (*p != '\0')
		return fail(err, errlen, "must be only scheme, host and port (tinesfs adds /api/v1)");
	if (!out->https && !tfs_host_is_loopback(out->host))
		return fail(err, errlen, "uses plain http:// for a host that is not loopback; use https://");
	if (out->port)
		snprintf(out->origin, sizeof(out->origin), "%s://%s:%u",
			 out->https ? "https" : "http", out->host, out->port);
	else
		snprintf(out->origin, sizeof(out->origin), "%s://%s",
			 out->https ? "https" : "http", out->host);
	return 0;
}

int tfs_url_runs_page(const struct tfs_tenant *t, uint64_t group,
		      unsigned page, unsigned per_page, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/api/v1/groups/%" PRIu64
			 "/runs?per_page=%u&page=%u", t->origin, group, per_page, page);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return n;
}
