/* listing.c -- generations of a group's run list; see listing.h. */
#include "listing.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "log.h"
#include "router.h"

enum group_state { G_UNKNOWN, G_OK, G_MISSING };

/* A page asked ahead of the walk by a readahead worker. */
enum pre_state { PRE_INFLIGHT, PRE_READY, PRE_FAILED };
struct pre {
	unsigned page;
	enum pre_state state;
	struct tfs_page p;		/* PRE_READY */
};

struct job {
	struct tfs_group *g;
	struct tfs_gen *gen;		/* holds a reference */
	unsigned page;
	struct job *next;
};

struct tfs_gen {
	int refs;			/* g->mu */
	int64_t born;			/* when its page 1 was asked */
	struct tfs_run **runs;		/* walk order, no guid twice */
	size_t n, cap;
	size_t *slots;			/* open addressing: index + 1, 0 empty */
	size_t nslots;
	/* The walk's cursor: runs at list positions [0, covered) have all
	 * been seen, counted in the frame of `count` (meta.count of the last
	 * page), with the server's own page size per_page. */
	int64_t covered;
	int64_t count;
	int64_t per_page;
	/* A page read past the cursor (runs slid by unseen before it): its
	 * positions, in the same frame, until a bridging read joins it. */
	bool island;
	int64_t island_start, island_end;
	int64_t drift;			/* largest |count change| between pages */
	unsigned stalls;		/* fetches in a row that made no progress */
	struct pre *pre;		/* pages read ahead, not yet consumed */
	size_t npre, cappre;
	unsigned pages_fetched;
	int64_t pages_total;
	bool complete;
	bool fetching;			/* a fetch for the cursor's page is under way */
	int64_t head_mtime;		/* newest mtime on its page 1 */
	uint64_t serial;		/* which generation: for the kernel's caches */
	struct tfs_gen *prev;		/* the one it replaces, until complete */
	size_t bytes;			/* memory its runs take */
};

struct tfs_group {
	uint64_t id;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tfs_gen *cur;		/* mu */
	bool starting;			/* mu: a thread is fetching a new page 1 */
	enum group_state state;		/* mu */
	int64_t state_at;		/* mu */
	bool named;
	uint64_t kernel_serial;		/* mu: generation the kernel last cached */
	int64_t last_used;		/* mu: clock of the last access */
	int last_error;			/* mu */
	bool stale;			/* mu: cur is served past its TTL */
	int64_t stale_until;		/* mu: when to ask the API again */
	struct tfs_group *next;		/* listing mu */
};

struct tfs_listing {
	struct tfs_listing_cfg cfg;
	pthread_mutex_t mu;
	struct tfs_group *groups;	/* mu; newest first, never removed */
	uint64_t *named;
	/* readahead: cfg.readahead workers fetch queued pages */
	pthread_mutex_t qmu;
	pthread_cond_t qcv;
	struct job *qhead, *qtail;	/* qmu */
	bool stopping;			/* qmu */
	pthread_t *workers;
	size_t nworkers;
};

void tfs_run_get(struct tfs_run *r)
{
	atomic_fetch_add_explicit((_Atomic int *)&r->refs, 1, memory_order_relaxed);
}

void tfs_run_put(struct tfs_run *r)
{
	if (!r || atomic_fetch_sub_explicit((_Atomic int *)&r->refs, 1,
					    memory_order_acq_rel) != 1)
		return;
	free(r);	/* guid and bytes live in the same block */
}

static int64_t now(struct tfs_listing *l)
{
	return l->cfg.clock(l->cfg.clock_ctx);
}

static struct tfs_gen *gen_new(int64_t born)
{
	static _Atomic uint64_t serials;
	struct tfs_gen *gen = calloc(1, sizeof(*gen));

	if (!gen)
		return NULL;
	gen->serial = atomic_fetch_add(&serials, 1) + 1;
	gen->born = born;
	gen->refs = 1;
	return gen;
}

static void gen_unref(struct tfs_gen *gen);

static void gen_free(struct tfs_gen *gen)
{
	for (size_t i = 0; i < gen->n; i++)
		tfs_run_put(gen->runs[i]);
	if (gen->prev)
		gen_unref(gen->prev);
	for (size_t i = 0; i < gen->npre; i++)
		tfs_page_free(&gen->pre[i].p);
	free(gen->pre);
	free(gen->runs);
	free(gen->slots);
	free(gen);
}

static void gen_unref(struct tfs_gen *gen)
{
	if (gen && --gen->refs == 0)
		gen_free(gen);
}

