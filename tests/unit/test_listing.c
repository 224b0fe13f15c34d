/*
 * test_listing.c -- unit tests for src/listing.c (generations, TTL, lazy
 * paging, dedupe, single flight).
 *
 * The fetch function is a fake tenant that serves an in-memory list of runs,
 * newest first, cut into pages the way the real API does (meta included),
 * and counts the requests per page. Time is a variable the tests advance.
 */
#include "listing.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "router.h"

#define TTL 1000	/* ms */
#define MAXP 64		/* pages counted */
#define MT0 1700000000	/* mtime of run seq 0 in group 0 */
#define GRP 200

/* ---- the fake tenant --------------------------------------------------- */

struct fake {
	pthread_mutex_t mu;
	unsigned *seq;		/* the list, newest first; run guid is run-<seq> */
	size_t n, cap;
	unsigned next_seq;
	unsigned per_page;
	unsigned skip;		/* first items of each page reported as skipped */
	unsigned insert_each;	/* new runs put in front after each page served */
	unsigned delete_each;	/* newest runs deleted after each page served */
	unsigned expire_each;	/* oldest runs expired after each page served */
	bool all_finished;	/* else runs with an odd seq are in progress */
	unsigned served;	/* pages served, for run versions */
	int sleep_ms;
	int calls[MAXP + 2];	/* per page, index MAXP+1 counts the rest */
	int total;
	int fail_err[MAXP + 1];	/* page p fails with this ... */
	int fail_times[MAXP + 1];	/* ... this many more times */
	uint64_t missing[8];	/* groups that answer 404 */
	size_t nmissing;
};

static struct fake F;
static int64_t now_ms;

static void fake_push_front_locked(struct fake *f, unsigned k)
{
	if (k == 0)
		return;
	if (f->n + k > f->cap) {
		f->cap = (f->n + k) * 2;
		f->seq = realloc(f->seq, f->cap * sizeof(*f->seq));
		ck_assert_ptr_nonnull(f->seq);
	}
	memmove(f->seq + k, f->seq, f->n * sizeof(*f->seq));
	for (unsigned i = 0; i < k; i++)
		f->seq[k - 1 - i] = f->next_seq++;	/* newest at 0 */
	f->n += k;
}

static void fake_push_front(unsigned k)
{
	pthread_mutex_lock(&F.mu);
	fake_push_front_locked(&F, k);
	pthread_mutex_unlock(&F.mu);
}

/* A group of n runs, seq n-1 (newest) first. */
static void fake_reset(size_t n, unsigned per_page)
{
	free(F.seq);
	memset(&F, 0, sizeof(F));
	pthread_mutex_init(&F.mu, NULL);
	F.per_page = per_page;
	fake_push_front_locked(&F, (unsigned)n);
	now_ms = 1000000;
}

static void guid_of(unsigned seq, char *buf, size_t len)
{
	snprintf(buf, len, "run-%05u", seq);
}

static int64_t mtime_of(uint64_t group, unsigned seq)
{
	return MT0 + (int64_t)group * 100000 + seq;
}

static char *bytes_of(uint64_t group, unsigned seq, size_t *len)
{
	char *b = malloc(96);
	int n;

	ck_assert_ptr_nonnull(b);
	n = snprintf(b, 96, "{\n  \"guid\": \"run-%05u\",\n  \"group_id\": %llu\n}\n",
		     seq, (unsigned long long)group);
	*len = (size_t)n;
	return b;
}

static bool fake_is_missing(const struct fake *f, uint64_t group)
{
	for (size_t i = 0; i < f->nmissing; i++)
		if (f->missing[i] == group)
			return true;
	return false;
}

static int fake_fetch(void *ctx, uint64_t group, unsigned page, unsigned want_pp,
		      struct tfs_page *out)
{
	struct fake *f = ctx;
	unsigned pp = want_pp ? want_pp : f->per_page;
	size_t from, to, k;
	int64_t pages;

	ck_assert_uint_ge(page, 1);
	pthread_mutex_lock(&f->mu);
	f->total++;
	f->calls[page <= MAXP ? page : MAXP + 1]++;
	if (page <= MAXP && f->fail_times[page] > 0) {
		int err = f->fail_err[page];

		f->fail_times[page]--;
		pthread_mutex_unlock(&f->mu);
		return err;
	}
	if (fake_is_missing(f, group)) {
		pthread_mutex_unlock(&f->mu);
		return -ENOENT;
	}
	if (f->sleep_ms) {
		struct timespec ts = { 0, (long)f->sleep_ms * 1000000L };

		pthread_mutex_unlock(&f->mu);
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&f->mu);
	}
	memset(out, 0, sizeof(*out));
	from = (size_t)(page - 1) * pp;
	to = from + pp < f->n ? from + pp : f->n;
	k = to > from ? to - from : 0;
	out->runs = calloc(k ? k : 1, sizeof(*out->runs));
	ck_assert_ptr_nonnull(out->runs);
	for (size_t i = 0; i < k; i++) {
		unsigned seq = f->seq[from + i];
		struct tfs_page_run *r;
		char g[32];

		if (i < f->skip) {
			out->skipped++;
			continue;
		}
		r = &out->runs[out->nruns++];
		guid_of(seq, g, sizeof(g));
		r->guid = strdup(g);
		ck_assert_ptr_nonnull(r->guid);
		r->guid_len = strlen(g);
		r->bytes = bytes_of(group, seq, &r->len);
		r->mtime = mtime_of(group, seq);
		r->finished = f->all_finished || seq % 2 == 0;
	}
	pages = ((int64_t)f->n + pp - 1) / pp;
	out->per_page = pp;
	out->count = (int64_t)f->n;
	out->pages = pages;
	out->next_page_number = (int64_t)page < pages ? (int64_t)page + 1 : -1;
	if (f->insert_each)
		fake_push_front_locked(f, f->insert_each);
	if (f->delete_each) {
		size_t d = f->delete_each < f->n ? f->delete_each : f->n;

		memmove(f->seq, f->seq + d, (f->n - d) * sizeof(*f->seq));
		f->n -= d;
	}
	if (f->expire_each)
		f->n -= f->expire_each < f->n ? f->expire_each : f->n;
	pthread_mutex_unlock(&f->mu);
	return 0;
}

