/*
 * test_jsontext.c -- unit tests for src/jsontext.c.
 *
 * Every input is copied into an exact-size heap buffer (no NUL terminator)
 * so ASan flags any read past text+len. Render output is checked against
 * literal expectations and, for integer-only inputs, against a real
 * `jq .` subprocess byte for byte.
 */
#include "jsontext.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JQ "/usr/bin/jq"

/* Nesting helpers: string literal concatenation builds deep inputs. */
#define L8 "[[[[[[[["
#define R8 "]]]]]]]]"
#define L64 L8 L8 L8 L8 L8 L8 L8 L8
#define R64 R8 R8 R8 R8 R8 R8 R8 R8
#define O1 "{\"a\":"
#define O8 O1 O1 O1 O1 O1 O1 O1 O1
#define O64 O8 O8 O8 O8 O8 O8 O8 O8
#define C8 "}}}}}}}}"
#define C64 C8 C8 C8 C8 C8 C8 C8 C8

#define SAMPLE_IN \
	"{\"guid\":\"5466f325-0bc6-47fb-943f-41d1a2a8d6ae\",\"duration\":0," \
	"\"story_id\":155,\"group_id\":200," \
	"\"start_time\":\"2023-12-13T16:19:50Z\"," \
	"\"end_time\":\"2023-12-13T16:19:50Z\",\"action_count\":5," \
	"\"event_count\":5,\"story_mode\":\"LIVE\",\"draft_id\":12345," \
	"\"draft_name\":\"My draft\"}"
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

#define FFFD "\xef\xbf\xbd"

struct jt_case {
	const char *in;
	const char *want;
	int want_err;
};