static ssize_t gen_index(const struct tfs_gen *gen, uint64_t ino,
			 const char *guid, size_t len)
{
	if (!gen->nslots)
		return -1;
	for (size_t s = ino & (gen->nslots - 1);; s = (s + 1) & (gen->nslots - 1)) {
		size_t v = gen->slots[s];
		const struct tfs_run *r;

		if (v == 0)
			return -1;
		r = gen->runs[v - 1];
		if (r->ino == ino && r->guid_len == len && memcmp(r->guid, guid, len) == 0)
			return (ssize_t)(v - 1);
	}
}

static void slot_put(size_t *slots, size_t nslots, uint64_t ino, size_t v)
{
	size_t s = ino & (nslots - 1);

	while (slots[s])
		s = (s + 1) & (nslots - 1);
	slots[s] = v;
}

static int gen_reserve(struct tfs_gen *gen, size_t more)
{
	size_t need = gen->n + more;

	if (need > gen->cap) {
		size_t cap = gen->cap ? gen->cap : 64;
		struct tfs_run **runs;

		while (cap < need)
			cap *= 2;
		runs = realloc(gen->runs, cap * sizeof(*runs));
		if (!runs)
			return -ENOMEM;
		gen->runs = runs;
		gen->cap = cap;
	}
	if (need * 2 > gen->nslots) {
		size_t nslots = gen->nslots ? gen->nslots : 128;
		size_t *slots;

		while (need * 2 > nslots)
			nslots *= 2;
		slots = calloc(nslots, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < gen->n; i++)
			slot_put(slots, nslots, gen->runs[i]->ino, i + 1);
		free(gen->slots);
		gen->slots = slots;
		gen->nslots = nslots;
	}
	return 0;
}

static size_t run_size(const struct tfs_run *r)
{
	return sizeof(*r) + r->len + r->guid_len + 2 + 3 * sizeof(size_t);
}

/* One block per run: the struct, its bytes and its guid, so a cached run
 * costs its content plus a few dozen bytes (no json-c tree, no separate
 * allocations). NULL without memory or for a run too large to serve. */
static struct tfs_run *run_new(uint64_t group, const struct tfs_page_run *pr)
{
	struct tfs_run *r;

	if (pr->len > UINT32_MAX || pr->guid_len > UINT16_MAX)
		return NULL;
	r = malloc(sizeof(*r) + pr->len + 1 + pr->guid_len + 1);
	if (!r)
		return NULL;
	r->ino = tfs_ino_run(group, pr->guid, pr->guid_len);
	r->mtime = pr->mtime;
	r->len = (uint32_t)pr->len;
	r->guid_len = (uint16_t)pr->guid_len;
	r->finished = pr->finished;
	r->refs = 1;
	r->bytes = (char *)(r + 1);
	memcpy(r->bytes, pr->bytes, pr->len);
	r->bytes[pr->len] = '\0';
	r->guid = r->bytes + pr->len + 1;
	memcpy(r->guid, pr->guid, pr->guid_len);
	r->guid[pr->guid_len] = '\0';
	return r;
}

/* Tell the listing's owner when r, a version of run o, has other bytes. */
static void report_change(struct tfs_listing *l, const struct tfs_run *o,
			  const struct tfs_run *r)
{
	if (l->cfg.on_changed && o != r &&
	    (o->len != r->len || memcmp(o->bytes, r->bytes, r->len) != 0))
		l->cfg.on_changed(l->cfg.changed_ctx, r->ino);
}

/* Report r if it replaces a different version of itself from gen's
 * predecessor. */
static void note_change(struct tfs_listing *l, const struct tfs_gen *gen,
			const struct tfs_run *r)
{
	ssize_t at;

	if (!gen->prev)
		return;
	at = gen_index(gen->prev, r->ino, r->guid, r->guid_len);
	if (at >= 0)
		report_change(l, gen->prev->runs[at], r);
}

/* Append a page's runs, skipping guids already in the generation (a run
 * that slid across a page boundary while the list moved). */
static int gen_merge(struct tfs_listing *l, struct tfs_gen *gen, uint64_t group,
		     struct tfs_page *p)
{
	int rc = gen_reserve(gen, p->nruns);

	if (rc)
		return rc;
	for (size_t i = 0; i < p->nruns; i++) {
		struct tfs_page_run *pr = &p->runs[i];
		uint64_t ino = tfs_ino_run(group, pr->guid, pr->guid_len);
		struct tfs_run *r;

		if (gen_index(gen, ino, pr->guid, pr->guid_len) >= 0)
			continue;
		r = run_new(group, pr);
		if (!r)
			return -ENOMEM;
		gen->bytes += run_size(r);
		gen->runs[gen->n++] = r;
		slot_put(gen->slots, gen->nslots, ino, gen->n);
		note_change(l, gen, r);
	}
	return 0;
}

