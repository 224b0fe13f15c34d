/*
 * status.c -- the /.tinesfs-status document, and the counting layer that
 * feeds its cache hits and misses; see status.h.
 *
 * The document is built as a json-c tree (json-c escapes the strings) and
 * laid out by jsontext's `jq .` renderer, so it looks like every other
 * file of the mount and its empty containers read `[]`, not json-c's
 * "[\n  ]".
 */
#include "status.h"

#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsontext.h"
#include "router.h"

struct tfs_status {
	struct tfs_status_cfg cfg;
	char *version;
	char origin[sizeof(((struct tfs_tenant *)0)->origin)];
	char host[sizeof(((struct tfs_tenant *)0)->host)];
	int64_t started_mono;
	int64_t started_wall;
	_Atomic uint64_t hits;
	_Atomic uint64_t misses;
	pthread_mutex_t mu;
	uint64_t reloads;		/* mu */
	int64_t last_reload_wall;	/* mu; 0 never */
	char reload_error[512];		/* mu; "" when the last reload read its key */
	bool reload_key_read;		/* mu */
};

static int64_t realtime_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_now(const struct tfs_status *s)
{
	return s->cfg.wall(s->cfg.wall_ctx);
}

struct tfs_status *tfs_status_new(const struct tfs_status_cfg *cfg)
{
	struct tfs_status *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (!s->cfg.wall)
		s->cfg.wall = realtime_ms;
	s->version = strdup(cfg->version ? cfg->version : "");
	if (!s->version) {
		free(s);
		return NULL;
	}
	s->cfg.version = s->version;
	if (cfg->tenant) {
		memcpy(s->origin, cfg->tenant->origin, sizeof(s->origin));
		memcpy(s->host, cfg->tenant->host, sizeof(s->host));
		s->origin[sizeof(s->origin) - 1] = '\0';
		s->host[sizeof(s->host) - 1] = '\0';
	}
	s->cfg.tenant = NULL;
	s->started_mono = cfg->clock(cfg->clock_ctx);
	s->started_wall = wall_now(s);
	pthread_mutex_init(&s->mu, NULL);
	return s;
}

void tfs_status_free(struct tfs_status *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->mu);
	free(s->version);
	free(s);
}

void tfs_status_reloaded(struct tfs_status *s, int key_rc, const char *why)
{
	pthread_mutex_lock(&s->mu);
	s->reloads++;
	s->last_reload_wall = wall_now(s);
	s->reload_key_read = key_rc == 0;
	snprintf(s->reload_error, sizeof(s->reload_error), "%s",
		 key_rc < 0 && why ? why : "");
	pthread_mutex_unlock(&s->mu);
}

void tfs_status_count(struct tfs_status *s, bool hit)
{
	atomic_fetch_add_explicit(hit ? &s->hits : &s->misses, 1, memory_order_relaxed);
}

/* --- rendering --------------------------------------------------------------- */

/* json-c calls that add to a container only fail without memory; one flag
 * collects that instead of a check per line. */
struct doc {
	bool oom;
};

static void put(struct doc *d, json_object *obj, const char *key, json_object *val)
{
	/* A NULL val is JSON null; only a failed add is an error. */
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		d->oom = true;
	}
}

static json_object *num(struct doc *d, int64_t v)
{
	json_object *o = json_object_new_int64(v);

	d->oom |= !o;
	return o;
}

static json_object *u64(struct doc *d, uint64_t v)
{
	return num(d, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

static json_object *str(struct doc *d, const char *v)
{
	json_object *o = json_object_new_string(v);

	d->oom |= !o;
	return o;
}

static json_object *boolean(struct doc *d, bool v)
{
	json_object *o = json_object_new_boolean(v);

	d->oom |= !o;
	return o;
}

/* ms since the epoch as ISO 8601 UTC; null for 0 (never). */
static json_object *when(struct doc *d, int64_t ms)
{
	char buf[40];
	struct tm tm;
	time_t t;

	if (ms <= 0)
		return NULL;
	t = (time_t)(ms / 1000);
	if (!gmtime_r(&t, &tm))
		return NULL;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return str(d, buf);
}

static json_object *errtext(struct doc *d, int neg_errno)
{
	char buf[128];

	if (neg_errno == 0)
		return NULL;
	/* GNU strerror_r: thread-safe, returns the text (maybe not in buf). */
	return str(d, strerror_r(-neg_errno, buf, sizeof(buf)));
}

struct collect {
	struct tfs_listing *listing;
	struct tfs_group_stats *st;
	size_t n, cap;
	bool oom;
};

static void collect_group(void *ctx, struct tfs_group *g)
{
	struct collect *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct tfs_group_stats *st = realloc(c->st, cap * sizeof(*st));

		if (!st) {
			c->oom = true;
			return;
		}
		c->st = st;
		c->cap = cap;
	}
	tfs_group_stats(c->listing, g, &c->st[c->n++]);
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct tfs_group_stats *)a)->id;
	uint64_t y = ((const struct tfs_group_stats *)b)->id;

	return x < y ? -1 : x > y;
}

