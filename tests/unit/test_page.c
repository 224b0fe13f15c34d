/*
 * test_page.c -- unit tests for src/page.c (one page of GET /groups/<id>/runs).
 *
 * Every body is copied into an exact-size heap buffer without a NUL
 * terminator, so ASan reports any read past body+len.
 */
#include "page.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

/* ---- fixtures ---------------------------------------------------------- */

#define SAMPLE_RUN \
	"{\"guid\":\"5466f325-0bc6-47fb-943f-41d1a2a8d6ae\",\"duration\":0," \
	"\"story_id\":155,\"group_id\":200," \
	"\"start_time\":\"2023-12-13T16:19:50Z\"," \
	"\"end_time\":\"2023-12-13T16:19:50Z\",\"action_count\":5," \
	"\"event_count\":5,\"story_mode\":\"LIVE\",\"draft_id\":12345," \
	"\"draft_name\":\"My draft\"}"
#define SAMPLE_META \
	"\"meta\":{\"current_page\":" \
	"\"https://x.tines.com/api/v1/groups/200/runs?per_page=20&page=1\"," \
	"\"previous_page\":null,\"next_page\":null,\"next_page_number\":null," \
	"\"per_page\":20,\"pages\":1,\"count\":1}"
#define SAMPLE_BODY "{\"group_runs\":[" SAMPLE_RUN "]," SAMPLE_META "}"
#define SAMPLE_GUID "5466f325-0bc6-47fb-943f-41d1a2a8d6ae"
#define SAMPLE_OUT \
	"{\n" \
	"  \"guid\": \"5466f325-0bc6-47fb-943f-41d1a2a8d6ae\",\n" \
	"  \"duration\": 0,\n" \
	"  \"story_id\": 155,\n" \
	"  \"group_id\": 200,\n" \
	"  \"start_time\": \"2023-12-13T16:19:50Z\",\n" \
	"  \"end_time\": \"2023-12-13T16:19:50Z\",\n" \
	"  \"action_count\": 5,\n" \
	"  \"event_count\": 5,\n" \
	"  \"story_mode\": \"LIVE\",\n" \
	"  \"draft_id\": 12345,\n" \
	"  \"draft_name\": \"My draft\"\n" \
	"}\n"
#define SAMPLE_T 1702484390	/* 2023-12-13T16:19:50Z */

/* A meta object with everything the real API sends. */
#define META(next, pp, pages, count) \
	"\"meta\":{\"current_page\":\"u\",\"previous_page\":null," \
	"\"next_page\":null,\"next_page_number\":" next ",\"per_page\":" pp \
	",\"pages\":" pages ",\"count\":" count "}"
#define META1 META("null", "20", "1", "1")
#define PAGE(runs, meta) "{\"group_runs\":[" runs "]," meta "}"

/* A minimal run and its rendering. */
#define RUN(g) "{\"guid\":\"" g "\"}"
#define OUT(g) "{\n  \"guid\": \"" g "\"\n}\n"

#define MAXR 4
#define BAD(n, b) { .name = (n), .body = (b), .want_err = -EBADMSG }

struct page_case {
	const char *name;
	const char *body;
	int want_err;
	size_t nruns;
	size_t skipped;
	int64_t per_page, pages, count, next;
	const char *guid[MAXR];
	const char *bytes[MAXR];	/* exact file content */
	int64_t mtime[MAXR];
	bool finished[MAXR];
};