/* Whether the page just merged was the last one. The walk trusts what the
 * pages hold: an empty page or one shorter than the server's own per_page
 * ends it; a full page ends it only when meta agrees that nothing follows. */
static bool page_is_last(const struct tfs_page *p, unsigned page)
{
	size_t items = p->nruns + p->skipped;

	if (items == 0 || (int64_t)items < p->per_page)
		return true;
	return p->next_page_number < 0 && (int64_t)page * p->per_page >= p->count;
}

/* Fetches in a row that add nothing before the walk is declared broken:
 * a server that keeps moving or lying must not make it run forever. */
#define MAX_STALLS 8

/*
 * Account for one page in the walk's cursor; see doc/design.md.
 *
 * The list is paged by position, newest first, and moves while we walk
 * it: runs arriving at the front push every later page back (the next
 * page repeats runs we have: deduplicated), runs deleted ahead of the
 * cursor pull later pages forward (the next page would skip runs). Both
 * show as meta.count moving. The cursor is carried into the new frame by
 * that difference; a page that starts past it means runs slid by
 * unseen, so the cursor stays put and the next fetch re-reads the page
 * that now holds them. Expiry at the old end also lowers count: that only
 * costs a re-read, never a run.
 */
static void walk_advance(struct tfs_gen *gen, const struct tfs_page *p,
			 unsigned page, bool standard, bool *contiguous)
{
	int64_t per = p->per_page > 0 ? p->per_page : gen->per_page;
	int64_t start = (int64_t)(page - 1) * per;
	int64_t end = start + (int64_t)(p->nruns + p->skipped);
	int64_t delta = gen->pages_fetched > 0 ? p->count - gen->count : 0;

	gen->covered = gen->covered + delta < 0 ? 0 : gen->covered + delta;
	if (gen->island) {
		gen->island_start += delta;
		gen->island_end += delta;
	}
	if ((delta < 0 ? -delta : delta) > gen->drift)
		gen->drift = delta < 0 ? -delta : delta;
	*contiguous = start <= gen->covered;
	if (*contiguous) {
		if (end > gen->covered)
			gen->covered = end;
		if (gen->island && gen->covered >= gen->island_start) {
			if (gen->island_end > gen->covered)
				gen->covered = gen->island_end;
			gen->island = false;
		}
	} else if (!gen->island || start < gen->island_start) {
		/* Keep the island nearest the cursor; runs of any other
		 * page are merged anyway, only not counted as covered. */
		gen->island = true;
		gen->island_start = start;
		gen->island_end = end;
	} else if (start <= gen->island_end && end > gen->island_end) {
		gen->island_end = end;
	}
	gen->count = p->count;
	/* Page numbers of the walk count in the server's size for the pages
	 * we ask normally; a bridging window's own size must not leak in. */
	if (standard)
		gen->per_page = per;
}

/* The page that holds the cursor, in the server's page size. */
static unsigned cursor_page(const struct tfs_gen *gen)
{
	return (unsigned)(gen->covered / gen->per_page) + 1;
}

/* The page to ask next, and its size (0: the configured one). Normally
 * the page holding the cursor. With an island ahead, one aligned window
 * of the smallest size that spans from a little before the cursor to a
 * little past the island's start, so that the runs which slid between
 * them are read in one request even if the list moves again meanwhile;
 * re-reading whole pages instead would chase the shift forever. */
static unsigned next_window(const struct tfs_gen *gen, unsigned *per_page)
{
	int64_t margin = 2 * gen->drift + 1, lo, hi;

	*per_page = 0;
	if (gen->per_page <= 0)
		return 1;
	if (!gen->island)
		return cursor_page(gen);
	lo = gen->covered - margin < 0 ? 0 : gen->covered - margin;
	hi = gen->island_start + margin;
	for (int64_t q = hi - lo; q <= 500; q++) {
		if (q > 0 && lo / q == (hi - 1) / q) {
			*per_page = (unsigned)q;
			return (unsigned)(lo / q) + 1;
		}
	}
	*per_page = 500;
	return (unsigned)(lo / 500) + 1;
}

static struct pre *pre_find(struct tfs_gen *gen, unsigned page)
{
	for (size_t i = 0; i < gen->npre; i++)
		if (gen->pre[i].page == page)
			return &gen->pre[i];
	return NULL;
}

static void pre_remove(struct tfs_gen *gen, struct pre *s)
{
	*s = gen->pre[--gen->npre];
}

/* Queue readahead for the pages from the cursor's on, up to cfg.readahead
 * ahead of it, that are neither read nor asked yet. g->mu held. Only a
 * listing reads ahead (opendir, readdir): a lookup walks page by page and
 * stops at the page that holds its run. */
static void schedule_readahead(struct tfs_listing *l, struct tfs_group *g,
			       struct tfs_gen *gen)
{
	unsigned first, last;