static json_object *groups_json(struct tfs_status *s, struct doc *d,
				 int64_t mono_to_wall)
{
	struct collect c = { .listing = s->cfg.listing };
	json_object *arr = json_object_new_array();

	if (!arr) {
		d->oom = true;
		return NULL;
	}
	if (s->cfg.listing)
		tfs_listing_each(s->cfg.listing, collect_group, &c);
	d->oom |= c.oom;
	if (c.n)
		qsort(c.st, c.n, sizeof(*c.st), by_id);
	for (size_t i = 0; i < c.n && !d->oom; i++) {
		const struct tfs_group_stats *g = &c.st[i];
		json_object *o = json_object_new_object();

		if (!o || json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			d->oom = true;
			break;
		}
		put(d, o, "id", u64(d, g->id));
		put(d, o, "runs_known", u64(d, g->runs_known));
		put(d, o, "pages_fetched", u64(d, g->pages_fetched));
		put(d, o, "pages", num(d, g->pages_total));
		put(d, o, "complete", boolean(d, g->complete));
		put(d, o, "last_refresh",
		    when(d, g->refreshed_at ? g->refreshed_at + mono_to_wall : 0));
		put(d, o, "last_error", errtext(d, g->last_error));
		put(d, o, "stale", boolean(d, g->stale));
	}
	free(c.st);
	return arr;
}

static json_object *requests_json(struct doc *d, const struct tfs_http_stats *h)
{
	static const char *const names[6] = { "failed", "1xx", "2xx", "3xx", "4xx", "5xx" };
	json_object *o = json_object_new_object();

	if (!o) {
		d->oom = true;
		return NULL;
	}
	put(d, o, "total", u64(d, h->requests));
	for (size_t i = 0; i < 6; i++)
		put(d, o, names[i], u64(d, h->by_class[i]));
	return o;
}

int tfs_status_render(struct tfs_status *s, char **out, size_t *len)
{
	struct tfs_http_stats hs;
	struct doc d = { false };
	json_object *root = json_object_new_object(), *cache, *reload;
	int64_t mono = s->cfg.clock(s->cfg.clock_ctx), wall = wall_now(s);
	const char *text;
	size_t tlen;
	int rc;

	if (!root)
		return -ENOMEM;
	memset(&hs, 0, sizeof(hs));
	if (s->cfg.http)
		tfs_http_stats(s->cfg.http, &hs);
	put(&d, root, "version", str(&d, s->version));
	put(&d, root, "tenant", str(&d, s->origin));
	put(&d, root, "host", str(&d, s->host));
	put(&d, root, "pid", num(&d, (int64_t)getpid()));
	put(&d, root, "started", when(&d, s->started_wall));
	put(&d, root, "uptime_s", num(&d, (mono - s->started_mono) / 1000));
	put(&d, root, "ttl_s", num(&d, s->cfg.ttl_s));
	put(&d, root, "per_page", num(&d, s->cfg.per_page));
	put(&d, root, "tenant_down", boolean(&d, hs.down));
	put(&d, root, "requests", requests_json(&d, &hs));
	put(&d, root, "retries", u64(&d, hs.retries));
	put(&d, root, "bytes_fetched", u64(&d, hs.bytes));
	cache = json_object_new_object();
	d.oom |= !cache;
	put(&d, root, "cache", cache);
	if (cache) {
		put(&d, cache, "hits", u64(&d, atomic_load(&s->hits)));
		put(&d, cache, "misses", u64(&d, atomic_load(&s->misses)));
	}
	reload = json_object_new_object();
	d.oom |= !reload;
	put(&d, root, "reload", reload);
	if (reload) {
		pthread_mutex_lock(&s->mu);
		put(&d, reload, "count", u64(&d, s->reloads));
		put(&d, reload, "last", when(&d, s->last_reload_wall));
		put(&d, reload, "key_reread", boolean(&d, s->reload_key_read));
		put(&d, reload, "error", s->reload_error[0] ? str(&d, s->reload_error) : NULL);
		pthread_mutex_unlock(&s->mu);
	}
	put(&d, root, "groups", groups_json(s, &d, wall - mono));
	if (d.oom) {
		json_object_put(root);
		return -ENOMEM;
	}
	text = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE, &tlen);
	rc = text ? tfs_jt_render(text, tlen, out, len) : -ENOMEM;
	json_object_put(root);
	return rc == -EINVAL ? -EIO : rc;
}