static int64_t fake_clock(void *ctx)
{
	return *(int64_t *)ctx;
}

static unsigned readahead;	/* for the next mk_listing */
static size_t max_cache;	/* for the next mk_listing */

static struct tfs_listing *mk_listing(const uint64_t *named, size_t nnamed)
{
	struct tfs_listing_cfg cfg = {
		.readahead = readahead,
		.max_cache = max_cache,
		.ttl_ms = TTL,
		.fetch = fake_fetch,
		.fetch_ctx = &F,
		.clock = fake_clock,
		.clock_ctx = &now_ms,
		.named = named,
		.nnamed = nnamed,
	};
	struct tfs_listing *l = tfs_listing_new(&cfg);

	ck_assert_ptr_nonnull(l);
	return l;
}

static int calls(unsigned page)
{
	int c;

	pthread_mutex_lock(&F.mu);
	c = F.calls[page];
	pthread_mutex_unlock(&F.mu);
	return c;
}

/* Pages 1..upto were each asked `times` times, no page after them at all. */
static void assert_pages(const char *what, unsigned upto, int times)
{
	for (unsigned p = 1; p <= MAXP + 1; p++) {
		int want = p <= upto ? times : 0;

		ck_assert_msg(calls(p) == want, "[%s] page %u asked %d times, want %d",
			      what, p, calls(p), want);
	}
}

/* The run is the one the fake served for this seq, whole. */
static void assert_run(const char *what, const struct tfs_run *r, uint64_t group,
		       unsigned seq)
{
	char g[32], *want;
	size_t want_len;

	guid_of(seq, g, sizeof(g));
	want = bytes_of(group, seq, &want_len);
	ck_assert_msg(strcmp(r->guid, g) == 0, "[%s] guid %s, want %s", what,
		      r->guid, g);
	ck_assert_msg(r->guid_len == strlen(g), "[%s] guid_len", what);
	ck_assert_msg(r->len == want_len && memcmp(r->bytes, want, want_len) == 0,
		      "[%s] bytes of %s wrong", what, g);
	ck_assert_msg(r->mtime == mtime_of(group, seq), "[%s] mtime of %s", what, g);
	ck_assert_msg(r->finished == (F.all_finished || seq % 2 == 0),
		      "[%s] finished of %s", what, g);
	ck_assert_msg(r->ino == tfs_ino_run(group, g, strlen(g)), "[%s] ino of %s",
		      what, g);
	free(want);
}

static unsigned seq_of(const struct tfs_run *r)
{
	return (unsigned)strtoul(r->guid + 4, NULL, 10);
}

/* ---- lazy paging: which pages an entry costs ----------------------------- */

struct entry_case {
	const char *name;
	size_t nruns;
	unsigned per_page;
	size_t index;
	int want_err;
	unsigned want_pages;	/* pages 1..want_pages asked once, no others */
	bool want_complete;
};

static const struct entry_case entry_cases[] = {
	{ "first entry", 100, 20, 0, 0, 1, false },
	{ "last of page 1", 100, 20, 19, 0, 1, false },
	{ "first of page 2", 100, 20, 20, 0, 2, false },
	{ "middle of page 3", 100, 20, 45, 0, 3, false },
	{ "last of all", 100, 20, 99, 0, 5, true },
	{ "past the end, full last page", 100, 20, 100, -ENOENT, 5, true },
	{ "far past the end", 100, 20, 5000, -ENOENT, 5, true },
	{ "one more than full pages", 101, 20, 100, 0, 6, true },
	{ "past the end, one-run last page", 101, 20, 101, -ENOENT, 6, true },
	{ "short last page", 50, 20, 49, 0, 3, true },
	{ "past a short last page", 50, 20, 50, -ENOENT, 3, true },
	{ "exactly one full page", 20, 20, 19, 0, 1, true },
	{ "past exactly one full page", 20, 20, 20, -ENOENT, 1, true },
	{ "exactly two full pages", 40, 20, 40, -ENOENT, 2, true },
	{ "single run", 1, 20, 0, 0, 1, true },
	{ "past a single run", 1, 20, 1, -ENOENT, 1, true },
	{ "empty group", 0, 20, 0, -ENOENT, 1, true },
	{ "per_page 1", 3, 1, 2, 0, 3, true },
	{ "per_page 1, past the end", 3, 1, 3, -ENOENT, 3, true },
};

START_TEST(test_entry_case)
{
	const struct entry_case *c = &entry_cases[_i];
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *r = NULL;
	struct tfs_group_stats st;
	int rc;

	fake_reset(c->nruns, c->per_page);
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	rc = tfs_gen_entry(l, g, gen, c->index, true, &r);
	ck_assert_msg(rc == c->want_err, "[%s] rc %d, want %d", c->name, rc,
		      c->want_err);
	if (rc == 0) {
		/* newest first: entry i is seq n-1-i */
		assert_run(c->name, r, GRP, (unsigned)(c->nruns - 1 - c->index));
		tfs_run_put(r);
	}
	assert_pages(c->name, c->want_pages, 1);
	tfs_group_stats(l, g, &st);
	ck_assert_msg(st.complete == c->want_complete, "[%s] complete %d", c->name,
		      st.complete);
	ck_assert_msg(st.pages_fetched == c->want_pages, "[%s] pages_fetched %u",
		      c->name, st.pages_fetched);
	if (st.complete) {
		ck_assert_msg(st.runs_known == c->nruns, "[%s] runs_known %zu",
			      c->name, st.runs_known);
		ck_assert_msg(st.pages_total ==
			      (int64_t)((c->nruns + c->per_page - 1) / c->per_page),
			      "[%s] pages_total %lld", c->name,
			      (long long)st.pages_total);
	}
	/* asking again costs nothing */
	rc = tfs_gen_entry(l, g, gen, c->index, true, &r);
	ck_assert_int_eq(rc, c->want_err);
	if (rc == 0)
		tfs_run_put(r);
	assert_pages(c->name, c->want_pages, 1);
	tfs_gen_put(l, g, gen);
	tfs_listing_free(l);
}
END_TEST