	if (!l->nworkers || gen->complete || gen->island || gen->per_page <= 0)
		return;
	first = cursor_page(gen);
	last = first + l->cfg.readahead - 1;
	if (gen->pages_total > 0 && last > gen->pages_total)
		last = (unsigned)gen->pages_total;
	for (unsigned page = first; page <= last; page++) {
		struct job *j;

		if (pre_find(gen, page))
			continue;
		if (gen->npre == gen->cappre) {
			size_t cap = gen->cappre ? gen->cappre * 2 : 8;
			struct pre *np = realloc(gen->pre, cap * sizeof(*np));

			if (!np)
				return;
			gen->pre = np;
			gen->cappre = cap;
		}
		j = calloc(1, sizeof(*j));
		if (!j)
			return;
		gen->pre[gen->npre++] = (struct pre){ .page = page, .state = PRE_INFLIGHT };
		gen->refs++;
		*j = (struct job){ .g = g, .gen = gen, .page = page };
		pthread_mutex_lock(&l->qmu);
		if (l->qtail)
			l->qtail->next = j;
		else
			l->qhead = j;
		l->qtail = j;
		pthread_cond_signal(&l->qcv);
		pthread_mutex_unlock(&l->qmu);
	}
}

static void *readahead_main(void *u)
{
	struct tfs_listing *l = u;

	for (;;) {
		struct tfs_page p;
		struct job *j;
		struct pre *s;
		int rc;

		pthread_mutex_lock(&l->qmu);
		while (!l->qhead && !l->stopping)
			pthread_cond_wait(&l->qcv, &l->qmu);
		j = l->qhead;
		if (j) {
			l->qhead = j->next;
			if (!l->qhead)
				l->qtail = NULL;
		}
		pthread_mutex_unlock(&l->qmu);
		if (!j)
			return NULL;
		rc = l->cfg.fetch(l->cfg.fetch_ctx, j->g->id, j->page, 0, &p);
		pthread_mutex_lock(&j->g->mu);
		s = pre_find(j->gen, j->page);
		if (s && s->state == PRE_INFLIGHT) {
			s->state = rc == 0 ? PRE_READY : PRE_FAILED;
			if (rc == 0)
				s->p = p;
		} else if (rc == 0) {
			tfs_page_free(&p);
		}
		pthread_cond_broadcast(&j->g->cv);
		gen_unref(j->gen);
		pthread_mutex_unlock(&j->g->mu);
		free(j);
	}
}

/* Account for page `page` in gen: merge its runs and move the cursor.
 * g->mu held. */
static int gen_consume(struct tfs_listing *l, struct tfs_group *g, struct tfs_gen *gen,
		       struct tfs_page *p, unsigned page, bool standard)
{
	size_t before = gen->n;
	int64_t covered_before = gen->covered;
	bool contiguous;
	int rc;

	if (p->skipped)
		tfs_warn("group %llu page %u: skipped %zu run(s) without a usable guid",
			 (unsigned long long)g->id, page, p->skipped);
	rc = gen_merge(l, gen, g->id, p);
	if (rc != 0)
		return rc;
	if (page == 1 && standard) {
		/* Directory mtimes come from the newest page only, so they do
		 * not move while the rest of the list is walked. */
		for (size_t i = 0; i < p->nruns; i++)
			if (p->runs[i].mtime > gen->head_mtime)
				gen->head_mtime = p->runs[i].mtime;
	}
	walk_advance(gen, p, page, standard, &contiguous);
	gen->pages_fetched++;
	gen->pages_total = p->pages;
	gen->complete = contiguous && !gen->island && page_is_last(p, page);
	if (gen->complete && gen->prev) {
		gen_unref(gen->prev);	/* every run compared: let it go */
		gen->prev = NULL;
	}
	if (!contiguous)
		tfs_debug("group %llu page %u: the list moved under the walk; re-reading",
			  (unsigned long long)g->id, page);
	if (gen->n > before || gen->covered > covered_before || gen->complete) {
		gen->stalls = 0;
	} else if (++gen->stalls >= MAX_STALLS) {
		tfs_err("group %llu: the listing keeps moving or contradicts itself; "
			"giving up at page %u", (unsigned long long)g->id, page);
		gen->stalls = 0;
		return -EIO;
	}
	return 0;
}

/* Advance gen's walk by one page: the one holding its cursor. Called and
 * returns with g->mu held; drops it for a request. Returns 0 when the
 * caller should look again (progress was made, or another thread's
 * request for that page finished): one request per page, whoever asks. */
static int gen_fetch_next(struct tfs_listing *l, struct tfs_group *g,
			  struct tfs_gen *gen)
{
	struct tfs_page p;
	unsigned page, per_page;
	struct pre *s;
	int rc;

