/*
 * test_router.c -- unit tests for src/router.c (paths, names, inodes).
 */
#include "router.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define G "5466f325-0bc6-47fb-943f-41d1a2a8d6ae"

/* ---- tfs_route_path ---------------------------------------------------- */

struct path_case {
	const char *path;
	int want_err;
	enum tfs_kind kind;
	uint64_t group;
	const char *guid;	/* RUN: expected guid text */
};

#define NOPE(p) { .path = (p), .want_err = -ENOENT }

static const struct path_case path_cases[] = {
	{ "/", 0, TFS_NODE_ROOT, 0, NULL },
	{ "/groups", 0, TFS_NODE_GROUPS, 0, NULL },
	{ "/.tinesfs-status", 0, TFS_NODE_STATUS, 0, NULL },
	{ "/groups/200", 0, TFS_NODE_GROUP, 200, NULL },
	{ "/groups/0", 0, TFS_NODE_GROUP, 0, NULL },
	{ "/groups/18446744073709551615", 0, TFS_NODE_GROUP,
	  18446744073709551615ULL, NULL },
	{ "/groups/200/runs", 0, TFS_NODE_RUNS, 200, NULL },
	{ "/groups/200/runs/" G ".json", 0, TFS_NODE_RUN, 200, G },
	{ "/groups/7/runs/x.json", 0, TFS_NODE_RUN, 7, "x" },
	{ "/groups/7/runs/....json", 0, TFS_NODE_RUN, 7, ".." "." },
	{ "/groups/7/runs/a.json.json", 0, TFS_NODE_RUN, 7, "a.json" },
	{ "/groups/7/runs/caf\xc3\xa9 x.json", 0, TFS_NODE_RUN, 7,
	  "caf\xc3\xa9 x" },
	NOPE(""),
	NOPE("groups"),
	NOPE("/nope"),
	NOPE("/Groups"),
	NOPE("/runs"),
	NOPE("/groups/abc"),
	NOPE("/groups/0200"),
	NOPE("/groups/00"),
	NOPE("/groups/-1"),
	NOPE("/groups/+1"),
	NOPE("/groups/ 1"),
	NOPE("/groups/1a"),
	NOPE("/groups/2.0"),
	NOPE("/groups/18446744073709551616"),
	NOPE("/groups/99999999999999999999"),
	NOPE("/groups/184467440737095516150"),
	NOPE("/groups/200/foo"),
	NOPE("/groups/200/.tinesfs-status"),
	NOPE("/groups/200/runs/x.txt"),
	NOPE("/groups/200/runs/x"),
	NOPE("/groups/200/runs/x.JSON"),
	NOPE("/groups/200/runs/.json"),
	NOPE("/groups/200/runs/json"),
	NOPE("/groups/200/runs/...json"),
	NOPE("/groups/200/runs/..json"),
	NOPE("/groups/200/runs/a\x01" "b.json"),
	NOPE("/groups/200/runs/a\x7f" "b.json"),
	NOPE("/groups/200/runs/" G ".json/x"),
	NOPE("/groups/200/runs/" G ".json/" G ".json"),
	NOPE("/groups/200/runs/200"),
	NOPE("/groups/groups"),
	NOPE("/.tinesfs-status/x"),
	NOPE("/groups/200/runs/runs"),
};

START_TEST(test_path_case)
{
	const struct path_case *c = &path_cases[_i];
	struct tfs_route r;
	int rc;

	memset(&r, 0x5a, sizeof(r));
	rc = tfs_route_path(c->path, &r);
	ck_assert_msg(rc == c->want_err, "'%s': rc %d, want %d", c->path, rc,
		      c->want_err);
	if (rc != 0)
		return;
	ck_assert_msg(r.kind == c->kind, "'%s': kind %d, want %d", c->path,
		      r.kind, c->kind);
	if (c->kind == TFS_NODE_GROUP || c->kind == TFS_NODE_RUNS ||
	    c->kind == TFS_NODE_RUN)
		ck_assert_msg(r.group == c->group, "'%s': group %llu, want %llu",
			      c->path, (unsigned long long)r.group,
			      (unsigned long long)c->group);
	if (c->kind == TFS_NODE_RUN) {
		const char *end = c->path + strlen(c->path);

		ck_assert_msg(r.guid_len == strlen(c->guid) &&
			      memcmp(r.guid, c->guid, r.guid_len) == 0,
			      "'%s': guid '%.*s', want '%s'", c->path,
			      (int)r.guid_len, r.guid, c->guid);
		/* out->guid points into the path */
		ck_assert_msg(r.guid >= c->path && r.guid + r.guid_len <= end,
			      "'%s': guid does not point into the path", c->path);
	}
}
END_TEST

