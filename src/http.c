/* http.c -- libcurl GETs with a handle pool, a body cap and retries. */
#include "http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "errmap.h"
#include "log.h"

#define POOL_MAX 16
#define BACKOFF_BASE_MS 200
#define BACKOFF_CAP_MS 10000
#define RETRY_AFTER_CAP_S 60

struct tfs_http {
	struct tfs_tenant tenant;
	char *auth;			/* mu; "Authorization: Bearer ..." */
	char *cafile;
	long timeout_s, connect_timeout_s;
	unsigned retries;
	size_t max_body;
	bool debug;
	CURLSH *share;
	pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
	pthread_mutex_t mu;		/* guards pool, npool, stats, seed */
	CURL *pool[POOL_MAX];
	size_t npool;
	struct tfs_http_stats stats;
	unsigned seed;
};

struct body {
	char *buf;
	size_t len, cap, max;
	bool too_big;
};

struct hdrs {
	long retry_after_s;		/* -1 when absent */
};

static void share_lock(CURL *c, curl_lock_data d, curl_lock_access a, void *u)
{
	struct tfs_http *h = u;

	(void)c;
	(void)a;
	pthread_mutex_lock(&h->share_mu[d]);
}

static void share_unlock(CURL *c, curl_lock_data d, void *u)
{
	struct tfs_http *h = u;

	(void)c;
	pthread_mutex_unlock(&h->share_mu[d]);
}

/* Appends to the capped body; past the cap the transfer is aborted. */
static size_t on_body(char *data, size_t size, size_t n, void *u)
{
	struct body *b = u;
	size_t add = size * n;

	if (add > b->max - b->len) {
		b->too_big = true;
		return 0;
	}
	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *nb;

		while (cap < b->len + add + 1)
			cap *= 2;
		nb = realloc(b->buf, cap);
		if (!nb)
			return 0;
		b->buf = nb;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, add);
	b->len += add;
	b->buf[b->len] = '\0';
	return add;
}

/* Retry-After: delta seconds or an HTTP date. */
static long parse_retry_after(const char *v)
{
	char *end;
	long s = strtol(v, &end, 10);
	struct tm tm;

	if (end != v && (*end == '\0' || *end == '\r' || *end == '\n'))
		return s < 0 ? 0 : s;
	memset(&tm, 0, sizeof(tm));
	if (strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
		long d = (long)(timegm(&tm) - time(NULL));

		return d < 0 ? 0 : d;
	}
	return -1;
}

static size_t on_header(char *data, size_t size, size_t n, void *u)
{
	struct hdrs *h = u;
	size_t len = size * n;
	char line[256];

	if (len < sizeof(line) && strncasecmp(data, "retry-after:", 12) == 0) {
		memcpy(line, data + 12, len - 12);
		line[len - 12] = '\0';
		h->retry_after_s = parse_retry_after(line + strspn(line, " \t"));
	}
	return len;
}

static CURL *handle_get(struct tfs_http *h)
{
	CURL *c = NULL;

	pthread_mutex_lock(&h->mu);
	if (h->npool)
		c = h->pool[--h->npool];
	pthread_mutex_unlock(&h->mu);
	return c ? c : curl_easy_init();
}

static void handle_put(struct tfs_http *h, CURL *c)
{
	pthread_mutex_lock(&h->mu);
	if (h->npool < POOL_MAX) {
		h->pool[h->npool++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&h->mu);
	if (c)
		curl_easy_cleanup(c);
}

struct tfs_http *tfs_http_new(const struct tfs_http_cfg *cfg)
{
	struct tfs_http *h = calloc(1, sizeof(*h));
	size_t alen;

	if (!h)
		return NULL;
	h->tenant = *cfg->tenant;
	h->timeout_s = cfg->timeout_s;
	h->connect_timeout_s = cfg->connect_timeout_s;
	h->retries = cfg->retries;
	h->max_body = cfg->max_body;
	h->debug = cfg->debug;
	h->seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)h;
	alen = strlen(cfg->key) + 32;
	h->auth = malloc(alen);
	h->cafile = cfg->cafile ? strdup(cfg->cafile) : NULL;
	h->share = curl_share_init();
	if (!h->auth || !h->share || (cfg->cafile && !h->cafile)) {
		tfs_http_free(h);
		return NULL;
	}
	snprintf(h->auth, alen, "Authorization: Bearer %s", cfg->key);
	pthread_mutex_init(&h->mu, NULL);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&h->share_mu[i], NULL);
	curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(h->share, CURLSHOPT_USERDATA, h);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	return h;
}

void tfs_http_free(struct tfs_http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	if (h->share)
		curl_share_cleanup(h->share);
	if (h->auth) {
		explicit_bzero(h->auth, strlen(h->auth));
		free(h->auth);
	}
	free(h->cafile);
	free(h);
}