	if (gen->fetching) {
		while (gen->fetching)
			pthread_cond_wait(&g->cv, &g->mu);
		return 0;
	}
	page = next_window(gen, &per_page);
	s = per_page == 0 ? pre_find(gen, page) : NULL;
	if (s && s->state == PRE_INFLIGHT) {
		pthread_cond_wait(&g->cv, &g->mu);
		return 0;
	}
	if (s && s->state == PRE_READY) {
		p = s->p;
		pre_remove(gen, s);
		rc = gen_consume(l, g, gen, &p, page, true);
		tfs_page_free(&p);
		g->last_error = rc;
		pthread_cond_broadcast(&g->cv);
		return rc;
	}
	if (s)
		pre_remove(gen, s);	/* failed ahead: ask again, now */
	gen->fetching = true;
	gen->refs++;
	pthread_mutex_unlock(&g->mu);
	rc = l->cfg.fetch(l->cfg.fetch_ctx, g->id, page, per_page, &p);
	pthread_mutex_lock(&g->mu);
	if (rc == 0) {
		rc = gen_consume(l, g, gen, &p, page, per_page == 0);
		tfs_page_free(&p);
	}
	g->last_error = rc;
	gen->fetching = false;
	pthread_cond_broadcast(&g->cv);
	gen_unref(gen);
	return rc;
}

static bool fresh(struct tfs_listing *l, int64_t since)
{
	return now(l) - since < l->cfg.ttl_ms;
}

/* Replace the run with r's guid in gen by r (a newer version). */
static void gen_replace(struct tfs_listing *l, struct tfs_gen *gen, struct tfs_run *r)
{
	ssize_t at = gen_index(gen, r->ino, r->guid, r->guid_len);

	if (at >= 0) {
		report_change(l, gen->runs[at], r);
		tfs_run_get(r);
		tfs_run_put(gen->runs[at]);
		gen->runs[at] = r;
	}
}

/*
 * Cheap refresh. gen holds only page 1 of a refresh; old is the previous
 * generation. If page 1 shows old's newest run after j new ones and
 * meta.count grew by exactly j, nothing else changed (the list only grows
 * at the front), so old's runs are appended as they are (shared, not
 * copied) and the cursor moves on by j: one request instead of a walk.
 * Runs still in progress are then re-read from the pages that now hold
 * them. When count says more changed (expiry at the end, deletions), the
 * new generation is walked as usual. g->mu held; may drop it to fetch.
 */
static void try_splice(struct tfs_listing *l, struct tfs_group *g,
		       struct tfs_gen *gen, struct tfs_gen *old)
{
	size_t j, page1 = gen->n, unfinished_pages = 0;
	unsigned last_page = 0;

	if (!old || old->n == 0 || old->island || gen->island || gen->complete ||
	    old->per_page != gen->per_page || gen->per_page <= 0)
		return;
	for (j = 0; j < page1; j++)
		if (gen->runs[j]->ino == old->runs[0]->ino &&
		    strcmp(gen->runs[j]->guid, old->runs[0]->guid) == 0)
			break;
	if (j == page1 || gen->count != old->count + (int64_t)j ||
	    gen_reserve(gen, old->n) != 0)
		return;
	for (size_t i = 0; i < old->n; i++) {
		struct tfs_run *r = old->runs[i];

		if (gen_index(gen, r->ino, r->guid, r->guid_len) >= 0)
			continue;
		tfs_run_get(r);
		gen->bytes += run_size(r);
		gen->runs[gen->n++] = r;
		slot_put(gen->slots, gen->nslots, r->ino, gen->n);
	}
	gen->covered = old->covered + (int64_t)j;
	gen->complete = old->complete;
	gen->pages_total = (gen->count + gen->per_page - 1) / gen->per_page;
	tfs_debug("group %llu: refreshed with %zu new run(s) from page 1",
		  (unsigned long long)g->id, j);
	/* Runs in progress past page 1: re-read the pages that hold them. */
	for (size_t i = page1; i < gen->n && unfinished_pages < 16; i++) {
		unsigned page = (unsigned)((int64_t)i / gen->per_page) + 1;
		struct tfs_page p;

		if (gen->runs[i]->finished || page == last_page)
			continue;
		last_page = page;
		unfinished_pages++;
		gen->fetching = true;
		gen->refs++;
		pthread_mutex_unlock(&g->mu);
		if (l->cfg.fetch(l->cfg.fetch_ctx, g->id, page, 0, &p) == 0) {
			pthread_mutex_lock(&g->mu);
			for (size_t k = 0; k < p.nruns; k++) {
				struct tfs_run *r = run_new(g->id, &p.runs[k]);

				if (!r)
					continue;
				gen_replace(l, gen, r);
				tfs_run_put(r);
			}
			tfs_page_free(&p);
		} else {
			pthread_mutex_lock(&g->mu);
		}
		gen->fetching = false;
		pthread_cond_broadcast(&g->cv);
		gen_unref(gen);
	}
}