static const struct jt_case cases[] = {
	/* the Tines sample run */
	{ SAMPLE_IN, SAMPLE_OUT, 0 },
	{ "  \r\n\t" SAMPLE_IN "\n\n  ", SAMPLE_OUT, 0 },
	/* scalars and nulls */
	{ "null", "null\n", 0 },
	{ " \t\r\n true \n", "true\n", 0 },
	{ "false", "false\n", 0 },
	{ "\"\"", "\"\"\n", 0 },
	{ "{\"a\":null,\"b\":[null,null]}",
	  "{\n  \"a\": null,\n  \"b\": [\n    null,\n    null\n  ]\n}\n", 0 },
	/* nesting */
	{ "{\"a\":{\"b\":[1,[2,{}],{\"c\":null}]},\"d\":[]}",
	  "{\n  \"a\": {\n    \"b\": [\n      1,\n      [\n        2,\n"
	  "        {}\n      ],\n      {\n        \"c\": null\n      }\n"
	  "    ]\n  },\n  \"d\": []\n}\n", 0 },
	{ "[[[]]]", "[\n  [\n    []\n  ]\n]\n", 0 },
	{ "[{},{\"x\":\"y\"}]",
	  "[\n  {},\n  {\n    \"x\": \"y\"\n  }\n]\n", 0 },
	/* empty containers with inner whitespace */
	{ "{ \n\t }", "{}\n", 0 },
	{ "[ \r\n ]", "[]\n", 0 },
	{ "{\"a\" : [ ] , \"b\" :{\n}}",
	  "{\n  \"a\": [],\n  \"b\": {}\n}\n", 0 },
	/* key order and duplicates kept as written */
	{ "{\"z\":1,\"a\":2,\"m\":3}",
	  "{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": 3\n}\n", 0 },
	{ "{\"a\":1,\"a\":2}", "{\n  \"a\": 1,\n  \"a\": 2\n}\n", 0 },
	/* unicode: raw kept, escapes decoded to raw UTF-8 */
	{ "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"",
	  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"\n",
	  0 },
	{ "\"\\u00e9\\u20AC\\u0041\\u0020\"", "\"\xc3\xa9\xe2\x82\xac" "A \"\n",
	  0 },
	{ "{\"caf\\u00e9\":\"\\u00E9\"}",
	  "{\n  \"caf\xc3\xa9\": \"\xc3\xa9\"\n}\n", 0 },
	{ "\"a\\/b\"", "\"a/b\"\n", 0 },
	{ "\"q\\\"b\\\\s\"", "\"q\\\"b\\\\s\"\n", 0 },
	/* control characters: short escapes, else lowercase \u00xx */
	{ "\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001F\\u000a\\u0008\"",
	  "\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\\n\\b\"\n", 0 },
	{ "{\"k\\u001b\":\"\\u000B\"}",
	  "{\n  \"k\\u001b\": \"\\u000b\"\n}\n", 0 },
	/* DEL, escaped and raw */
	{ "\"\\u007F\x7f\"", "\"\\u007f\\u007f\"\n", 0 },
	{ "\"\\u0080\"", "\"\xc2\x80\"\n", 0 },
	/* surrogates */
	{ "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"\n", 0 },
	{ "\"\\uD83D\\uDE00\\udbff\\udfff\"",
	  "\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"\n", 0 },
	{ "\"\\ud800\"", "\"" FFFD "\"\n", 0 },
	{ "\"\\udc00x\"", "\"" FFFD "x\"\n", 0 },
	{ "\"\\ud800\\u0041\"", "\"" FFFD "A\"\n", 0 },
	{ "\"\\ud800\\ud800\\udc00\"", "\"" FFFD "\xf0\x90\x80\x80\"\n", 0 },
	{ "\"\\udc00\\ud800\"", "\"" FFFD FFFD "\"\n", 0 },
	{ "\"\\ud800\\n\"", "\"" FFFD "\\n\"\n", 0 },
	/* numbers verbatim */
	{ "1.50", "1.50\n", 0 },
	{ "1E+5", "1E+5\n", 0 },
	{ "-0", "-0\n", 0 },
	{ "1e-7", "1e-7\n", 0 },
	{ "123456789012345678901234567890", "123456789012345678901234567890\n",
	  0 },
	{ "-0.0e-0", "-0.0e-0\n", 0 },
	{ "[1.50,1E5,-0,0,-12.000e+010]",
	  "[\n  1.50,\n  1E5,\n  -0,\n  0,\n  -12.000e+010\n]\n", 0 },
	{ "{\"n\":123456789012345678901234567890}",
	  "{\n  \"n\": 123456789012345678901234567890\n}\n", 0 },
	/* depth 64 is allowed (full output checked in test_depth_64) */
	{ L64 R64, NULL, 0 },
	{ O64 "1" C64, NULL, 0 },
	/* depth 65 */
	{ L64 "[" R64 "]", NULL, -E2BIG },
	{ L64 "[", NULL, -E2BIG },
	{ O64 "[1]" C64, NULL, -E2BIG },
	{ "[" O64 "1" C64 "]", NULL, -E2BIG },
	/* empty / truncated */
	{ "", NULL, -EINVAL },
	{ "   ", NULL, -EINVAL },
	{ "{", NULL, -EINVAL },
	{ "[1,2", NULL, -EINVAL },
	{ "[1,", NULL, -EINVAL },
	{ "{\"a\"", NULL, -EINVAL },
	{ "{\"a\":", NULL, -EINVAL },
	{ "{\"a\":1", NULL, -EINVAL },
	{ "\"abc", NULL, -EINVAL },
	{ "\"abc\\", NULL, -EINVAL },
	{ "\"\\u12", NULL, -EINVAL },
	{ "\"\\ud83d\\ude0", NULL, -EINVAL },
	{ "tru", NULL, -EINVAL },
	{ "nul", NULL, -EINVAL },
	{ "-", NULL, -EINVAL },
	/* trailing garbage */
	{ "1 2", NULL, -EINVAL },
	{ "{} x", NULL, -EINVAL },
	{ "[]]", NULL, -EINVAL },
	{ "null,", NULL, -EINVAL },
	{ "{}{}", NULL, -EINVAL },
	{ "truex", NULL, -EINVAL },
	{ "\"a\"\"b\"", NULL, -EINVAL },
	/* whitespace outside the RFC 8259 set */
	{ "\f1", NULL, -EINVAL },
	{ "1\v", NULL, -EINVAL },
	{ "\xc2\xa0" "1", NULL, -EINVAL },
	/* bad numbers */
	{ "01", NULL, -EINVAL },
	{ "-01", NULL, -EINVAL },
	{ "00", NULL, -EINVAL },
	{ "1.", NULL, -EINVAL },
	{ ".5", NULL, -EINVAL },
	{ "+1", NULL, -EINVAL },
	{ "1e", NULL, -EINVAL },
	{ "1e+", NULL, -EINVAL },
	{ "1.5E-", NULL, -EINVAL },
	{ "1.e5", NULL, -EINVAL },
	{ "0x10", NULL, -EINVAL },
	{ "NaN", NULL, -EINVAL },
	{ "-Infinity", NULL, -EINVAL },
	{ "[1,01]", NULL, -EINVAL },
	/* structure */
	{ "[1,]", NULL, -EINVAL },
	{ "[,]", NULL, -EINVAL },
	{ "[1 2]", NULL, -EINVAL },
	{ "{\"a\":1,}", NULL, -EINVAL },
	{ "{,}", NULL, -EINVAL },
	{ "{\"a\" 1}", NULL, -EINVAL },
	{ "{a:1}", NULL, -EINVAL },
	{ "{1:1}", NULL, -EINVAL },
	{ "{\"a\":1]", NULL, -EINVAL },
	{ "[1}", NULL, -EINVAL },
	{ "'a'", NULL, -EINVAL },
	/* bad escapes */
	{ "\"\\x41\"", NULL, -EINVAL },
	{ "\"\\U0041\"", NULL, -EINVAL },
	{ "\"\\u00g1\"", NULL, -EINVAL },
	{ "\"\\ud800\\u12\"", NULL, -EINVAL },
	{ "\"\\'\"", NULL, -EINVAL },
	/* invalid UTF-8 */
	{ "\"\x80\"", NULL, -EINVAL },
	{ "\"\xc0\xaf\"", NULL, -EINVAL },
	{ "\"\xc1\xbf\"", NULL, -EINVAL },
	{ "\"\xe0\x80\xaf\"", NULL, -EINVAL },
	{ "\"\xf0\x80\x80\xaf\"", NULL, -EINVAL },
	{ "\"\xed\xa0\x80\"", NULL, -EINVAL },
	{ "\"\xed\xbf\xbf\"", NULL, -EINVAL },
	{ "\"\xf4\x90\x80\x80\"", NULL, -EINVAL },
	{ "\"\xf5\x80\x80\x80\"", NULL, -EINVAL },
	{ "\"\xc3\"", NULL, -EINVAL },
	{ "\"\xe2\x82\"", NULL, -EINVAL },
	{ "\"\xf0\x9f\x98", NULL, -EINVAL },
	{ "\"\xff\"", NULL, -EINVAL },
	{ "{\"\xc3\x28\":1}", NULL, -EINVAL },
	{ "\xc3\xa9", NULL, -EINVAL },
	/* raw control characters in strings */
	{ "\"a\x01z\"", NULL, -EINVAL },
	{ "\"a\nb\"", NULL, -EINVAL },
	{ "\"\t\"", NULL, -EINVAL },
	{ "\"\x1f\"", NULL, -EINVAL },
	{ "{\"k\r\":1}", NULL, -EINVAL },
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* Exact-size, unterminated copy: the point is to let ASan see overreads. */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, n);
	return p;
}

static int render(const char *s, size_t n, char **out, size_t *out_len)
{
	char *in = dup_exact(s, n);
	int rc = tfs_jt_render(in, n, out, out_len);

	free(in);
	return rc;
}

START_TEST(test_render_case)
{
	const struct jt_case *c = &cases[_i];
	char *out = (char *)1;
	size_t out_len = 0;
	int rc = render(c->in, strlen(c->in), &out, &out_len);

	ck_assert_msg(rc == c->want_err, "case %d: rc %d, want %d", _i, rc,
		      c->want_err);
	if (c->want_err) {
		ck_assert_ptr_null(out);
		return;
	}
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(out[out_len] == '\0', "case %d: not NUL-terminated", _i);
	ck_assert_msg(out_len > 0 && out[out_len - 1] == '\n' &&
		      (out_len < 2 || out[out_len - 2] != '\n'),
		      "case %d: must end in exactly one newline", _i);
	if (c->want)
		ck_assert_msg(out_len == strlen(c->want) &&
			      memcmp(out, c->want, out_len) == 0,
			      "case %d:\n got: %s\nwant: %s", _i, out, c->want);
	free(out);
}
END_TEST

/* Expected jq layout of n nested arrays, built independently. */
static char *nested_arrays_want(int n)
{
	size_t cap = (size_t)n * (size_t)n * 4 + 16, len = 0;
	char *w = malloc(cap);
	int i;

	ck_assert_ptr_nonnull(w);
	for (i = 0; i < n - 1; i++)
		len += (size_t)sprintf(w + len, "%*s[\n", 2 * i, "");
	len += (size_t)sprintf(w + len, "%*s[]\n", 2 * (n - 1), "");
	for (i = n - 2; i >= 0; i--)
		len += (size_t)sprintf(w + len, "%*s]\n", 2 * i, "");
	return w;
}

START_TEST(test_depth_64)
{
	const char *in = L64 R64;
	char *want = nested_arrays_want(TFS_JT_MAX_DEPTH);
	char *out;
	size_t out_len;

	ck_assert_int_eq(render(in, strlen(in), &out, &out_len), 0);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(out_len, strlen(want));
	free(out);
	free(want);
}
END_TEST

/* Bytes a C string literal cannot carry: raw NUL. */
START_TEST(test_embedded_nul)
{
	char *out;
	size_t out_len;

	ck_assert_int_eq(render("\"a\0b\"", 5, &out, &out_len), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(render("1\0", 2, &out, &out_len), -EINVAL);
	ck_assert_int_eq(render("\0", 1, &out, &out_len), -EINVAL);
	ck_assert_int_eq(tfs_jt_render(NULL, 0, &out, &out_len), -EINVAL);
	ck_assert_ptr_null(out);
}
END_TEST

/* Every proper prefix of a container is truncated JSON: all must fail
 * cleanly, and ASan proves nothing reads past the cut. */
START_TEST(test_every_prefix)
{
	static const char *docs[] = {
		SAMPLE_IN,
		"[\"caf\xc3\xa9\\u00e9\\ud83d\\ude00\", 1.5e+3, {\"a\": [true, "
		"false, null]}, -0]",
	};
	size_t d, n, vs, vl, out_len;
	char *out, *in;

	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		for (n = 0; n < strlen(docs[d]); n++) {
			ck_assert_int_eq(render(docs[d], n, &out, &out_len),
					 -EINVAL);
			ck_assert_ptr_null(out);
			in = dup_exact(docs[d], n);
			ck_assert_int_eq(tfs_jt_member(in, n, "a", &vs, &vl),
					 -EINVAL);
			ck_assert_int_eq(tfs_jt_array_each(in, n, NULL, NULL),
					 -EINVAL);
			free(in);
		}
	}
}
END_TEST

/* ---- comparison with a real jq ---------------------------------------- */

static const char *const jq_inputs[] = {
	SAMPLE_IN,
	"null",
	"\"plain\"",
	"-5",
	"[]",
	"{}",
	"{ \n\t }",
	"[ \r\n ]",
	"{\"a\":{\"b\":[1,[2,{}],{\"c\":null}]},\"d\":[],\"e\":{ },\"f\":true}",
	"[{},{\"x\":\"y\"},[[]],[[1,2],[3]]]",
	"{\"z\":1,\"a\":2,\"m\":3,\"b\":{\"y\":0,\"c\":-1}}",
	"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"",
	"{\"caf\\u00e9\":\"\\u00E9\\u20ac\\u0041\"}",
	"\"a\\/b\"",
	"\"q\\\"b\\\\s\"",
	"\"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001F\\u000a\\u000b\\u001b\"",
	"{\"k\\u001b\":\"\\u000B\"}",
	"\"\\u007F\x7f\\u0080\\u00ff\"",
	"\"\\ud83d\\ude00\\uDBFF\\uDFFF\"",
	"\"\\udc00\"", /* jq 1.6 rejects a lone *high* surrogate */
	L64 R64,
	L64 "1" R64,
	O64 "null" C64,
};

#define NJQ ((int)(sizeof(jq_inputs) / sizeof(jq_inputs[0])))

static char *run_jq(const char *in, size_t *out_len)
{
	char path[] = "/tmp/tfs_jt_XXXXXX", cmd[64];
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);
	FILE *f;
	int fd, st;

	ck_assert_ptr_nonnull(buf);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, in, strlen(in)), (ssize_t)strlen(in));
	close(fd);
	snprintf(cmd, sizeof(cmd), JQ " -M . %s", path);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			buf = realloc(buf, cap *= 2);
			ck_assert_ptr_nonnull(buf);
		}
	}
	st = pclose(f);
	unlink(path);
	ck_assert_msg(st == 0, "jq failed (status %d) on: %s", st, in);
	*out_len = len;
	return buf;
}