/* The longest safe guid routes; one byte more does not. */
START_TEST(test_path_guid_length)
{
	char path[512];
	struct tfs_route r;
	int n = snprintf(path, sizeof(path), "/groups/1/runs/");

	memset(path + n, 'g', TFS_GUID_MAX);
	strcpy(path + n + TFS_GUID_MAX, ".json");
	ck_assert_int_eq(tfs_route_path(path, &r), 0);
	ck_assert_int_eq(r.kind, TFS_NODE_RUN);
	ck_assert_uint_eq(r.guid_len, TFS_GUID_MAX);
	ck_assert_ptr_eq(r.guid, path + n);

	memset(path + n, 'g', TFS_GUID_MAX + 1);
	strcpy(path + n + TFS_GUID_MAX + 1, ".json");
	ck_assert_int_eq(tfs_route_path(path, &r), -ENOENT);

	memset(path + n, 'g', 400);
	strcpy(path + n + 400, ".json");
	ck_assert_int_eq(tfs_route_path(path, &r), -ENOENT);
}
END_TEST

/* ---- tfs_route_child --------------------------------------------------- */

struct child_case {
	enum tfs_kind parent;
	uint64_t parent_group;
	const char *name;
	int want_err;
	enum tfs_kind kind;
	uint64_t group;
	size_t guid_len;	/* RUN */
};

static const struct child_case child_cases[] = {
	{ TFS_NODE_ROOT, 0, "groups", 0, TFS_NODE_GROUPS, 0, 0 },
	{ TFS_NODE_ROOT, 0, TFS_STATUS_NAME, 0, TFS_NODE_STATUS, 0, 0 },
	{ TFS_NODE_ROOT, 0, "runs", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_ROOT, 0, "200", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_ROOT, 0, "", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_ROOT, 0, "groups/200", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_GROUPS, 0, "200", 0, TFS_NODE_GROUP, 200, 0 },
	{ TFS_NODE_GROUPS, 0, "1", 0, TFS_NODE_GROUP, 1, 0 },
	{ TFS_NODE_GROUPS, 0, "0200", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_GROUPS, 0, "abc", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_GROUPS, 0, "", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_GROUPS, 0, "18446744073709551616", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_GROUPS, 0, "groups", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_GROUP, 200, "runs", 0, TFS_NODE_RUNS, 200, 0 },
	{ TFS_NODE_GROUP, 201, "runs", 0, TFS_NODE_RUNS, 201, 0 },
	{ TFS_NODE_GROUP, 200, "Runs", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_GROUP, 200, "runs.json", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_RUNS, 200, G ".json", 0, TFS_NODE_RUN, 200, sizeof(G) - 1 },
	{ TFS_NODE_RUNS, 201, "a.json", 0, TFS_NODE_RUN, 201, 1 },
	{ TFS_NODE_RUNS, 200, G, -ENOENT, 0, 0, 0 },
	{ TFS_NODE_RUNS, 200, ".json", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_RUNS, 200, "..json", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_RUNS, 200, "...json", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_RUNS, 200, "a.txt", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_RUNS, 200, "a\nb.json", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_RUN, 200, "x", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_STATUS, 0, "x", -ENOENT, 0, 0, 0 },
	{ TFS_NODE_NONE, 0, "groups", -ENOENT, 0, 0, 0 },
};

START_TEST(test_child_case)
{
	const struct child_case *c = &child_cases[_i];
	struct tfs_route r;
	int rc = tfs_route_child(c->parent, c->parent_group, c->name, &r);

	ck_assert_msg(rc == c->want_err, "row %d (%d, '%s'): rc %d, want %d", _i,
		      c->parent, c->name, rc, c->want_err);
	if (rc != 0)
		return;
	ck_assert_msg(r.kind == c->kind, "row %d: kind %d, want %d", _i, r.kind,
		      c->kind);
	if (c->kind == TFS_NODE_GROUP || c->kind == TFS_NODE_RUNS ||
	    c->kind == TFS_NODE_RUN)
		ck_assert_msg(r.group == c->group, "row %d: group %llu, want %llu",
			      _i, (unsigned long long)r.group,
			      (unsigned long long)c->group);
	if (c->kind == TFS_NODE_RUN)
		ck_assert_msg(r.guid == c->name && r.guid_len == c->guid_len,
			      "row %d: guid span %zu, want %zu at name", _i,
			      r.guid_len, c->guid_len);
}
END_TEST