/* After a failed refresh, how long the old generation is served as it is
 * before the API is asked again: an outage must not cost every operation
 * retries x timeout. */
#define STALE_RETRY_MS 5000

/* The current generation, fresh and with page 1, or an error. Called and
 * returns with g->mu held. A 404 is remembered for the TTL. When a refresh
 * fails for any reason but 401/403/404, the generation already known is
 * served past its TTL (stale, never deleted) and the API is asked again
 * after STALE_RETRY_MS. */
static int group_current(struct tfs_listing *l, struct tfs_group *g,
			 struct tfs_gen **out)
{
	g->last_used = now(l);
	for (;;) {
		struct tfs_gen *gen;
		int rc;

		if (g->cur && fresh(l, g->cur->born)) {
			*out = g->cur;
			return 0;
		}
		if (g->cur && g->stale && now(l) < g->stale_until) {
			*out = g->cur;
			return 0;
		}
		if (g->state == G_MISSING && fresh(l, g->state_at))
			return -ENOENT;
		if (g->starting) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		gen = gen_new(now(l));
		if (!gen)
			return -ENOMEM;
		if (g->cur) {
			gen->prev = g->cur;	/* to see which runs changed */
			g->cur->refs++;
			if (g->cur->prev) {	/* no chains of old generations */
				gen_unref(g->cur->prev);
				g->cur->prev = NULL;
			}
		}
		g->starting = true;
		rc = gen_fetch_next(l, g, gen);
		if (rc == 0 && g->cur)
			try_splice(l, g, gen, g->cur);
		g->starting = false;
		pthread_cond_broadcast(&g->cv);
		if (rc != 0) {
			gen_unref(gen);
			if (rc == -ENOENT) {
				g->state = G_MISSING;
				g->state_at = now(l);
			} else if (g->cur && rc != -EACCES) {
				if (!g->stale)
					tfs_warn("group %llu: the API is failing; serving what was "
						 "seen before, stale", (unsigned long long)g->id);
				g->stale = true;
				g->stale_until = now(l) + STALE_RETRY_MS;
				continue;
			}
			return rc;
		}
		if (g->stale)
			tfs_info("group %llu: the API answers again; fresh data from now on",
				 (unsigned long long)g->id);
		g->stale = false;
		g->state = G_OK;
		gen_unref(g->cur);
		g->cur = gen;
		/* Fresh by construction, even when the TTL is 0 or shorter than
		 * the request took: checking again would fetch forever. */
		*out = gen;
		return 0;
	}
}

/* Keep the listings' memory under cfg.max_cache: drop whole current
 * generations, least recently used first, never the caller's own. A
 * dropped listing is walked again when next needed; open directory
 * handles keep theirs. Takes l->mu then each g->mu (the lock order). */
static void maybe_evict(struct tfs_listing *l, struct tfs_group *keep)
{
	if (!l->cfg.max_cache)
		return;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		struct tfs_group *victim = NULL;
		int64_t oldest = INT64_MAX;
		size_t total = 0;

		for (struct tfs_group *g = l->groups; g; g = g->next) {
			pthread_mutex_lock(&g->mu);
			if (g->cur) {
				total += g->cur->bytes;
				if (g != keep && g->last_used < oldest) {
					oldest = g->last_used;
					victim = g;
				}
			}
			pthread_mutex_unlock(&g->mu);
		}
		if (total <= l->cfg.max_cache || !victim)
			break;
		pthread_mutex_lock(&victim->mu);
		tfs_debug("group %llu: listing evicted from the cache",
			  (unsigned long long)victim->id);
		gen_unref(victim->cur);
		victim->cur = NULL;
		victim->stale = false;
		pthread_mutex_unlock(&victim->mu);
	}
	pthread_mutex_unlock(&l->mu);
}