static const struct page_case cases[] = {
	{ "tines sample", SAMPLE_BODY, 0, 1, 0, 20, 1, 1, -1,
	  { SAMPLE_GUID }, { SAMPLE_OUT }, { SAMPLE_T }, { true } },
	{ "sample, surrounding whitespace", " \r\n\t" SAMPLE_BODY "\n \n", 0,
	  1, 0, 20, 1, 1, -1,
	  { SAMPLE_GUID }, { SAMPLE_OUT }, { SAMPLE_T }, { true } },
	{ "in progress: end_time null",
	  PAGE("{\"guid\":\"g1\",\"start_time\":\"2023-12-13T16:19:50Z\","
	       "\"end_time\":null}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "g1" },
	  { "{\n  \"guid\": \"g1\",\n  \"start_time\": "
	    "\"2023-12-13T16:19:50Z\",\n  \"end_time\": null\n}\n" },
	  { SAMPLE_T }, { false } },
	{ "end_time wins over start_time",
	  PAGE("{\"guid\":\"g1\",\"start_time\":\"2023-12-13T16:19:50Z\","
	       "\"end_time\":\"2023-12-13T16:20:00Z\"}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "g1" }, { NULL }, { SAMPLE_T + 10 },
	  { true } },
	{ "no times at all",
	  PAGE(RUN("g1"), META1), 0, 1, 0, 20, 1, 1, -1,
	  { "g1" }, { OUT("g1") }, { 0 }, { false } },
	{ "unparseable times -> mtime 0",
	  PAGE("{\"guid\":\"g1\",\"start_time\":\"yesterday\","
	       "\"end_time\":null}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "g1" }, { NULL }, { 0 }, { false } },
	{ "times of the wrong type -> mtime 0",
	  PAGE("{\"guid\":\"g1\",\"start_time\":1702484390,"
	       "\"end_time\":false}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "g1" }, { NULL }, { 0 }, { false } },
	{ "unreadable end_time falls back to start_time",
	  PAGE("{\"guid\":\"g1\",\"start_time\":\"2023-12-13T16:19:50Z\","
	       "\"end_time\":\"soon\"}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "g1" }, { NULL }, { SAMPLE_T }, { true } },
	{ "offset time",
	  PAGE("{\"guid\":\"g1\",\"end_time\":\"2023-12-13T18:19:50.5+02:00\"}",
	       META1),
	  0, 1, 0, 20, 1, 1, -1, { "g1" }, { NULL }, { SAMPLE_T }, { true } },
	{ "unknown fields, key order and number text kept",
	  PAGE("{\"zeta\":{\"n\":[1.50,-0,1E+5]},\"guid\":\"g1\","
	       "\"new_field\":\"caf\\u00e9\",\"alpha\":[],\"o\":{}}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "g1" },
	  { "{\n  \"zeta\": {\n    \"n\": [\n      1.50,\n      -0,\n"
	    "      1E+5\n    ]\n  },\n  \"guid\": \"g1\",\n"
	    "  \"new_field\": \"caf\xc3\xa9\",\n  \"alpha\": [],\n"
	    "  \"o\": {}\n}\n" },
	  { 0 }, { false } },
	{ "unknown top-level and meta fields ignored",
	  "{\"x\":[1,{\"y\":2}],\"group_runs\":[" RUN("g1") "],"
	  "\"meta\":{\"next_page_number\":null,\"per_page\":20,\"pages\":1,"
	  "\"count\":1,\"extra\":{\"a\":[]}},\"z\":null}",
	  0, 1, 0, 20, 1, 1, -1, { "g1" }, { OUT("g1") }, { 0 }, { false } },
	{ "meta with a next page",
	  PAGE(RUN("a") "," RUN("b"), META("2", "2", "3", "5")),
	  0, 2, 0, 2, 3, 5, 2, { "a", "b" }, { OUT("a"), OUT("b") },
	  { 0, 0 }, { false, false } },
	{ "meta on the last page of several",
	  PAGE(RUN("e"), META("null", "2", "3", "5")),
	  0, 1, 0, 2, 3, 5, -1, { "e" }, { OUT("e") }, { 0 }, { false } },
	{ "empty page", PAGE("", META("null", "20", "0", "0")),
	  0, 0, 0, 20, 0, 0, -1, { NULL }, { NULL }, { 0 }, { false } },
	{ "empty page with whitespace in the array",
	  PAGE(" \n ", META("null", "20", "0", "0")),
	  0, 0, 0, 20, 0, 0, -1, { NULL }, { NULL }, { 0 }, { false } },
	{ "escaped key names are the same keys",
	  "{\"group\\u005fruns\":[" RUN("g1") "],\"m\\u0065ta\":"
	  "{\"next_page_number\":null,\"per_page\":20,\"pages\":1,"
	  "\"count\":1}}",
	  0, 1, 0, 20, 1, 1, -1, { "g1" }, { OUT("g1") }, { 0 }, { false } },
	{ "duplicate group_runs: guid and bytes from the same (last) one",
	  "{\"group_runs\":[" RUN("A") "]," META1 ",\"group_runs\":["
	  RUN("C") "]}",
	  0, 1, 0, 20, 1, 1, -1, { "C" }, { OUT("C") }, { 0 }, { false } },
	/* json-c reads a key up to an escaped NUL ("guid\u0000" as "guid");
	 * the name must come from the key the file's bytes really hold. */
	{ "escaped NUL in a key: not the guid",
	  PAGE("{\"guid\\u0000\":\"x\"}," RUN("g1"), META1),
	  0, 1, 1, 20, 1, 1, -1, { "g1" }, { OUT("g1") }, { 0 }, { false } },
	{ "escaped NUL in a key: does not override the guid",
	  PAGE("{\"guid\":\"a\",\"guid\\u0000\":\"b\"}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "a" },
	  { "{\n  \"guid\": \"a\",\n  \"guid\\u0000\": \"b\"\n}\n" },
	  { 0 }, { false } },
	{ "escaped NUL in a key: no end_time",
	  PAGE("{\"guid\":\"a\",\"start_time\":\"2023-12-13T16:19:50Z\","
	       "\"end_time\\u0000\":\"2023-12-13T16:20:00Z\"}", META1),
	  0, 1, 0, 20, 1, 1, -1, { "a" }, { NULL }, { SAMPLE_T }, { false } },
	{ "escaped NUL in group_runs: guid and bytes from the same array",
	  "{\"group_runs\":[" RUN("A") "],\"group_runs\\u0000\":[" RUN("B") "],"
	  META1 "}",
	  0, 1, 0, 20, 1, 1, -1, { "A" }, { OUT("A") }, { 0 }, { false } },
	{ "utf-8 and escapes in a guid",
	  PAGE(RUN("caf\xc3\xa9-\\u00e9-\\\"q\\\"-\\\\"), META1),
	  0, 1, 0, 20, 1, 1, -1, { "caf\xc3\xa9-\xc3\xa9-\"q\"-\\" },
	  { "{\n  \"guid\": \"caf\xc3\xa9-\xc3\xa9-\\\"q\\\"-\\\\\"\n}\n" },
	  { 0 }, { false } },
	{ "guid of three dots is a name",
	  PAGE(RUN("..."), META1), 0, 1, 0, 20, 1, 1, -1,
	  { "..." }, { OUT("...") }, { 0 }, { false } },

	/* bad items are skipped and counted; runs around them survive */
	{ "bad items skipped",
	  PAGE(RUN("first") ",42,\"str\",null,[],true,"
	       "{\"id\":1},{\"guid\":7},{\"guid\":null},{\"guid\":[\"x\"]},"
	       "{\"guid\":\"\"},{\"guid\":\".\"},{\"guid\":\"..\"},"
	       "{\"guid\":\"a/b\"},{\"guid\":\"/\"},{\"guid\":\"a\\u0001b\"},"
	       "{\"guid\":\"a\\u0000b\"},{\"guid\":\"a\\nb\"},"
	       "{\"guid\":\"a\\u007fb\"}," RUN("middle") ","
	       "{\"GUID\":\"x\"}," RUN("last"),
	       META("null", "20", "1", "20")),
	  0, 3, 19, 20, 1, 20, -1, { "first", "middle", "last" },
	  { OUT("first"), OUT("middle"), OUT("last") }, { 0, 0, 0 },
	  { false, false, false } },

	/* not one JSON document of the documented shape */
	BAD("empty body", ""),
	BAD("whitespace only", " \n\t "),
	BAD("truncated",
	    "{\"group_runs\":[" SAMPLE_RUN "],\"meta\":{\"per_page\""),
	BAD("truncated by one byte",
	  "{\"group_runs\":[" SAMPLE_RUN "]," SAMPLE_META),
	BAD("trailing garbage", SAMPLE_BODY "x"),
	BAD("trailing second document", SAMPLE_BODY "{}"),
	BAD("trailing comma", SAMPLE_BODY ","),
	BAD("trailing comma in array",
	  PAGE(RUN("a") ",", META1)),
	BAD("single quotes", "{'group_runs':[]," META1 "}"),
	BAD("not an object: array", "[" SAMPLE_BODY "]"),
	BAD("not an object: null", "null"),
	BAD("not an object: string", "\"{}\""),
	BAD("not an object: number", "1"),
	BAD("group_runs missing", "{" META1 "}"),
	BAD("group_runs null", "{\"group_runs\":null," META1 "}"),
	BAD("group_runs object", "{\"group_runs\":{}," META1 "}"),
	BAD("group_runs string", "{\"group_runs\":\"[]\"," META1 "}"),
	BAD("meta missing", "{\"group_runs\":[" RUN("a") "]}"),
	BAD("meta null", "{\"group_runs\":[],\"meta\":null}"),
	BAD("meta array", "{\"group_runs\":[],\"meta\":[]}"),
	BAD("meta pages string", PAGE(RUN("a"), META("null", "20", "\"1\"", "1"))),
	BAD("meta pages negative", PAGE(RUN("a"), META("null", "20", "-1", "1"))),
	BAD("meta pages fractional",
	  PAGE(RUN("a"), META("null", "20", "1.5", "1"))),
	BAD("meta pages null", PAGE(RUN("a"), META("null", "20", "null", "1"))),
	BAD("meta per_page string",
	  PAGE(RUN("a"), META("null", "\"20\"", "1", "1"))),
	BAD("meta per_page negative",
	  PAGE(RUN("a"), META("null", "-20", "1", "1"))),
	BAD("meta count bool", PAGE(RUN("a"), META("null", "20", "1", "true"))),
	BAD("meta count negative", PAGE(RUN("a"), META("null", "20", "1", "-1"))),
	BAD("meta next_page_number string",
	  PAGE(RUN("a"), META("\"2\"", "20", "1", "1"))),
	BAD("meta next_page_number negative",
	  PAGE(RUN("a"), META("-2", "20", "1", "1"))),
	BAD("meta per_page missing",
	  "{\"group_runs\":[],\"meta\":{\"next_page_number\":null,"
	  "\"pages\":0,\"count\":0}}"),
	BAD("meta pages missing",
	  "{\"group_runs\":[],\"meta\":{\"next_page_number\":null,"
	  "\"per_page\":20,\"count\":0}}"),
	BAD("meta count missing",
	  "{\"group_runs\":[],\"meta\":{\"next_page_number\":null,"
	  "\"per_page\":20,\"pages\":0}}"),
	BAD("invalid utf-8 in a value",
	  PAGE("{\"guid\":\"a\",\"draft_name\":\"\xff\"}", META1)),
	BAD("invalid utf-8 in a guid", PAGE(RUN("a\xc3\x28"), META1)),
	BAD("truncated utf-8 sequence",
	  PAGE("{\"guid\":\"a\",\"d\":\"\xe2\x82\"}", META1)),
	BAD("overlong utf-8",
	  PAGE("{\"guid\":\"a\",\"d\":\"\xc0\xaf\"}", META1)),
	BAD("invalid utf-8 in a key",
	  PAGE("{\"guid\":\"a\",\"\xfe\":1}", META1)),
	BAD("raw control character in a string",
	  PAGE("{\"guid\":\"a\",\"d\":\"x\ny\"}", META1)),
	BAD("bad number", PAGE("{\"guid\":\"a\",\"n\":01}", META1)),
	BAD("NaN", PAGE("{\"guid\":\"a\",\"n\":NaN}", META1)),
	BAD("bad escape", PAGE(RUN("a\\x41"), META1)),
	BAD("bad item inside a bad body",
	  "{\"group_runs\":[42,}," META1 "}"),
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* ---- helpers ----------------------------------------------------------- */

/* Exact-size copy without a terminator, so ASan sees reads past the end. */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, n);
	return p;
}

static int parse(const char *s, size_t n, struct tfs_page *out)
{
	char *in = dup_exact(s, n);
	int rc = tfs_page_parse(in, n, out);

	free(in);
	return rc;
}

static bool page_is_zero(const struct tfs_page *p)
{
	return p->runs == NULL && p->nruns == 0 && p->skipped == 0;
}

/* ---- table ------------------------------------------------------------- */

START_TEST(test_page_case)
{
	const struct page_case *c = &cases[_i];
	struct tfs_page p;
	int rc;

	memset(&p, 0x5a, sizeof(p));
	rc = parse(c->body, strlen(c->body), &p);
	ck_assert_msg(rc == c->want_err, "[%s] rc %d, want %d", c->name, rc,
		      c->want_err);
	if (rc != 0) {
		ck_assert_msg(page_is_zero(&p), "[%s] failed parse left runs",
			      c->name);
		return;
	}
	ck_assert_msg(p.nruns == c->nruns, "[%s] nruns %zu, want %zu", c->name,
		      p.nruns, c->nruns);
	ck_assert_msg(p.skipped == c->skipped, "[%s] skipped %zu, want %zu",
		      c->name, p.skipped, c->skipped);
	ck_assert_msg(p.per_page == c->per_page && p.pages == c->pages &&
		      p.count == c->count && p.next_page_number == c->next,
		      "[%s] meta %lld/%lld/%lld/%lld, want %lld/%lld/%lld/%lld",
		      c->name, (long long)p.per_page, (long long)p.pages,
		      (long long)p.count, (long long)p.next_page_number,
		      (long long)c->per_page, (long long)c->pages,
		      (long long)c->count, (long long)c->next);
	for (size_t i = 0; i < p.nruns && i < MAXR; i++) {
		const struct tfs_page_run *r = &p.runs[i];

		ck_assert_msg(r->guid != NULL && r->guid_len == strlen(c->guid[i]) &&
			      memcmp(r->guid, c->guid[i], r->guid_len) == 0 &&
			      r->guid[r->guid_len] == '\0',
			      "[%s] run %zu guid '%s', want '%s'", c->name, i,
			      r->guid ? r->guid : "(null)", c->guid[i]);
		ck_assert_msg(tfs_guid_ok(r->guid, r->guid_len),
			      "[%s] run %zu guid not safe", c->name, i);
		ck_assert_msg(r->mtime == c->mtime[i], "[%s] run %zu mtime %lld, want %lld",
			      c->name, i, (long long)r->mtime, (long long)c->mtime[i]);
		ck_assert_msg(r->finished == c->finished[i],
			      "[%s] run %zu finished %d, want %d", c->name, i,
			      r->finished, c->finished[i]);
		ck_assert_msg(r->bytes != NULL && r->len > 0,
			      "[%s] run %zu has no bytes", c->name, i);
		if (c->bytes[i])
			ck_assert_msg(r->len == strlen(c->bytes[i]) &&
				      memcmp(r->bytes, c->bytes[i], r->len) == 0,
				      "[%s] run %zu bytes:\n%.*s\nwant:\n%s", c->name,
				      i, (int)r->len, r->bytes, c->bytes[i]);
	}
	tfs_page_free(&p);
	ck_assert_msg(page_is_zero(&p), "[%s] tfs_page_free left state", c->name);
}
END_TEST

/* ---- cases a string literal cannot carry ------------------------------- */

/* Builds PAGE(RUN(ok1), {"guid": <n x 'g'>}, RUN(ok2)) into a heap string. */
static char *page_with_guid_len(size_t n)
{
	static const char head[] = "{\"group_runs\":[" RUN("ok1") ",{\"guid\":\"";
	static const char tail[] = "\"}," RUN("ok2") "]," META1 "}";
	size_t len = strlen(head) + n + strlen(tail);
	char *b = malloc(len + 1);

	ck_assert_ptr_nonnull(b);
	memcpy(b, head, strlen(head));
	memset(b + strlen(head), 'g', n);
	memcpy(b + strlen(head) + n, tail, strlen(tail) + 1);
	return b;
}

START_TEST(test_guid_length_limit)
{
	struct guid_len_case {
		size_t n;
		size_t nruns, skipped;
	} lc[] = {
		{ 1, 3, 0 },
		{ TFS_GUID_MAX - 1, 3, 0 },
		{ TFS_GUID_MAX, 3, 0 },
		{ TFS_GUID_MAX + 1, 2, 1 },
		{ 4096, 2, 1 },
	};

	for (size_t k = 0; k < sizeof(lc) / sizeof(lc[0]); k++) {
		char *b = page_with_guid_len(lc[k].n);
		struct tfs_page p;

		ck_assert_msg(parse(b, strlen(b), &p) == 0, "guid len %zu: parse failed",
			      lc[k].n);
		ck_assert_msg(p.nruns == lc[k].nruns && p.skipped == lc[k].skipped,
			      "guid len %zu: nruns %zu skipped %zu, want %zu %zu",
			      lc[k].n, p.nruns, p.skipped, lc[k].nruns, lc[k].skipped);
		ck_assert_str_eq(p.runs[0].guid, "ok1");
		ck_assert_str_eq(p.runs[p.nruns - 1].guid, "ok2");
		if (p.nruns == 3)
			ck_assert_msg(p.runs[1].guid_len == lc[k].n &&
				      strspn(p.runs[1].guid, "g") == lc[k].n,
				      "guid len %zu: middle guid wrong", lc[k].n);
		tfs_page_free(&p);
		free(b);
	}
}
END_TEST

START_TEST(test_nul_bytes)
{
	/* A raw NUL after the document, or inside it, is not whitespace. */
	static const char body[] = SAMPLE_BODY;
	size_t n = sizeof(body) - 1;
	char *b = malloc(n + 3);
	struct tfs_page p;

	ck_assert_ptr_nonnull(b);
	memcpy(b, body, n);
	b[n] = '\0';
	ck_assert_int_eq(parse(b, n + 1, &p), -EBADMSG);
	b[n] = '\n';
	b[n + 1] = '\0';
	b[n + 2] = ' ';
	ck_assert_int_eq(parse(b, n + 3, &p), -EBADMSG);
	/* the same body with an honest length parses */
	ck_assert_int_eq(parse(b, n + 1, &p), 0);
	tfs_page_free(&p);
	/* a NUL in the middle of a string value */
	memcpy(b, body, n);
	b[strstr(body, "My draft") - body + 2] = '\0';
	ck_assert_int_eq(parse(b, n, &p), -EBADMSG);
	free(b);
}
END_TEST

START_TEST(test_every_prefix_fails)
{
	static const char body[] = SAMPLE_BODY;
	struct tfs_page p;

	for (size_t n = 0; n < sizeof(body) - 1; n++) {
		int rc = parse(body, n, &p);

		ck_assert_msg(rc == -EBADMSG, "prefix of %zu bytes: rc %d", n, rc);
		ck_assert(page_is_zero(&p));
	}
}
END_TEST

/* Nesting: root object (1), group_runs (2), run object (3), then `extra`
 * nested arrays inside a field of the run. */
static char *nested_page(int depth)
{
	static const char head[] = "{\"group_runs\":[{\"guid\":\"deep\",\"x\":";
	static const char tail[] = "}]," META1 "}";
	int extra = depth - 3;
	size_t len = strlen(head) + 2 * (size_t)extra + strlen(tail);
	char *b = malloc(len + 1), *w;

	ck_assert_ptr_nonnull(b);
	w = b + sprintf(b, "%s", head);
	memset(w, '[', (size_t)extra);
	memset(w + extra, ']', (size_t)extra);
	strcpy(w + 2 * extra, tail);
	return b;
}

START_TEST(test_depth_limit)
{
	static const struct {
		int depth;
		int want;
	} dc[] = {
		{ 4, 0 },
		{ TFS_PAGE_MAX_DEPTH, 0 },
		{ TFS_PAGE_MAX_DEPTH + 1, -EBADMSG },
		{ TFS_PAGE_MAX_DEPTH + 8, -EBADMSG },
		{ 1000, -EBADMSG },
	};

	for (size_t k = 0; k < sizeof(dc) / sizeof(dc[0]); k++) {
		char *b = nested_page(dc[k].depth);
		struct tfs_page p;
		int rc = parse(b, strlen(b), &p);

		ck_assert_msg(rc == dc[k].want, "depth %d: rc %d, want %d",
			      dc[k].depth, rc, dc[k].want);
		if (rc == 0) {
			ck_assert_uint_eq(p.nruns, 1);
			ck_assert_str_eq(p.runs[0].guid, "deep");
			tfs_page_free(&p);
		}
		free(b);
	}
}
END_TEST

START_TEST(test_take)
{
	struct tfs_page p;
	char *guid, *bytes;

	ck_assert_int_eq(parse(PAGE(RUN("a") "," RUN("b"), META1),
			       strlen(PAGE(RUN("a") "," RUN("b"), META1)), &p), 0);
	ck_assert_uint_eq(p.nruns, 2);
	tfs_page_take(&p, 1, &guid, &bytes);
	ck_assert_ptr_null(p.runs[1].guid);
	ck_assert_ptr_null(p.runs[1].bytes);
	ck_assert_str_eq(p.runs[0].guid, "a");
	tfs_page_free(&p);	/* must not free what was taken */
	ck_assert_str_eq(guid, "b");
	ck_assert(memcmp(bytes, OUT("b"), strlen(OUT("b"))) == 0);
	free(guid);
	free(bytes);
}
END_TEST

START_TEST(test_many_runs)
{
	/* 500 runs: every one kept, in order, with its own bytes */
	size_t cap = 64 * 500 + 256, len = 0;
	char *b = malloc(cap);
	struct tfs_page p;

	ck_assert_ptr_nonnull(b);
	len += (size_t)sprintf(b + len, "{\"group_runs\":[");
	for (int i = 0; i < 500; i++)
		len += (size_t)sprintf(b + len, "%s{\"guid\":\"run-%03d\",\"n\":%d}",
				       i ? "," : "", i, i);
	len += (size_t)sprintf(b + len, "]," META("null", "500", "1", "500") "}");
	ck_assert_int_eq(parse(b, len, &p), 0);
	ck_assert_uint_eq(p.nruns, 500);
	for (int i = 0; i < 500; i++) {
		char g[16], want[64];

		snprintf(g, sizeof(g), "run-%03d", i);
		snprintf(want, sizeof(want), "{\n  \"guid\": \"%s\",\n  \"n\": %d\n}\n",
			 g, i);
		ck_assert_str_eq(p.runs[i].guid, g);
		ck_assert_msg(p.runs[i].len == strlen(want) &&
			      memcmp(p.runs[i].bytes, want, p.runs[i].len) == 0,
			      "run %d bytes wrong", i);
	}
	tfs_page_free(&p);
	free(b);
}
END_TEST

static Suite *page_suite(void)
{
	Suite *s = suite_create("page");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_page_case, 0, NCASES);
	tcase_add_test(tc, test_guid_length_limit);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_every_prefix_fails);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_many_runs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(page_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