START_TEST(test_check_fetches_page1_only)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_group_stats st;

	fake_reset(100, 20);
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_ptr_eq(tfs_listing_group(l, GRP), g);
	ck_assert_uint_eq(tfs_listing_group_id(g), GRP);
	ck_assert_int_eq(tfs_group_mtime(l, g), 0);	/* nothing known yet */
	ck_assert_int_eq(calls(1), 0);
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	assert_pages("check", 1, 1);
	ck_assert_int_eq(tfs_group_check(l, g), 0);	/* within the TTL */
	assert_pages("check again", 1, 1);
	tfs_group_stats(l, g, &st);
	ck_assert_uint_eq(st.runs_known, 20);
	ck_assert_uint_eq(st.pages_fetched, 1);
	ck_assert_int_eq(st.pages_total, 5);
	ck_assert(!st.complete);
	/* newest run is seq 99 */
	ck_assert_int_eq(tfs_group_mtime(l, g), mtime_of(GRP, 99));
	/* / and /groups follow the named groups only: none here */
	ck_assert_int_eq(tfs_listing_mtime(l), 0);
	tfs_listing_free(l);
}
END_TEST

START_TEST(test_entry_nowait)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *r;

	fake_reset(50, 20);
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 19, false, &r), 0);
	assert_run("nowait 19", r, GRP, 30);
	tfs_run_put(r);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 20, false, &r), -EAGAIN);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 1000, false, &r), -EAGAIN);
	assert_pages("nowait past page 1", 1, 1);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 20, true, &r), 0);
	assert_run("wait 20", r, GRP, 29);
	tfs_run_put(r);
	assert_pages("wait 20", 2, 1);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 39, false, &r), 0);
	tfs_run_put(r);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 40, false, &r), -EAGAIN);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 49, true, &r), 0);
	assert_run("wait 49", r, GRP, 0);
	tfs_run_put(r);
	/* complete now: past the end is known without a fetch */
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 50, false, &r), -ENOENT);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 50, true, &r), -ENOENT);
	assert_pages("complete", 3, 1);
	tfs_gen_put(l, g, gen);
	tfs_listing_free(l);
}
END_TEST

/* ---- every run once while the list moves -------------------------------- */

struct shift_case {
	const char *name;
	size_t nruns;
	unsigned per_page;
	unsigned insert_once;	/* new runs in front after page 1 */
	unsigned insert_each;	/* new runs in front after every page */
	unsigned skip;		/* items per page the parser skipped */
	unsigned delete_each;	/* newest runs deleted after every page */
	unsigned expire_each;	/* oldest runs expired after every page */
};

static const struct shift_case shift_cases[] = {
	{ "3 newest deleted after every page", 300, 20, 0, 0, 0, 3, 0 },
	{ "1 newest deleted after every page", 100, 10, 0, 0, 0, 1, 0 },
	{ "9 of a page of 10 deleted after every page", 600, 10, 0, 0, 0, 9, 0 },
	{ "5 oldest expire after every page", 200, 20, 0, 0, 0, 0, 5 },
	{ "2 deleted and 2 expired after every page", 200, 20, 0, 0, 0, 2, 2 },
	{ "still list", 95, 20, 0, 0, 0, 0, 0 },
	{ "5 new after page 1", 50, 20, 5, 0, 0, 0, 0 },
	{ "1 new after page 1, full pages", 40, 20, 1, 0, 0, 0, 0 },
	{ "a whole page new after page 1", 40, 20, 20, 0, 0, 0, 0 },
	{ "more than a page new after page 1", 45, 10, 13, 0, 0, 0, 0 },
	{ "3 new after every page", 100, 20, 0, 3, 0, 0, 0 },
	{ "7 new after every page", 60, 10, 0, 7, 0, 0, 0 },
	{ "2 skipped per page: still full pages", 50, 20, 0, 0, 2, 0, 0 },
};