struct tfs_listing *tfs_listing_new(const struct tfs_listing_cfg *cfg)
{
	struct tfs_listing *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->cfg = *cfg;
	pthread_mutex_init(&l->mu, NULL);
	pthread_mutex_init(&l->qmu, NULL);
	pthread_cond_init(&l->qcv, NULL);
	if (cfg->nnamed) {
		l->named = calloc(cfg->nnamed, sizeof(*l->named));
		if (!l->named) {
			free(l);
			return NULL;
		}
		memcpy(l->named, cfg->named, cfg->nnamed * sizeof(*l->named));
	}
	l->cfg.named = l->named;
	/* Oldest named first in the list walk below: insert in reverse. */
	for (size_t i = cfg->nnamed; i-- > 0;) {
		struct tfs_group *g = tfs_listing_group(l, cfg->named[i]);

		if (!g) {
			tfs_listing_free(l);
			return NULL;
		}
		g->named = true;
	}
	if (cfg->readahead) {
		l->workers = calloc(cfg->readahead, sizeof(*l->workers));
		if (!l->workers) {
			tfs_listing_free(l);
			return NULL;
		}
		for (; l->nworkers < cfg->readahead; l->nworkers++)
			if (pthread_create(&l->workers[l->nworkers], NULL, readahead_main, l) != 0)
				break;
	}
	return l;
}

void tfs_listing_free(struct tfs_listing *l)
{
	struct tfs_group *g, *next;

	if (!l)
		return;
	pthread_mutex_lock(&l->qmu);
	l->stopping = true;
	while (l->qhead) {		/* queued, never started */
		struct job *j = l->qhead;

		l->qhead = j->next;
		pthread_mutex_lock(&j->g->mu);
		gen_unref(j->gen);
		pthread_mutex_unlock(&j->g->mu);
		free(j);
	}
	l->qtail = NULL;
	pthread_cond_broadcast(&l->qcv);
	pthread_mutex_unlock(&l->qmu);
	for (size_t i = 0; i < l->nworkers; i++)
		pthread_join(l->workers[i], NULL);
	free(l->workers);
	for (g = l->groups; g; g = next) {
		next = g->next;
		gen_unref(g->cur);
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		free(g);
	}
	pthread_mutex_destroy(&l->mu);
	pthread_mutex_destroy(&l->qmu);
	pthread_cond_destroy(&l->qcv);
	free(l->named);
	free(l);
}

struct tfs_group *tfs_listing_group(struct tfs_listing *l, uint64_t id)
{
	struct tfs_group *g;

	pthread_mutex_lock(&l->mu);
	for (g = l->groups; g; g = g->next)
		if (g->id == id)
			goto out;
	g = calloc(1, sizeof(*g));
	if (g) {
		g->id = id;
		pthread_mutex_init(&g->mu, NULL);
		pthread_cond_init(&g->cv, NULL);
		g->next = l->groups;
		l->groups = g;
	}
out:
	pthread_mutex_unlock(&l->mu);
	return g;
}

