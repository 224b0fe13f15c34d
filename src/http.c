/* http.c -- libcurl GETs with a handle pool, a body cap and retries. */
#include "http.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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
#define PROBE_FIRST_MS 1000
#define PROBE_MAX_MS 30000

struct tfs_http {
	struct tfs_tenant tenant;
	char *auth;			/* mu; "Authorization: Bearer ..." */
	char *cafile;
	long timeout_s, connect_timeout_s;
	unsigned retries;
	size_t max_body;
	CURLSH *share;
	pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
	pthread_mutex_t mu;		/* guards pool, npool, stats, seed */
	CURL *pool[POOL_MAX];
	size_t npool;
	struct tfs_http_stats stats;
	unsigned seed;
	/* mu: the shared request budget and pauses */
	double tokens, capacity, per_ms;	/* per_ms 0: no limit */
	int64_t tokens_at;
	int64_t pause_until;		/* a 429 told every thread to wait */
	long op_timeout_ms;
	/* mu: circuit breaker */
	bool down;
	char *probe_url;
	bool probe_running;
	pthread_t probe;
	_Atomic bool aborting;
	bool (*abort_fn)(void *ctx);	/* polled: e.g. the FUSE session ended */
	void *abort_ctx;
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

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lets tfs_http_abort stop a transfer that is under way. */
static bool aborted(struct tfs_http *h)
{
	if (!atomic_load(&h->aborting) && h->abort_fn && h->abort_fn(h->abort_ctx))
		atomic_store(&h->aborting, true);
	return atomic_load(&h->aborting);
}

static int on_progress(void *u, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		       curl_off_t un)
{
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return aborted(u) ? 1 : 0;
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
	h->op_timeout_ms = cfg->op_timeout_s * 1000;
	if (cfg->max_rate) {
		h->capacity = h->tokens = cfg->max_rate;
		h->per_ms = cfg->max_rate / 60000.0;
	}
	h->tokens_at = mono_ms();
	atomic_init(&h->aborting, false);
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
	tfs_http_abort(h);
	if (h->probe_running)
		pthread_join(h->probe, NULL);
	free(h->probe_url);
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
		    long timeout_ms, struct body *b, struct hdrs *hd, CURLcode *cc)
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
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 h->connect_timeout_s * 1000 < timeout_ms ? h->connect_timeout_s * 1000
								  : timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
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

/* Wait, without holding mu, until `until` (monotonic ms) or an abort.
 * Returns false on abort. */
static bool wait_until(struct tfs_http *h, int64_t until)
{
	for (;;) {
		int64_t left = until - mono_ms();

		if (aborted(h))
			return false;
		if (left <= 0)
			return true;
		sleep_ms(left < 100 ? left : 100);
	}
}

/* Take one request from the shared budget, waiting for it (and for any
 * 429 pause) as long as the deadline allows. Returns 0, -EIO when the
 * deadline would pass first, or -EINTR on abort. */
static int take_token(struct tfs_http *h, int64_t deadline)
{
	for (;;) {
		int64_t now = mono_ms(), ready;

		pthread_mutex_lock(&h->mu);
		if (h->per_ms > 0) {
			h->tokens += (double)(now - h->tokens_at) * h->per_ms;
			if (h->tokens > h->capacity)
				h->tokens = h->capacity;
		}
		h->tokens_at = now;
		ready = h->pause_until > now ? h->pause_until : now;
		if (ready == now && (h->per_ms == 0 || h->tokens >= 1)) {
			if (h->per_ms > 0)
				h->tokens -= 1;
			pthread_mutex_unlock(&h->mu);
			return 0;
		}
		if (ready == now)
			ready = now + (int64_t)((1 - h->tokens) / h->per_ms) + 1;
		pthread_mutex_unlock(&h->mu);
		if (deadline && ready > deadline)
			return -EIO;
		if (!wait_until(h, ready))
			return -EINTR;
	}
}

struct outcome {
	long status;
	CURLcode cc;
	long retry_after_s;
	bool too_big;
};

/* One attempt, counted in the stats. On 2xx hands over the body. */
static void one_attempt(struct tfs_http *h, CURL *c, const char *url,
			long timeout_ms, struct outcome *o, char **body, size_t *len)
{
	struct body b = { .max = h->max_body };
	struct hdrs hd = { .retry_after_s = -1 };

	o->cc = CURLE_OK;
	o->status = attempt(h, c, url, timeout_ms, &b, &hd, &o->cc);
	o->retry_after_s = hd.retry_after_s;
	o->too_big = b.too_big || o->cc == CURLE_FILESIZE_EXCEEDED;
	pthread_mutex_lock(&h->mu);
	h->stats.requests++;
	h->stats.by_class[o->status >= 100 && o->status < 600 ? o->status / 100 : 0]++;
	h->stats.bytes += b.len;
	pthread_mutex_unlock(&h->mu);
	if (o->status >= 200 && o->status < 300) {
		*body = b.buf ? b.buf : strdup("");
		*len = b.len;
	} else {
		free(b.buf);
	}
}

/* Background probe while the tenant is down: one attempt at the last
 * failing URL at growing intervals, until it answers at all (any HTTP
 * status means the tenant is reachable again). */
static void *probe_main(void *u)
{
	struct tfs_http *h = u;
	long interval = PROBE_FIRST_MS;
	CURL *c = curl_easy_init();

	while (c && wait_until(h, mono_ms() + interval)) {
		struct outcome o;
		char *body = NULL, *url;
		size_t len;

		pthread_mutex_lock(&h->mu);
		url = strdup(h->probe_url);
		pthread_mutex_unlock(&h->mu);
		if (!url || take_token(h, 0) != 0) {
			free(url);
			break;
		}
		one_attempt(h, c, url, h->timeout_s * 1000, &o, &body, &len);
		free(body);
		if (o.status != 0 && o.status < 500) {
			pthread_mutex_lock(&h->mu);
			h->down = false;
			pthread_mutex_unlock(&h->mu);
			tfs_info("GET %s: the tenant answers again (HTTP %ld)", url_path(h, url),
				 o.status);
			free(url);
			break;
		}
		free(url);
		interval = interval * 2 > PROBE_MAX_MS ? PROBE_MAX_MS : interval * 2;
	}
	if (c)
		curl_easy_cleanup(c);
	return NULL;
}

/* Called after a GET failed for good with a transport error or 5xx. */
static void mark_down(struct tfs_http *h, const char *url, const char *why)
{
	char *copy = strdup(url);

	pthread_mutex_lock(&h->mu);
	if (h->down || !copy || atomic_load(&h->aborting)) {
		pthread_mutex_unlock(&h->mu);
		free(copy);
		return;
	}
	h->down = true;
	free(h->probe_url);
	h->probe_url = copy;
	if (h->probe_running) {
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->probe, NULL);	/* a finished probe */
		pthread_mutex_lock(&h->mu);
		h->probe_running = false;
	}
	h->probe_running = pthread_create(&h->probe, NULL, probe_main, h) == 0;
	pthread_mutex_unlock(&h->mu);
	tfs_err("GET %s: the tenant is unreachable (%s); serving cached data, probing in the "
		"background", url_path(h, url), why);
}