START_TEST(test_shift_case)
{
	const struct shift_case *c = &shift_cases[_i];
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	unsigned maxseq = (unsigned)c->nruns + 1000;
	char *seen = calloc(maxseq, 1);
	size_t i, got = 0, orig_present = 0;
	int rc;

	ck_assert_ptr_nonnull(seen);
	fake_reset(c->nruns, c->per_page);
	F.skip = c->skip;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	if (c->insert_once)
		fake_push_front(c->insert_once);
	pthread_mutex_lock(&F.mu);
	F.insert_each = c->insert_each;
	F.delete_each = c->delete_each;
	F.expire_each = c->expire_each;
	pthread_mutex_unlock(&F.mu);
	for (i = 0;; i++) {
		struct tfs_run *r;
		unsigned seq;

		ck_assert_msg(i < maxseq, "[%s] walk does not end", c->name);
		rc = tfs_gen_entry(l, g, gen, i, true, &r);
		if (rc == -ENOENT)
			break;
		ck_assert_msg(rc == 0, "[%s] entry %zu: rc %d", c->name, i, rc);
		seq = seq_of(r);
		ck_assert_msg(seq < maxseq, "[%s] odd guid %s", c->name, r->guid);
		ck_assert_msg(!seen[seq], "[%s] %s listed twice (entry %zu)", c->name,
			      r->guid, i);
		seen[seq] = 1;
		assert_run(c->name, r, GRP, seq);
		tfs_run_put(r);
		got++;
	}
	/* every run that was there when the walk began is there, except those
	 * the parser skipped (the first `skip` items of each page); with
	 * deletions, every run there for the whole walk is */
	if (c->delete_each || c->expire_each) {
		size_t survivors = 0;

		pthread_mutex_lock(&F.mu);
		for (size_t k = 0; k < F.n; k++) {
			if (F.seq[k] < c->nruns) {
				survivors++;
				ck_assert_msg(seen[F.seq[k]], "[%s] surviving run-%u missed",
					      c->name, F.seq[k]);
			}
		}
		pthread_mutex_unlock(&F.mu);
		ck_assert_msg(survivors > 0, "[%s] nothing survived: test too harsh", c->name);
	} else {
		for (unsigned s = 0; s < c->nruns; s++)
			orig_present += seen[s];
	}
	if (c->delete_each || c->expire_each)
		;
	else if (c->skip == 0)
		ck_assert_msg(orig_present == c->nruns, "[%s] %zu of %zu original runs",
			      c->name, orig_present, c->nruns);
	else
		ck_assert_msg(orig_present ==
			      c->nruns - c->skip * ((c->nruns + c->per_page - 1) /
						    c->per_page),
			      "[%s] %zu runs", c->name, orig_present);
	/* entries stay put: asking again gives the same run */
	for (size_t j = 0; j < got; j += 7) {
		struct tfs_run *a, *b;

		ck_assert_int_eq(tfs_gen_entry(l, g, gen, j, false, &a), 0);
		ck_assert_int_eq(tfs_gen_entry(l, g, gen, j, false, &b), 0);
		ck_assert_ptr_eq(a, b);
		tfs_run_put(a);
		tfs_run_put(b);
	}
	/* the repair costs bridging reads, not a walk that chases the shift */
	if (c->delete_each || c->expire_each) {
		int bound = 3 * (int)((c->nruns + c->per_page - 1) / c->per_page) + 5;

		ck_assert_msg(F.total <= bound, "[%s] %d requests for %zu runs (bound %d)",
			      c->name, F.total, c->nruns, bound);
	}
	/* re-reads are the repair for deletions; without them no page twice */
	for (unsigned p = 1; p <= MAXP && !c->delete_each && !c->expire_each; p++)
		ck_assert_msg(calls(p) <= 1, "[%s] page %u asked %d times", c->name,
			      p, calls(p));
	tfs_gen_put(l, g, gen);
	tfs_listing_free(l);
	free(seen);
}
END_TEST

/* ---- find ---------------------------------------------------------------- */

struct find_case {
	const char *name;
	size_t nruns;
	unsigned per_page;
	long index;		/* of the guid looked for; -1: not in the group */
	unsigned want_pages;
};

static const struct find_case find_cases[] = {
	{ "on page 1", 100, 20, 0, 1 },
	{ "last on page 1", 100, 20, 19, 1 },
	{ "on page 3", 100, 20, 45, 3 },
	{ "first on page 5", 100, 20, 80, 5 },
	{ "last run", 100, 20, 99, 5 },
	{ "missing, full last page", 100, 20, -1, 5 },
	{ "missing, short last page", 90, 20, -1, 5 },
	{ "missing, one page", 7, 20, -1, 1 },
	{ "missing, empty group", 0, 20, -1, 1 },
};

START_TEST(test_find_case)
{
	const struct find_case *c = &find_cases[_i];
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_run *r = NULL;
	char guid[32];
	unsigned seq = 0;
	int rc;

	fake_reset(c->nruns, c->per_page);
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	if (c->index >= 0) {
		seq = (unsigned)(c->nruns - 1 - (size_t)c->index);
		guid_of(seq, guid, sizeof(guid));
	} else {
		strcpy(guid, "run-99999");
	}
	rc = tfs_group_find(l, g, guid, strlen(guid), &r);
	ck_assert_msg(rc == (c->index >= 0 ? 0 : -ENOENT), "[%s] rc %d", c->name, rc);
	if (rc == 0) {
		assert_run(c->name, r, GRP, seq);
		tfs_run_put(r);
	}
	assert_pages(c->name, c->want_pages, 1);
	/* the same answer again, without a request, within the TTL */
	now_ms += TTL - 1;
	ck_assert_int_eq(tfs_group_find(l, g, guid, strlen(guid), &r), rc);
	if (rc == 0)
		tfs_run_put(r);
	assert_pages(c->name, c->want_pages, 1);
	/* only the first len bytes of the guid count */
	if (c->index >= 0) {
		char longer[40];

		snprintf(longer, sizeof(longer), "%sXYZ", guid);
		ck_assert_int_eq(tfs_group_find(l, g, longer, strlen(guid), &r), 0);
		ck_assert_str_eq(r->guid, guid);
		tfs_run_put(r);
	}
	tfs_listing_free(l);
}
END_TEST

START_TEST(test_find_ttl)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_run *r;
	int64_t t0;

	fake_reset(100, 20);
	F.all_finished = true;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	t0 = now_ms;
	ck_assert_int_eq(tfs_group_find(l, g, "nope", 4, &r), -ENOENT);
	assert_pages("full walk", 5, 1);
	ck_assert_int_eq(tfs_group_find(l, g, "nope", 4, &r), -ENOENT);
	ck_assert_int_eq(tfs_group_find(l, g, "run-00000", 9, &r), 0);
	tfs_run_put(r);
	now_ms = t0 + TTL / 2;
	ck_assert_int_eq(tfs_group_find(l, g, "nope", 4, &r), -ENOENT);
	now_ms = t0 + TTL - 1;
	ck_assert_int_eq(tfs_group_find(l, g, "nope", 4, &r), -ENOENT);
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	assert_pages("within the TTL", 5, 1);
	/* a run that appears later is found only in a new generation */
	fake_push_front(1);	/* seq 100 */
	ck_assert_int_eq(tfs_group_find(l, g, "run-00100", 9, &r), -ENOENT);
	assert_pages("new run, within the TTL", 5, 1);
	now_ms = t0 + TTL + 1;
	ck_assert_int_eq(tfs_group_find(l, g, "run-00100", 9, &r), 0);
	assert_run("new run after the TTL", r, GRP, 100);
	tfs_run_put(r);
	ck_assert_int_eq(calls(1), 2);
	ck_assert_int_eq(calls(2), 1);
	/* page 1 showed one new run and count grew by one: the rest of the
	 * old walk is kept (cheap refresh), so a miss costs nothing more */
	ck_assert_int_eq(tfs_group_find(l, g, "nope", 4, &r), -ENOENT);
	ck_assert_int_eq(calls(1), 2);
	for (unsigned p = 2; p <= 5; p++)
		ck_assert_int_eq(calls(p), 1);
	ck_assert_int_eq(calls(6), 0);
	tfs_listing_free(l);
}
END_TEST