/* --- the counting layer ----------------------------------------------------- */

/* Page fetches this thread has made. A FUSE request runs on one thread
 * from start to reply, so the difference across a call is its own. */
static _Thread_local unsigned long t_fetches;

/* When the FUSE request this thread serves started (CLOCK_MONOTONIC ms), 0
 * outside one. */
static _Thread_local int64_t t_request_ms;

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tfs_status_request_ms(void)
{
	return t_request_ms;
}

int tfs_status_fetch(void *ctx, uint64_t group, unsigned page, unsigned per_page,
		     struct tfs_page *out)
{
	struct tfs_status_fetcher *f = ctx;

	t_fetches++;
	return f->fetch(f->ctx, group, page, per_page, out);
}

/* One session per process: the wrapped table and how to find the status
 * are set once, before the session starts. */
static const struct fuse_lowlevel_ops *inner_ops;
static struct tfs_status *(*inner_status_of)(void *userdata);

static void counted(struct tfs_status *s, unsigned long before)
{
	if (s)
		tfs_status_count(s, t_fetches == before);
}

/* The request is answered (and freed) inside the inner call: everything
 * needed afterwards is read before it. */
#define COUNTED(call)							\
	do {								\
		struct tfs_status *s_ = inner_status_of(fuse_req_userdata(req)); \
		unsigned long f0_ = t_fetches;				\
		t_request_ms = monotonic_ms();				\
		call;							\
		t_request_ms = 0;					\
		counted(s_, f0_);					\
	} while (0)

static void w_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	if (parent == TFS_INO_ROOT && strcmp(name, TFS_STATUS_NAME) == 0)
		inner_ops->lookup(req, parent, name);
	else
		COUNTED(inner_ops->lookup(req, parent, name));
}

static void w_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino == TFS_INO_STATUS)
		inner_ops->getattr(req, ino, fi);
	else
		COUNTED(inner_ops->getattr(req, ino, fi));
}

static void w_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino == TFS_INO_STATUS)
		inner_ops->open(req, ino, fi);
	else
		COUNTED(inner_ops->open(req, ino, fi));
}

/* Without open (FUSE_CAP_NO_OPEN_SUPPORT) a read finds its run in the
 * listing by inode, so it counts like the others. */
static void w_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	if (ino == TFS_INO_STATUS)
		inner_ops->read(req, ino, size, off, fi);
	else
		COUNTED(inner_ops->read(req, ino, size, off, fi));
}

static void w_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	COUNTED(inner_ops->opendir(req, ino, fi));
}

static void w_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	COUNTED(inner_ops->readdir(req, ino, size, off, fi));
}

static void w_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	COUNTED(inner_ops->readdirplus(req, ino, size, off, fi));
}

void tfs_status_wrap_ops(const struct fuse_lowlevel_ops *inner,
			 struct tfs_status *(*status_of)(void *userdata),
			 struct fuse_lowlevel_ops *out)
{
	inner_ops = inner;
	inner_status_of = status_of;
	*out = *inner;
	if (inner->lookup)
		out->lookup = w_lookup;
	if (inner->getattr)
		out->getattr = w_getattr;
	if (inner->open)
		out->open = w_open;
	if (inner->read)
		out->read = w_read;
	if (inner->opendir)
		out->opendir = w_opendir;
	if (inner->readdir)
		out->readdir = w_readdir;
	if (inner->readdirplus)
		out->readdirplus = w_readdirplus;
}