/* The request path, for logs: never the origin's userinfo or any header. */
static const char *url_path(const struct tfs_http *h, const char *url)
{
	return url + strlen(h->tenant.origin);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* One attempt. Returns the HTTP status, or 0 with *cc set on transport
 * failure. */
static long attempt(struct tfs_http *h, CURL *c, const char *url,
		    struct body *b, struct hdrs *hd, CURLcode *cc)
{
	struct curl_slist *hl = NULL, *t;
	long status = 0;

	hl = curl_slist_append(hl, "Accept: application/json");
	pthread_mutex_lock(&h->mu);
	t = hl ? curl_slist_append(hl, h->auth) : NULL;	/* copies it */
	pthread_mutex_unlock(&h->mu);
	if (!t) {
		curl_slist_free_all(hl);	/* libcurl freed nothing: hl is whole */
		*cc = CURLE_OUT_OF_MEMORY;
		return 0;
	}
	hl = t;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tinesfs/" TFS_VERSION);
	curl_easy_setopt(c, CURLOPT_SHARE, h->share);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->connect_timeout_s);
	/* A drip-fed body is a stall: under 1 byte/s for 10 s fails. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 10L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->cafile)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->cafile);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->max_body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, hd);
	*cc = curl_easy_perform(c);
	if (*cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hl);
	return status;
}

static long backoff_ms(struct tfs_http *h, unsigned n)
{
	long cap = BACKOFF_BASE_MS << (n < 6 ? n : 6);
	long r;

	if (cap > BACKOFF_CAP_MS)
		cap = BACKOFF_CAP_MS;
	pthread_mutex_lock(&h->mu);
	r = rand_r(&h->seed) % (cap + 1);	/* full jitter */
	pthread_mutex_unlock(&h->mu);
	return r;
}

int tfs_http_get(struct tfs_http *h, const char *url, char **body, size_t *len)
{
	size_t olen = strlen(h->tenant.origin);
	CURL *c;
	int rc = -EIO;

	/* Only the tenant's own origin ever sees the key. */
	if (strncmp(url, h->tenant.origin, olen) != 0 || url[olen] != '/')
		return -EINVAL;
	c = handle_get(h);
	if (!c)
		return -ENOMEM;
	for (unsigned n = 0;; n++) {
		struct body b = { .max = h->max_body };
		struct hdrs hd = { .retry_after_s = -1 };
		CURLcode cc = CURLE_OK;
		long status = attempt(h, c, url, &b, &hd, &cc);
		long wait;

		pthread_mutex_lock(&h->mu);
		h->stats.requests++;
		h->stats.by_class[status >= 100 && status < 600 ? status / 100 : 0]++;
		h->stats.bytes += b.len;
		pthread_mutex_unlock(&h->mu);
		if (status >= 200 && status < 300) {
			*body = b.buf ? b.buf : strdup("");
			*len = b.len;
			rc = *body ? 0 : -ENOMEM;
			tfs_debug("GET %s: HTTP %ld, %zu bytes", url_path(h, url), status, b.len);
			break;
		}
		free(b.buf);
		if (status == 0 && (b.too_big || cc == CURLE_FILESIZE_EXCEEDED)) {
			tfs_err("GET %s: body larger than %zu bytes, refused",
				url_path(h, url), h->max_body);
			rc = -EIO;
			break;
		}
		if (status)
			tfs_warn("GET %s: HTTP %ld", url_path(h, url), status);
		else
			tfs_warn("GET %s: %s", url_path(h, url), curl_easy_strerror(cc));
		rc = status ? tfs_errno_from_http(status) : tfs_errno_from_curl(cc);
		if (!tfs_http_retryable(status, cc) || n >= h->retries)
			break;
		wait = backoff_ms(h, n);
		if (status == 429 && hd.retry_after_s >= 0)
			wait = (hd.retry_after_s > RETRY_AFTER_CAP_S ? RETRY_AFTER_CAP_S
								   : hd.retry_after_s) * 1000;
		pthread_mutex_lock(&h->mu);
		h->stats.retries++;
		pthread_mutex_unlock(&h->mu);
		sleep_ms(wait);
	}
	handle_put(h, c);
	return rc;
}

void tfs_http_stats(struct tfs_http *h, struct tfs_http_stats *out)
{
	pthread_mutex_lock(&h->mu);
	*out = h->stats;
	pthread_mutex_unlock(&h->mu);
}

int tfs_http_set_key(struct tfs_http *h, const char *key)
{
	size_t alen = strlen(key) + 32;
	char *auth = malloc(alen), *old;

	if (!auth)
		return -ENOMEM;
	snprintf(auth, alen, "Authorization: Bearer %s", key);
	pthread_mutex_lock(&h->mu);
	old = h->auth;
	h->auth = auth;
	pthread_mutex_unlock(&h->mu);
	explicit_bzero(old, strlen(old));
	free(old);
	return 0;
}