int tfs_http_get(struct tfs_http *h, const char *url, char **body, size_t *len)
{
	size_t olen = strlen(h->tenant.origin);
	int64_t deadline = h->op_timeout_ms ? mono_ms() + h->op_timeout_ms : 0;
	bool down;
	CURL *c;
	int rc = -EIO;

	/* Only the tenant's own origin ever sees the key. */
	if (strncmp(url, h->tenant.origin, olen) != 0 || url[olen] != '/')
		return -EINVAL;
	if (aborted(h))
		return -EINTR;
	pthread_mutex_lock(&h->mu);
	down = h->down;
	pthread_mutex_unlock(&h->mu);
	if (down)
		return -EIO;
	c = handle_get(h);
	if (!c)
		return -ENOMEM;
	for (unsigned n = 0;; n++) {
		long timeout_ms = h->timeout_s * 1000, wait;
		struct outcome o;

		rc = take_token(h, deadline);
		if (rc != 0) {
			if (rc == -EIO)
				tfs_warn("GET %s: the operation's time bound ran out waiting for the "
					 "request budget", url_path(h, url));
			break;
		}
		if (deadline) {
			long left = (long)(deadline - mono_ms());

			if (left < timeout_ms)
				timeout_ms = left < 1 ? 1 : left;
		}
		one_attempt(h, c, url, timeout_ms, &o, body, len);
		if (o.status >= 200 && o.status < 300) {
			rc = *body ? 0 : -ENOMEM;
			tfs_debug("GET %s: HTTP %ld, %zu bytes", url_path(h, url), o.status, *len);
			break;
		}
		if (aborted(h)) {
			rc = -EINTR;
			break;
		}
		if (o.status == 0 && o.too_big) {
			tfs_err("GET %s: body larger than %zu bytes, refused",
				url_path(h, url), h->max_body);
			rc = -EIO;
			break;
		}
		if (o.status)
			tfs_warn("GET %s: HTTP %ld", url_path(h, url), o.status);
		else
			tfs_warn("GET %s: %s", url_path(h, url), curl_easy_strerror(o.cc));
		rc = o.status ? tfs_errno_from_http(o.status) : tfs_errno_from_curl(o.cc);
		if (!tfs_http_retryable(o.status, o.cc) || n >= h->retries) {
			if (tfs_http_retryable(o.status, o.cc) && o.status != 429)
				mark_down(h, url, o.status ? "HTTP 5xx" : curl_easy_strerror(o.cc));
			break;
		}
		wait = backoff_ms(h, n);
		if (o.status == 429) {
			long ra = o.retry_after_s >= 0 ? o.retry_after_s : 1;

			wait = (ra > RETRY_AFTER_CAP_S ? RETRY_AFTER_CAP_S : ra) * 1000;
			/* The limit is per key and address: every thread slows. */
			pthread_mutex_lock(&h->mu);
			if (mono_ms() + wait > h->pause_until)
				h->pause_until = mono_ms() + wait;
			pthread_mutex_unlock(&h->mu);
		}
		if (deadline && mono_ms() + wait >= deadline) {
			tfs_warn("GET %s: giving up, the operation's time bound would pass",
				 url_path(h, url));
			break;
		}
		pthread_mutex_lock(&h->mu);
		h->stats.retries++;
		pthread_mutex_unlock(&h->mu);
		if (!wait_until(h, mono_ms() + wait)) {
			rc = -EINTR;
			break;
		}
	}
	handle_put(h, c);
	return rc;
}

void tfs_http_abort(struct tfs_http *h)
{
	atomic_store(&h->aborting, true);
}

void tfs_http_set_abort(struct tfs_http *h, bool (*fn)(void *ctx), void *ctx)
{
	h->abort_ctx = ctx;
	h->abort_fn = fn;
}

void tfs_http_stats(struct tfs_http *h, struct tfs_http_stats *out)
{
	pthread_mutex_lock(&h->mu);
	*out = h->stats;
	out->down = h->down;
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