/* ---- generations -------------------------------------------------------- */

START_TEST(test_generation_held)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *a, *b, *c;
	struct tfs_run *r, *keep;
	unsigned seqs[30];
	int64_t t0;

	fake_reset(30, 20);
	F.all_finished = true;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	t0 = now_ms;
	ck_assert_int_eq(tfs_group_open(l, g, &a), 0);
	for (size_t i = 0; i < 30; i++) {
		ck_assert_int_eq(tfs_gen_entry(l, g, a, i, true, &r), 0);
		seqs[i] = seq_of(r);
		tfs_run_put(r);
	}
	ck_assert_int_eq(tfs_gen_entry(l, g, a, 0, true, &keep), 0);
	assert_pages("gen a", 2, 1);
	/* the tenant moves on */
	fake_push_front(5);
	/* within the TTL a new open sees the same list, no request */
	now_ms = t0 + TTL - 1;
	ck_assert_int_eq(tfs_group_open(l, g, &b), 0);
	ck_assert_int_eq(tfs_gen_entry(l, g, b, 0, false, &r), 0);
	ck_assert_uint_eq(seq_of(r), 29);
	tfs_run_put(r);
	tfs_gen_put(l, g, b);
	assert_pages("within the TTL", 2, 1);
	/* after the TTL: page 1 again, a new generation with the new runs */
	now_ms = t0 + TTL + 1;
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	ck_assert_int_eq(calls(1), 2);
	ck_assert_int_eq(calls(2), 1);
	ck_assert_int_eq(tfs_group_open(l, g, &c), 0);
	ck_assert_int_eq(calls(1), 2);
	ck_assert_int_eq(tfs_gen_entry(l, g, c, 0, false, &r), 0);
	assert_run("new gen entry 0", r, GRP, 34);
	tfs_run_put(r);
	/* the held generation is unchanged and complete, no request */
	for (size_t i = 0; i < 30; i++) {
		ck_assert_int_eq(tfs_gen_entry(l, g, a, i, false, &r), 0);
		ck_assert_msg(seq_of(r) == seqs[i], "old gen entry %zu changed", i);
		assert_run("old gen", r, GRP, seqs[i]);
		tfs_run_put(r);
	}
	ck_assert_int_eq(tfs_gen_entry(l, g, a, 30, true, &r), -ENOENT);
	ck_assert_int_eq(calls(1), 2);
	ck_assert_int_eq(calls(2), 1);
	ck_assert_int_eq(calls(3), 0);
	tfs_gen_put(l, g, a);
	tfs_gen_put(l, g, c);
	/* a run outlives every generation that listed it */
	now_ms += 10 * TTL;
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	assert_run("kept run", keep, GRP, 29);
	tfs_listing_free(l);
	assert_run("kept run after free", keep, GRP, 29);
	tfs_run_put(keep);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

START_TEST(test_404_remembered)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *r;
	int64_t t0;

	fake_reset(10, 20);
	F.missing[F.nmissing++] = 404;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, 404);
	t0 = now_ms;
	ck_assert_int_eq(tfs_group_check(l, g), -ENOENT);
	ck_assert_int_eq(F.total, 1);
	ck_assert_int_eq(tfs_group_check(l, g), -ENOENT);
	ck_assert_int_eq(tfs_group_open(l, g, &gen), -ENOENT);
	ck_assert_int_eq(tfs_group_find(l, g, "run-00001", 9, &r), -ENOENT);
	now_ms = t0 + TTL - 1;
	ck_assert_int_eq(tfs_group_check(l, g), -ENOENT);
	ck_assert_int_eq(F.total, 1);
	/* another group is not affected */
	ck_assert_int_eq(tfs_group_check(l, tfs_listing_group(l, GRP)), 0);
	ck_assert_int_eq(F.total, 2);
	/* after the TTL it is asked again */
	now_ms = t0 + TTL + 1;
	ck_assert_int_eq(tfs_group_check(l, g), -ENOENT);
	ck_assert_int_eq(F.total, 3);
	/* and once it exists, the next TTL sees it */
	pthread_mutex_lock(&F.mu);
	F.nmissing = 0;
	pthread_mutex_unlock(&F.mu);
	ck_assert_int_eq(tfs_group_check(l, g), -ENOENT);
	ck_assert_int_eq(F.total, 3);
	now_ms += TTL + 1;
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	ck_assert_int_eq(F.total, 4);
	tfs_listing_free(l);
}
END_TEST

struct err_case {
	const char *name;
	unsigned page;
	int err;
};

static const struct err_case err_cases[] = {
	{ "EIO on page 1", 1, -EIO },
	{ "EIO on page 2", 2, -EIO },
	{ "EIO on page 3", 3, -EIO },
	{ "EACCES on page 1", 1, -EACCES },
	{ "EACCES on page 3", 3, -EACCES },
	{ "ENOMEM on page 2", 2, -ENOMEM },
};

/* A failed page fails the call that needed it; the next call asks again
 * and then everything is there, once. */