START_TEST(test_jq_available)
{
	/* A missing jq must fail the suite, not quietly skip the oracle. */
	ck_assert_msg(access(JQ, X_OK) == 0, JQ " is required");
}
END_TEST

START_TEST(test_matches_jq)
{
	const char *in = jq_inputs[_i];
	size_t jq_len, out_len;
	char *jq_out, *out;

	ck_assert_msg(access(JQ, X_OK) == 0, JQ " is required");
	jq_out = run_jq(in, &jq_len);
	ck_assert_int_eq(render(in, strlen(in), &out, &out_len), 0);
	ck_assert_msg(out_len == jq_len && memcmp(out, jq_out, jq_len) == 0,
		      "input %d differs from jq:\n ours: %s\n  jq: %.*s", _i,
		      out, (int)jq_len, jq_out);
	free(out);
	free(jq_out);
}
END_TEST

/* ---- tfs_jt_member ---------------------------------------------------- */

static int member(const char *text, const char *key, const char **v,
		  size_t *vlen)
{
	size_t n = strlen(text), vs = 999;
	char *in = dup_exact(text, n);
	int rc = tfs_jt_member(in, n, key, &vs, vlen);

	*v = rc ? NULL : text + vs;
	free(in);
	return rc;
}

#define ck_member(text, key, want)                                          \
	do {                                                                \
		const char *v_;                                             \
		size_t vl_;                                                 \
		ck_assert_int_eq(member(text, key, &v_, &vl_), 0);          \
		ck_assert_uint_eq(vl_, strlen(want));                       \
		ck_assert(memcmp(v_, want, vl_) == 0);                      \
	} while (0)