/* ---- tfs_parse_group_id ------------------------------------------------ */

struct gid_case {
	const char *s;
	size_t len;	/* 0: strlen */
	bool ok;
	uint64_t want;
};

static const struct gid_case gid_cases[] = {
	{ "0", 0, true, 0 },
	{ "7", 0, true, 7 },
	{ "200", 0, true, 200 },
	{ "18446744073709551615", 0, true, 18446744073709551615ULL },
	{ "2009", 3, true, 200 },	/* only s[0..len) counts */
	{ "", 0, false, 0 },
	{ "00", 0, false, 0 },
	{ "0200", 0, false, 0 },
	{ "-1", 0, false, 0 },
	{ "+1", 0, false, 0 },
	{ "1e3", 0, false, 0 },
	{ "12 ", 0, false, 0 },
	{ "18446744073709551616", 0, false, 0 },
	{ "18446744073709551620", 0, false, 0 },
	{ "99999999999999999999", 0, false, 0 },
	{ "100000000000000000000", 0, false, 0 },
};

START_TEST(test_gid_case)
{
	const struct gid_case *c = &gid_cases[_i];
	size_t n = c->len ? c->len : strlen(c->s);
	char *in = malloc(n ? n : 1);
	uint64_t v = 424242;
	bool ok;

	ck_assert_ptr_nonnull(in);
	memcpy(in, c->s, n);
	ok = tfs_parse_group_id(in, n, &v);
	free(in);
	ck_assert_msg(ok == c->ok, "'%.*s': ok %d, want %d", (int)n, c->s, ok,
		      c->ok);
	if (ok)
		ck_assert_msg(v == c->want, "'%.*s': %llu, want %llu", (int)n, c->s,
			      (unsigned long long)v, (unsigned long long)c->want);
}
END_TEST

/* ---- tfs_guid_ok ------------------------------------------------------- */

struct guid_case {
	const char *s;
	size_t len;	/* 0: strlen */
	bool ok;
};

static const struct guid_case guid_cases[] = {
	{ G, 0, true },
	{ "a", 0, true },
	{ "...", 0, true },
	{ ".a", 0, true },
	{ "a.", 0, true },
	{ "a b", 0, true },
	{ "caf\xc3\xa9", 0, true },
	{ "\x80\xff", 0, true },	/* bytes >= 0x80 are not control chars */
	{ "a\\b", 0, true },
	{ "", 0, false },
	{ ".", 0, false },
	{ "..", 0, false },
	{ "a/b", 0, false },
	{ "/", 0, false },
	{ "a/", 0, false },
	{ "a\x01", 0, false },
	{ "\x1f", 0, false },
	{ "a\nb", 0, false },
	{ "a\tb", 0, false },
	{ "a\x7f", 0, false },
	{ "a\0b", 3, false },
	{ "..\0", 3, false },
	{ "ab.", 2, true },	/* only guid[0..len) counts */
};

START_TEST(test_guid_case)
{
	const struct guid_case *c = &guid_cases[_i];
	size_t n = c->len ? c->len : strlen(c->s);
	char *in = malloc(n ? n : 1);
	bool ok;

	ck_assert_ptr_nonnull(in);
	memcpy(in, c->s, n);
	ok = tfs_guid_ok(in, n);
	free(in);
	ck_assert_msg(ok == c->ok, "row %d (len %zu): ok %d, want %d", _i, n, ok,
		      c->ok);
}
END_TEST

START_TEST(test_guid_length)
{
	char g[TFS_GUID_MAX + 2];

	memset(g, 'x', sizeof(g));
	ck_assert(tfs_guid_ok(g, 1));
	ck_assert(tfs_guid_ok(g, TFS_GUID_MAX));
	ck_assert(!tfs_guid_ok(g, TFS_GUID_MAX + 1));
	ck_assert(!tfs_guid_ok(g, 0));
}
END_TEST

/* ---- inode numbers ----------------------------------------------------- */