START_TEST(test_err_case)
{
	const struct err_case *c = &err_cases[_i];
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *r;
	size_t idx = (c->page - 1) * 20 + 3;
	int rc;

	fake_reset(50, 20);
	F.fail_err[c->page] = c->err;
	F.fail_times[c->page] = 1;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	if (c->page == 1) {
		ck_assert_int_eq(tfs_group_check(l, g), c->err);
		ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);	/* retried */
		ck_assert_int_eq(calls(1), 2);
	} else {
		ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
		rc = tfs_gen_entry(l, g, gen, idx, true, &r);
		ck_assert_msg(rc == c->err, "[%s] entry rc %d", c->name, rc);
		ck_assert_int_eq(calls(c->page), 1);
		/* what was known before the failure is still there */
		ck_assert_int_eq(tfs_gen_entry(l, g, gen, 0, false, &r), 0);
		tfs_run_put(r);
		ck_assert_int_eq(tfs_gen_entry(l, g, gen, idx, false, &r), -EAGAIN);
	}
	rc = tfs_gen_entry(l, g, gen, idx, true, &r);
	ck_assert_msg(rc == 0, "[%s] retry rc %d", c->name, rc);
	assert_run(c->name, r, GRP, (unsigned)(49 - idx));
	tfs_run_put(r);
	ck_assert_int_eq(calls(c->page), 2);
	/* the whole walk: every run once, no page asked a third time */
	for (size_t i = 0; i < 50; i++) {
		ck_assert_int_eq(tfs_gen_entry(l, g, gen, i, true, &r), 0);
		assert_run(c->name, r, GRP, (unsigned)(49 - i));
		tfs_run_put(r);
	}
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 50, true, &r), -ENOENT);
	for (unsigned p = 1; p <= 3; p++)
		ck_assert_int_eq(calls(p), p == c->page ? 2 : 1);
	ck_assert_int_eq(calls(4), 0);
	tfs_gen_put(l, g, gen);
	tfs_listing_free(l);
}
END_TEST

START_TEST(test_find_error_then_retry)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_run *r;

	fake_reset(100, 20);
	F.fail_err[2] = -EIO;
	F.fail_times[2] = 1;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_find(l, g, "run-00055", 9, &r), -EIO);
	ck_assert_int_eq(tfs_group_find(l, g, "run-00055", 9, &r), 0);
	assert_run("after retry", r, GRP, 55);
	tfs_run_put(r);
	ck_assert_int_eq(calls(1), 1);
	ck_assert_int_eq(calls(2), 2);
	ck_assert_int_eq(calls(3), 1);
	ck_assert_int_eq(calls(4), 0);
	tfs_listing_free(l);
}
END_TEST

/* ---- single flight ------------------------------------------------------ */

#define NTHREADS 4

struct worker {
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;	/* NULL: tfs_group_find, else tfs_gen_entry */
	pthread_barrier_t *start;
	int rc;
	struct tfs_run *r;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(w->start);
	if (w->gen)
		w->rc = tfs_gen_entry(w->l, w->g, w->gen, 54, true, &w->r);
	else
		w->rc = tfs_group_find(w->l, w->g, "run-00054", 9, &w->r);
	return NULL;
}

static void run_workers(struct tfs_listing *l, struct tfs_group *g,
			struct tfs_gen *gen, int n, unsigned want_seq)
{
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t start;

	ck_assert_int_le(n, NTHREADS);
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .l = l, .g = g, .gen = gen, .start = &start,
					.rc = -1 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(w[i].rc == 0, "thread %d: rc %d", i, w[i].rc);
		assert_run("worker", w[i].r, GRP, want_seq);
		tfs_run_put(w[i].r);
	}
}

START_TEST(test_single_flight_find)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_run *r;

	fake_reset(100, 20);	/* run-00054 is entry 45: page 3 */
	F.sleep_ms = 50;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	run_workers(l, g, NULL, 2, 54);
	assert_pages("two finders", 3, 1);
	ck_assert_int_eq(tfs_group_find(l, g, "run-00054", 9, &r), 0);
	assert_run("found", r, GRP, 54);
	tfs_run_put(r);
	assert_pages("found again", 3, 1);
	tfs_listing_free(l);
}
END_TEST

START_TEST(test_single_flight_entry)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *r;

	fake_reset(100, 20);	/* entry 54 is on page 3 */
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	F.sleep_ms = 30;
	run_workers(l, g, gen, NTHREADS, 45);
	assert_pages("entry from 4 threads", 3, 1);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 54, false, &r), 0);
	assert_run("entry 54", r, GRP, 45);
	tfs_run_put(r);
	tfs_gen_put(l, g, gen);
	tfs_listing_free(l);
}
END_TEST

/* ---- empty group, /groups ------------------------------------------------ */

/* An outage after the TTL: what was seen stays, unknown is EIO, not ENOENT. */
START_TEST(test_stale_on_outage)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *r;
	char guid[32];
	int before;

	fake_reset(30, 10);
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	guid_of(F.seq[25], guid, sizeof(guid));
	ck_assert_int_eq(tfs_group_find(l, g, guid, strlen(guid), &r), 0);
	tfs_run_put(r);
	now_ms += TTL + 1;
	F.fail_err[1] = -EIO;
	F.fail_times[1] = 1000;
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 25, true, &r), 0);
	tfs_run_put(r);
	tfs_gen_put(l, g, gen);
	ck_assert_int_eq(tfs_group_find(l, g, guid, strlen(guid), &r), 0);
	tfs_run_put(r);
	ck_assert_int_eq(tfs_group_find(l, g, "run-99999", 9, &r), -EIO);
	/* known down: no request per operation until the retry delay passes */
	before = F.total;
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	ck_assert_int_eq(F.total, before);
	/* back up: the next access after the delay is fresh again */
	F.fail_times[1] = 0;
	now_ms += 6000;
	ck_assert_int_eq(tfs_group_find(l, g, "run-99999", 9, &r), -ENOENT);
	ck_assert_int_gt(F.total, before);
	tfs_listing_free(l);
}
END_TEST

/* 401 after the TTL is not an outage: EACCES, not stale data. */
START_TEST(test_denied_not_stale)
{
	struct tfs_listing *l;
	struct tfs_group *g;

	fake_reset(30, 10);
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	now_ms += TTL + 1;
	F.fail_err[1] = -EACCES;
	F.fail_times[1] = 1;
	ck_assert_int_eq(tfs_group_check(l, g), -EACCES);
	tfs_listing_free(l);
}
END_TEST