START_TEST(test_member)
{
	const char *v;
	size_t vl;

	ck_member(SAMPLE_IN, "story_id", "155");
	ck_member(SAMPLE_IN, "draft_name", "\"My draft\"");
	ck_member(SAMPLE_IN, "guid",
		  "\"5466f325-0bc6-47fb-943f-41d1a2a8d6ae\"");
	/* last occurrence wins, span trimmed of whitespace */
	ck_member("{\"a\":1,\"b\":2,\"a\" :\n [3, {\"a\": 4} ] \n}", "a",
		  "[3, {\"a\": 4} ]");
	ck_member("{ \"a\" :  \"v\"  }", "a", "\"v\"");
	/* the decoded key is compared */
	ck_member("{\"group\\u005fruns\":7}", "group_runs", "7");
	ck_member("{\"caf\\u00e9\":1.50}", "caf\xc3\xa9", "1.50");
	ck_member("{\"a\\\"b\":null}", "a\"b", "null");
	ck_member("{\"\":-0}", "", "-0");
	/* nested keys are not members of the outer object */
	ck_assert_int_eq(member("{\"x\":{\"a\":1}}", "a", &v, &vl), -ENOENT);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(member("{\"ab\":1,\"b\":2}", "a", &v, &vl), -ENOENT);
	ck_assert_int_eq(member("{\"a\":1}", "ab", &v, &vl), -ENOENT);
	ck_assert_int_eq(member("{}", "a", &v, &vl), -ENOENT);
	ck_assert_int_eq(member(SAMPLE_IN, "missing", &v, &vl), -ENOENT);
	/* not an object */
	ck_assert_int_eq(member("[{\"a\":1}]", "a", &v, &vl), -EINVAL);
	ck_assert_int_eq(member("\"a\"", "a", &v, &vl), -EINVAL);
	ck_assert_int_eq(member("null", "a", &v, &vl), -EINVAL);
	ck_assert_int_eq(member("", "a", &v, &vl), -EINVAL);
	/* malformed, even when the key was already seen */
	ck_assert_int_eq(member("{\"a\":1,", "a", &v, &vl), -EINVAL);
	ck_assert_int_eq(member("{\"a\":1} x", "a", &v, &vl), -EINVAL);
	ck_assert_int_eq(member("{\"a\":01}", "a", &v, &vl), -EINVAL);
	ck_assert_int_eq(member("{\"a\":1,\"b\":\"\x01\"}", "a", &v, &vl),
			 -EINVAL);
	ck_assert_int_eq(member("{\"a\":" L64 R64 "}", "a", &v, &vl), -E2BIG);
}
END_TEST