START_TEST(test_ino_stable)
{
	/* same input, same number, also from a different buffer */
	char *copy = strdup(G);

	ck_assert_ptr_nonnull(copy);
	ck_assert_uint_eq(tfs_ino_group(200), tfs_ino_group(200));
	ck_assert_uint_eq(tfs_ino_runs(200), tfs_ino_runs(200));
	ck_assert_uint_eq(tfs_ino_run(200, G, strlen(G)),
			  tfs_ino_run(200, copy, strlen(copy)));
	/* only guid[0..len) counts */
	ck_assert_uint_eq(tfs_ino_run(200, "abcdef", 3), tfs_ino_run(200, "abc", 3));
	free(copy);
}
END_TEST

struct ino_pair {
	const char *what;
	int kind_a, kind_b;	/* 'g' group, 'r' runs, 'f' run */
	uint64_t group_a, group_b;
	const char *guid_a, *guid_b;
};

static uint64_t ino_of(int kind, uint64_t group, const char *guid)
{
	switch (kind) {
	case 'g':
		return tfs_ino_group(group);
	case 'r':
		return tfs_ino_runs(group);
	default:
		return tfs_ino_run(group, guid, strlen(guid));
	}
}

static const struct ino_pair ino_pairs[] = {
	{ "group 200 vs 201", 'g', 'g', 200, 201, NULL, NULL },
	{ "runs 200 vs 201", 'r', 'r', 200, 201, NULL, NULL },
	{ "group vs runs of 200", 'g', 'r', 200, 200, NULL, NULL },
	{ "run: same guid, group 200 vs 201", 'f', 'f', 200, 201, G, G },
	{ "run: guids differ by one char", 'f', 'f', 200, 200, G,
	  "5466f325-0bc6-47fb-943f-41d1a2a8d6af" },
	{ "run: guid vs its prefix", 'f', 'f', 200, 200, "abc", "ab" },
	{ "run: empty vs one char", 'f', 'f', 200, 200, "", "a" },
	{ "run vs group", 'f', 'g', 200, 200, G, NULL },
	{ "run vs runs", 'f', 'r', 200, 200, G, NULL },
	{ "group 0 vs runs 0", 'g', 'r', 0, 0, NULL, NULL },
	{ "group 1 vs 256 (byte order)", 'g', 'g', 1, 256, NULL, NULL },
	{ "group 2^32 vs 1", 'g', 'g', 4294967296ULL, 1, NULL, NULL },
};

START_TEST(test_ino_pair)
{
	const struct ino_pair *c = &ino_pairs[_i];
	uint64_t a = ino_of(c->kind_a, c->group_a, c->guid_a);
	uint64_t b = ino_of(c->kind_b, c->group_b, c->guid_b);

	ck_assert_msg(a != b, "[%s] both %llu", c->what, (unsigned long long)a);
	ck_assert_msg(a >= 16 && b >= 16, "[%s] below 16", c->what);
}
END_TEST

/* Many nearby inputs: none below 16 (never the fixed inodes), none equal. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_ino_spread)
{
	enum { NG = 300, NR = 3000 };
	size_t n = 0, total = 2 * NG + NR * 2;
	uint64_t *all = malloc(total * sizeof(*all));

	ck_assert_ptr_nonnull(all);
	for (uint64_t g = 0; g < NG; g++) {
		all[n++] = tfs_ino_group(g);
		all[n++] = tfs_ino_runs(g);
	}
	for (int i = 0; i < NR; i++) {
		char guid[32];
		int len = snprintf(guid, sizeof(guid), "run-%d", i);

		all[n++] = tfs_ino_run(200, guid, (size_t)len);
		all[n++] = tfs_ino_run(201, guid, (size_t)len);
	}
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(all[i] >= 16, "ino %llu below 16 at %zu",
			      (unsigned long long)all[i], i);
	qsort(all, n, sizeof(*all), cmp_u64);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(all[i] != all[i - 1], "duplicate ino %llu",
			      (unsigned long long)all[i]);
	free(all);
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("router");

#define LOOP(fn, arr) \
	tcase_add_loop_test(tc, fn, 0, (int)(sizeof(arr) / sizeof((arr)[0])))
	LOOP(test_path_case, path_cases);
	LOOP(test_child_case, child_cases);
	LOOP(test_gid_case, gid_cases);
	LOOP(test_guid_case, guid_cases);
	LOOP(test_ino_pair, ino_pairs);
#undef LOOP
	tcase_add_test(tc, test_path_guid_length);
	tcase_add_test(tc, test_guid_length);
	tcase_add_test(tc, test_ino_stable);
	tcase_add_test(tc, test_ino_spread);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(router_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