static int total_calls(void)
{
	int t;

	pthread_mutex_lock(&F.mu);
	t = F.total;
	pthread_mutex_unlock(&F.mu);
	return t;
}

/* Wait (bounded) until the fake has served `want` requests. */
static void wait_total(int want)
{
	for (int i = 0; i < 200 && total_calls() < want; i++) {
		struct timespec ts = { 0, 5 * 1000000L };

		nanosleep(&ts, NULL);
	}
}

struct ra_case {
	const char *name;
	size_t nruns;
	unsigned per_page;
	unsigned readahead;
	size_t read_upto;	/* entries read; (size_t)-1: all */
	int want_total;		/* requests once readahead settles */
};

static const struct ra_case ra_cases[] = {
	{ "page 1 only: 1 + readahead", 1000, 10, 4, 0, 5 },
	{ "first entry: still 1 + readahead", 1000, 10, 8, 1, 9 },
	{ "into page 3: readahead moves along", 1000, 10, 4, 25, 7 },
	{ "whole walk: every page once", 95, 10, 4, (size_t)-1, 10 },
	{ "fewer pages than readahead", 25, 10, 8, (size_t)-1, 3 },
};

START_TEST(test_readahead_case)
{
	const struct ra_case *c = &ra_cases[_i];
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	size_t got = 0;

	fake_reset(c->nruns, c->per_page);
	F.sleep_ms = 5;
	readahead = c->readahead;
	l = mk_listing(NULL, 0);
	readahead = 0;
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	for (size_t i = 0; i < c->read_upto; i++) {
		struct tfs_run *r;
		int rc = tfs_gen_entry(l, g, gen, i, true, &r);

		if (rc == -ENOENT)
			break;
		ck_assert_msg(rc == 0, "[%s] entry %zu: %d", c->name, i, rc);
		tfs_run_put(r);
		got++;
	}
	if (c->read_upto == (size_t)-1)
		ck_assert_msg(got == c->nruns, "[%s] %zu of %zu runs", c->name, got, c->nruns);
	wait_total(c->want_total);
	/* let any further (unwanted) request show up before counting */
	{
		struct timespec ts = { 0, 50 * 1000000L };

		nanosleep(&ts, NULL);
	}
	ck_assert_msg(total_calls() == c->want_total, "[%s] %d requests, want %d", c->name,
		      total_calls(), c->want_total);
	for (unsigned p = 1; p <= MAXP; p++)
		ck_assert_msg(calls(p) <= 1, "[%s] page %u asked %d times", c->name, p, calls(p));
	tfs_gen_put(l, g, gen);
	tfs_listing_free(l);
}
END_TEST

/* ---- cheap refresh ------------------------------------------------------ */

struct refresh_case {
	const char *name;
	size_t nruns;
	unsigned per_page;
	unsigned new_runs;	/* put in front before the refresh */
	unsigned expire;	/* oldest runs expired before the refresh */
	bool in_progress;	/* runs with odd seqs are in progress */
	int want_requests;	/* to refresh and list everything; -1: a full walk */
};

static const struct refresh_case refresh_cases[] = {
	{ "nothing new", 1000, 20, 0, 0, false, 1 },
	{ "5 new runs", 1000, 20, 5, 0, false, 1 },
	{ "19 new runs, old newest still on page 1", 1000, 20, 19, 0, false, 1 },
	{ "a page of new runs: walk again", 200, 20, 20, 0, false, -1 },
	{ "3 expired at the end: walk again", 200, 20, 2, 3, false, -1 },
	{ "in progress everywhere: their pages re-read", 100, 20, 5, 0, true, 6 },
};

START_TEST(test_refresh_case)
{
	const struct refresh_case *c = &refresh_cases[_i];
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *miss;
	size_t n = 0, want_n;
	int before;

	fake_reset(c->nruns, c->per_page);
	F.all_finished = !c->in_progress;
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_find(l, g, "nope", 4, &miss), -ENOENT);
	fake_push_front(c->new_runs);
	F.n -= c->expire;
	want_n = F.n;
	before = total_calls();
	now_ms += TTL + 1;
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	for (;; n++) {
		struct tfs_run *r;
		int rc = tfs_gen_entry(l, g, gen, n, true, &r);

		if (rc == -ENOENT)
			break;
		ck_assert_int_eq(rc, 0);
		assert_run(c->name, r, GRP, F.seq[n]);
		tfs_run_put(r);
	}
	ck_assert_msg(n == want_n, "[%s] %zu runs listed, want %zu", c->name, n, want_n);
	if (c->want_requests >= 0)
		ck_assert_msg(total_calls() - before == c->want_requests,
			      "[%s] %d requests, want %d", c->name, total_calls() - before,
			      c->want_requests);
	else
		ck_assert_msg(total_calls() - before >= (int)((want_n + c->per_page - 1) /
							      c->per_page),
			      "[%s] only %d requests: not walked again", c->name,
			      total_calls() - before);
	tfs_gen_put(l, g, gen);
	tfs_listing_free(l);
}
END_TEST

/* max_cache: the least recently used listing goes, and comes back. */
START_TEST(test_evict_lru)
{
	struct tfs_listing *l;
	struct tfs_group *a, *b;
	struct tfs_run *r;
	int before;

	fake_reset(200, 50);
	F.all_finished = true;
	max_cache = 200 * 200;	/* about one group of 200 small runs */
	l = mk_listing(NULL, 0);
	max_cache = 0;
	a = tfs_listing_group(l, 1);
	b = tfs_listing_group(l, 2);
	ck_assert_int_eq(tfs_group_find(l, a, "nope", 4, &r), -ENOENT);
	now_ms += 10;
	ck_assert_int_eq(tfs_group_find(l, b, "nope", 4, &r), -ENOENT);
	/* b is in use: a, the older, was dropped; b was not */
	before = total_calls();
	ck_assert_int_eq(tfs_group_find(l, b, "run-00005", 9, &r), 0);
	tfs_run_put(r);
	ck_assert_int_eq(total_calls(), before);
	now_ms += 10;
	ck_assert_int_eq(tfs_group_find(l, a, "run-00005", 9, &r), 0);
	assert_run("a again", r, 1, 5);
	tfs_run_put(r);
	ck_assert_msg(total_calls() > before, "evicted listing served without a fetch");
	tfs_listing_free(l);
}
END_TEST