size_t tfs_listing_groups(struct tfs_listing *l, uint64_t *ids, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&l->mu);
	/* Named groups in the order given, then the ones found since. */
	for (size_t i = 0; i < l->cfg.nnamed; i++) {
		for (struct tfs_group *g = l->groups; g; g = g->next) {
			if (g->id != l->named[i])
				continue;
			pthread_mutex_lock(&g->mu);
			if (g->state != G_MISSING) {
				if (n < max)
					ids[n] = g->id;
				n++;
			}
			pthread_mutex_unlock(&g->mu);
			break;
		}
	}
	for (struct tfs_group *g = l->groups; g; g = g->next) {
		if (g->named)
			continue;
		pthread_mutex_lock(&g->mu);
		if (g->state == G_OK) {
			if (n < max)
				ids[n] = g->id;
			n++;
		}
		pthread_mutex_unlock(&g->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return n;
}

uint64_t tfs_listing_group_id(const struct tfs_group *g)
{
	return g->id;
}

int64_t tfs_group_mtime(struct tfs_listing *l, struct tfs_group *g)
{
	int64_t t;

	(void)l;
	pthread_mutex_lock(&g->mu);
	t = g->cur ? g->cur->head_mtime : 0;
	pthread_mutex_unlock(&g->mu);
	return t;
}

int64_t tfs_listing_mtime(struct tfs_listing *l)
{
	int64_t t = 0;

	/* Named groups only, each checked: a group found later must not move
	 * the mtime of / and /groups under a backup. */
	for (size_t i = 0; i < l->cfg.nnamed; i++) {
		struct tfs_group *g = tfs_listing_group(l, l->named[i]);
		int64_t gt;

		if (!g || tfs_group_check(l, g) != 0)
			continue;
		gt = tfs_group_mtime(l, g);
		if (gt > t)
			t = gt;
	}
	return t;
}

int tfs_group_check(struct tfs_listing *l, struct tfs_group *g)
{
	struct tfs_gen *gen;
	int rc;

	pthread_mutex_lock(&g->mu);
	rc = group_current(l, g, &gen);
	pthread_mutex_unlock(&g->mu);
	maybe_evict(l, g);
	return rc;
}

int tfs_group_open(struct tfs_listing *l, struct tfs_group *g,
		   struct tfs_gen **out)
{
	int rc;

	pthread_mutex_lock(&g->mu);
	rc = group_current(l, g, out);
	if (rc == 0) {
		(*out)->refs++;
		schedule_readahead(l, g, *out);
	}
	pthread_mutex_unlock(&g->mu);
	maybe_evict(l, g);
	return rc;
}

void tfs_gen_put(struct tfs_listing *l, struct tfs_group *g, struct tfs_gen *gen)
{
	(void)l;
	pthread_mutex_lock(&g->mu);
	gen_unref(gen);
	pthread_mutex_unlock(&g->mu);
}

int tfs_gen_entry(struct tfs_listing *l, struct tfs_group *g,
		  struct tfs_gen *gen, size_t i, bool wait, struct tfs_run **out)
{
	bool fetched = false;
	int rc = 0;

	pthread_mutex_lock(&g->mu);
	while (i >= gen->n && !gen->complete) {
		if (!wait) {
			rc = -EAGAIN;
			break;
		}
		fetched = true;
		schedule_readahead(l, g, gen);
		rc = gen_fetch_next(l, g, gen);
		if (rc == 0)
			schedule_readahead(l, g, gen);
		if (rc)
			break;
	}
	if (rc == 0 && i >= gen->n)
		rc = -ENOENT;
	if (rc == 0) {
		*out = gen->runs[i];
		tfs_run_get(*out);
	}
	pthread_mutex_unlock(&g->mu);
	if (fetched)
		maybe_evict(l, g);
	return rc;
}

int tfs_group_find(struct tfs_listing *l, struct tfs_group *g,
		   const char *guid, size_t len, struct tfs_run **out)
{
	uint64_t ino = tfs_ino_run(g->id, guid, len);
	struct tfs_gen *gen = NULL;
	int rc;

	pthread_mutex_lock(&g->mu);
	rc = group_current(l, g, &gen);
	if (rc == 0)
		gen->refs++;	/* held across the unlocked fetches below */
	else
		gen = NULL;
	while (rc == 0) {
		ssize_t at = gen_index(gen, ino, guid, len);

		if (at >= 0) {
			*out = gen->runs[at];
			tfs_run_get(*out);
			break;
		}
		if (gen->complete) {
			/* Not seen in a listing we cannot refresh: unknown, not gone. */
			rc = g->stale ? -EIO : -ENOENT;
			break;
		}
		rc = gen_fetch_next(l, g, gen);
	}
	gen_unref(gen);
	pthread_mutex_unlock(&g->mu);
	maybe_evict(l, g);
	return rc;
}

void tfs_group_stats(struct tfs_listing *l, struct tfs_group *g,
		     struct tfs_group_stats *out)
{
	(void)l;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&g->mu);
	out->id = g->id;
	out->last_error = g->last_error;
	out->stale = g->stale;
	if (g->cur) {
		out->runs_known = g->cur->n;
		out->pages_fetched = g->cur->pages_fetched;
		out->pages_total = g->cur->pages_total;
		out->complete = g->cur->complete;
		out->refreshed_at = g->cur->born;
	}
	pthread_mutex_unlock(&g->mu);
}

void tfs_listing_each(struct tfs_listing *l,
		      void (*fn)(void *ctx, struct tfs_group *g), void *ctx)
{
	pthread_mutex_lock(&l->mu);
	for (struct tfs_group *g = l->groups; g; g = g->next)
		fn(ctx, g);
	pthread_mutex_unlock(&l->mu);
}

void tfs_listing_drop_all(struct tfs_listing *l)
{
	pthread_mutex_lock(&l->mu);
	for (struct tfs_group *g = l->groups; g; g = g->next) {
		pthread_mutex_lock(&g->mu);
		gen_unref(g->cur);
		g->cur = NULL;
		g->stale = false;
		if (g->state == G_MISSING)
			g->state = G_UNKNOWN;
		pthread_mutex_unlock(&g->mu);
	}
	pthread_mutex_unlock(&l->mu);
}

struct tfs_run *tfs_run_blob(uint64_t ino, int64_t mtime, const char *bytes, size_t len)
{
	struct tfs_page_run pr = { .guid = (char *)"", .mtime = mtime, .finished = true,
				   .bytes = (char *)bytes, .len = len };
	struct tfs_run *r = run_new(0, &pr);

	if (r)
		r->ino = ino;
	return r;
}

bool tfs_group_kernel_cached(struct tfs_listing *l, struct tfs_group *g,
			     const struct tfs_gen *gen)
{
	bool same;

	(void)l;
	pthread_mutex_lock(&g->mu);
	same = g->kernel_serial == gen->serial;
	g->kernel_serial = gen->serial;
	pthread_mutex_unlock(&g->mu);
	return same;
}