/* ---- tfs_jt_array_each ------------------------------------------------ */

struct spans {
	int n, stop_at;
	char got[8][32];
};

static int collect(void *ctx, const char *el, size_t el_len)
{
	struct spans *s = ctx;

	ck_assert_int_lt(s->n, 8);
	ck_assert_uint_lt(el_len, sizeof(s->got[0]));
	memcpy(s->got[s->n], el, el_len);
	s->got[s->n][el_len] = '\0';
	s->n++;
	return s->n == s->stop_at ? 42 : 0;
}

static int each(const char *text, struct spans *s)
{
	size_t n = strlen(text);
	char *in = dup_exact(text, n);
	int rc = tfs_jt_array_each(in, n, collect, s);

	free(in);
	return rc;
}

START_TEST(test_array_each)
{
	struct spans s = { 0, 0, { { 0 } } };

	ck_assert_int_eq(each(" [ 1 , \"two\",{\"x\": [3]} ,\n null,-0.50 ] ",
			      &s), 0);
	ck_assert_int_eq(s.n, 5);
	ck_assert_str_eq(s.got[0], "1");
	ck_assert_str_eq(s.got[1], "\"two\"");
	ck_assert_str_eq(s.got[2], "{\"x\": [3]}");
	ck_assert_str_eq(s.got[3], "null");
	ck_assert_str_eq(s.got[4], "-0.50");

	/* empty array: no calls */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(each("[ \n ]", &s), 0);
	ck_assert_int_eq(s.n, 0);

	/* early stop returns cb's value */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	ck_assert_int_eq(each("[\"a\",\"b\",\"c\"]", &s), 42);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.got[1], "\"b\"");

	/* not an array, or malformed: -EINVAL and no call at all */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(each("{\"a\":[1]}", &s), -EINVAL);
	ck_assert_int_eq(each("1", &s), -EINVAL);
	ck_assert_int_eq(each("[1,2", &s), -EINVAL);
	ck_assert_int_eq(each("[1,2,]", &s), -EINVAL);
	ck_assert_int_eq(each("[1,2] [", &s), -EINVAL);
	ck_assert_int_eq(each("[1,\"\xc0\xaf\"]", &s), -EINVAL);
	ck_assert_int_eq(each("", &s), -EINVAL);
	ck_assert_int_eq(each("[" L64 R64 "]", &s), -E2BIG);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

static Suite *jsontext_suite(void)
{
	Suite *s = suite_create("jsontext");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_render_case, 0, NCASES);
	tcase_add_test(tc, test_depth_64);
	tcase_add_test(tc, test_embedded_nul);
	tcase_add_test(tc, test_every_prefix);
	tcase_add_test(tc, test_jq_available);
	tcase_add_loop_test(tc, test_matches_jq, 0, NJQ);
	tcase_add_test(tc, test_member);
	tcase_add_test(tc, test_array_each);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jsontext_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