START_TEST(test_empty_group)
{
	struct tfs_listing *l;
	struct tfs_group *g;
	struct tfs_gen *gen;
	struct tfs_run *r;
	struct tfs_group_stats st;

	fake_reset(0, 20);
	l = mk_listing(NULL, 0);
	g = tfs_listing_group(l, GRP);
	ck_assert_int_eq(tfs_group_check(l, g), 0);
	tfs_group_stats(l, g, &st);
	ck_assert(st.complete);
	ck_assert_uint_eq(st.runs_known, 0);
	ck_assert_int_eq(st.pages_total, 0);
	ck_assert_uint_eq(st.pages_fetched, 1);
	ck_assert_int_eq(tfs_group_open(l, g, &gen), 0);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 0, false, &r), -ENOENT);
	ck_assert_int_eq(tfs_gen_entry(l, g, gen, 0, true, &r), -ENOENT);
	ck_assert_int_eq(tfs_group_find(l, g, "run-00000", 9, &r), -ENOENT);
	ck_assert_int_eq(tfs_group_mtime(l, g), 0);
	assert_pages("empty", 1, 1);
	tfs_gen_put(l, g, gen);
	/* an empty group is still a group */
	{
		uint64_t ids[4];

		ck_assert_uint_eq(tfs_listing_groups(l, ids, 4), 1);
		ck_assert_uint_eq(ids[0], GRP);
	}
	tfs_listing_free(l);
}
END_TEST

START_TEST(test_listing_groups)
{
	static const uint64_t named[] = { 300, 200, 404, 100 };
	struct tfs_listing *l;
	uint64_t ids[8];
	size_t n;

	fake_reset(5, 20);
	F.missing[F.nmissing++] = 404;
	F.missing[F.nmissing++] = 666;
	l = mk_listing(named, 4);
	/* nothing asked yet: every named group, in order, without a request */
	n = tfs_listing_groups(l, ids, 8);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(ids[0], 300);
	ck_assert_uint_eq(ids[1], 200);
	ck_assert_uint_eq(ids[2], 404);
	ck_assert_uint_eq(ids[3], 100);
	ck_assert_int_eq(F.total, 0);
	/* a named group that 404'd is left out */
	ck_assert_int_eq(tfs_group_check(l, tfs_listing_group(l, 404)), -ENOENT);
	ck_assert_int_eq(tfs_group_check(l, tfs_listing_group(l, 200)), 0);
	n = tfs_listing_groups(l, ids, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(ids[0], 300);
	ck_assert_uint_eq(ids[1], 200);
	ck_assert_uint_eq(ids[2], 100);
	/* a group looked up by id joins once it exists; a missing one or one
	 * never asked does not */
	ck_assert_int_eq(tfs_group_check(l, tfs_listing_group(l, 555)), 0);
	ck_assert_int_eq(tfs_group_check(l, tfs_listing_group(l, 666)), -ENOENT);
	ck_assert_ptr_nonnull(tfs_listing_group(l, 777));
	n = tfs_listing_groups(l, ids, 8);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(ids[0], 300);
	ck_assert_uint_eq(ids[1], 200);
	ck_assert_uint_eq(ids[2], 100);
	ck_assert_uint_eq(ids[3], 555);
	/* a short array gets the first ones, the count is still all */
	memset(ids, 0, sizeof(ids));
	n = tfs_listing_groups(l, ids, 2);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(ids[0], 300);
	ck_assert_uint_eq(ids[1], 200);
	ck_assert_uint_eq(ids[2], 0);
	ck_assert_uint_eq(tfs_listing_groups(l, NULL, 0), 4);
	/* newest mtime over the named groups (page 1 of each): 555, found
	 * later, does not move it */
	ck_assert_int_eq(tfs_listing_mtime(l), mtime_of(300, 4));
	ck_assert_int_eq(tfs_group_mtime(l, tfs_listing_group(l, 200)),
			 mtime_of(200, 4));
	tfs_listing_free(l);
}
END_TEST

static Suite *listing_suite(void)
{
	Suite *s = suite_create("listing");
	TCase *tc = tcase_create("listing");

#define LOOP(fn, arr) \
	tcase_add_loop_test(tc, fn, 0, (int)(sizeof(arr) / sizeof((arr)[0])))
	LOOP(test_entry_case, entry_cases);
	LOOP(test_shift_case, shift_cases);
	LOOP(test_find_case, find_cases);
	LOOP(test_err_case, err_cases);
#undef LOOP
	tcase_add_test(tc, test_check_fetches_page1_only);
	tcase_add_test(tc, test_entry_nowait);
	tcase_add_test(tc, test_find_ttl);
	tcase_add_test(tc, test_generation_held);
	tcase_add_test(tc, test_404_remembered);
	tcase_add_test(tc, test_find_error_then_retry);
	tcase_add_test(tc, test_single_flight_find);
	tcase_add_test(tc, test_single_flight_entry);
	tcase_add_test(tc, test_empty_group);
	tcase_add_test(tc, test_evict_lru);
	tcase_add_loop_test(tc, test_refresh_case, 0,
			    (int)(sizeof(refresh_cases) / sizeof(refresh_cases[0])));
	tcase_add_loop_test(tc, test_readahead_case, 0,
			    (int)(sizeof(ra_cases) / sizeof(ra_cases[0])));
	tcase_add_test(tc, test_stale_on_outage);
	tcase_add_test(tc, test_denied_not_stale);
	tcase_add_test(tc, test_listing_groups);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(listing_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
