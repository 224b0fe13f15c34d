/*
 * test_status.c -- unit tests for src/status.c: the /.tinesfs-status
 * document (its members and their values, jq's layout, times on the wall
 * clock, no key) and the fetch counter behind cache hits and misses.
 *
 * The listing is fed by a fake fetch that parses canned page bodies; both
 * clocks are variables the tests set.
 */
#include "status.h"

#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"
#include "page.h"

static int64_t mono_ms, wall_ms;
static int fetch_err;	/* what the next fetch answers; 0: a page of two runs */
static int fetches;

static int64_t mono(void *ctx)
{
	(void)ctx;
	return mono_ms;
}

static int64_t wall(void *ctx)
{
	(void)ctx;
	return wall_ms;
}

static int fake_fetch(void *ctx, uint64_t group, unsigned page, unsigned per_page,
		      struct tfs_page *out)
{
	static const char body[] =
		"{\"group_runs\":[{\"guid\":\"a1\",\"start_time\":\"2024-06-01T12:00:00Z\","
		"\"end_time\":null},{\"guid\":\"b2\",\"start_time\":\"2024-06-01T11:00:00Z\","
		"\"end_time\":\"2024-06-01T11:00:05Z\"}],\"meta\":{\"current_page\":\"x\","
		"\"previous_page\":null,\"next_page\":null,\"next_page_number\":null,"
		"\"per_page\":20,\"pages\":1,\"count\":2}}";

	(void)ctx;
	(void)group;
	(void)page;
	(void)per_page;
	fetches++;
	if (fetch_err)
		return fetch_err;
	return tfs_page_parse(body, sizeof(body) - 1, out);
}

struct fixture {
	struct tfs_tenant tenant;
	struct tfs_status_fetcher counted;
	struct tfs_listing *listing;
	struct tfs_status *status;
};

static void setup(struct fixture *fx)
{
	char why[200];
	static const uint64_t named[] = { 300, 200 };

	memset(fx, 0, sizeof(*fx));
	mono_ms = 50000;
	wall_ms = 1717243200000;	/* 2024-06-01T12:00:00Z */
	fetch_err = 0;
	fetches = 0;
	ck_assert_int_eq(tfs_tenant_parse("https://acme.tines.com", &fx->tenant, why,
					  sizeof(why)), 0);
	fx->counted = (struct tfs_status_fetcher){ .fetch = fake_fetch };
	fx->listing = tfs_listing_new(&(struct tfs_listing_cfg){
		.ttl_ms = 60000, .fetch = tfs_status_fetch, .fetch_ctx = &fx->counted,
		.clock = mono, .named = named, .nnamed = 2 });
	ck_assert_ptr_nonnull(fx->listing);
	fx->status = tfs_status_new(&(struct tfs_status_cfg){
		.version = "9.8.7", .tenant = &fx->tenant, .http = NULL,
		.listing = fx->listing, .clock = mono, .wall = wall, .ttl_s = 60,
		.per_page = 500 });
	ck_assert_ptr_nonnull(fx->status);
}

static void teardown(struct fixture *fx)
{
	tfs_status_free(fx->status);
	tfs_listing_free(fx->listing);
}

/* Render, check the layout, and parse. The caller puts the object. */
static json_object *render(struct fixture *fx)
{
	char *text;
	size_t len;
	json_object *o;

	ck_assert_int_eq(tfs_status_render(fx->status, &text, &len), 0);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_msg(len > 2 && text[0] == '{' && text[len - 1] == '\n' && text[len - 2] == '}',
		      "not one object and a newline: %s", text);
	ck_assert_msg(strstr(text, "\n  \"version\": \"9.8.7\",\n"), "not jq's layout: %s", text);
	ck_assert_msg(!strstr(text, "[\n  ]") && !strstr(text, "{\n  }"),
		      "json-c's empty containers: %s", text);
	o = json_tokener_parse(text);
	ck_assert_msg(o != NULL, "not JSON: %s", text);
	free(text);
	return o;
}

static json_object *at(json_object *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		json_object *next;

		if (json_object_is_type(o, json_type_array))
			next = json_object_array_get_idx(o, (size_t)atoi(k));
		else if (!json_object_object_get_ex(o, k, &next))
			ck_abort_msg("no member %s in %s", k, path);
		o = next;
	}
	return o;
}

static const char *str_at(json_object *o, const char *path)
{
	json_object *v = at(o, path);

	return v ? json_object_get_string(v) : "(null)";
}

static int64_t int_at(json_object *o, const char *path)
{
	return json_object_get_int64(at(o, path));
}

START_TEST(test_fresh_mount)
{
	struct fixture fx;
	json_object *o;
	static const struct { const char *path; const char *want; } strs[] = {
		{ "version", "9.8.7" },
		{ "tenant", "https://acme.tines.com" },
		{ "host", "acme.tines.com" },
		{ "started", "2024-06-01T12:00:00Z" },
		{ "tenant_down", "false" },
		{ "reload.key_reread", "false" },
	};
	static const struct { const char *path; int64_t want; } ints[] = {
		{ "uptime_s", 0 }, { "ttl_s", 60 }, { "per_page", 500 },
		{ "requests.total", 0 }, { "requests.2xx", 0 }, { "requests.failed", 0 },
		{ "retries", 0 }, { "bytes_fetched", 0 }, { "cache.hits", 0 },
		{ "cache.misses", 0 }, { "reload.count", 0 },
		{ "groups.0.id", 200 }, { "groups.1.id", 300 },	/* sorted by id */
		{ "groups.0.runs_known", 0 }, { "groups.0.pages", 0 },
	};

	setup(&fx);
	o = render(&fx);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		ck_assert_msg(strcmp(str_at(o, strs[i].path), strs[i].want) == 0, "%s: %s, want %s",
			      strs[i].path, str_at(o, strs[i].path), strs[i].want);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		ck_assert_msg(int_at(o, ints[i].path) == ints[i].want, "%s: %lld, want %lld",
			      ints[i].path, (long long)int_at(o, ints[i].path),
			      (long long)ints[i].want);
	ck_assert_ptr_null(at(o, "groups.0.last_refresh"));
	ck_assert_ptr_null(at(o, "groups.0.last_error"));
	ck_assert_ptr_null(at(o, "reload.last"));
	ck_assert_int_eq((int)json_object_array_length(at(o, "groups")), 2);
	json_object_put(o);
	teardown(&fx);
}
END_TEST

START_TEST(test_after_a_listing)
{
	struct fixture fx;
	struct tfs_group *g;
	json_object *o;

	setup(&fx);
	g = tfs_listing_group(fx.listing, 200);
	mono_ms += 3000;
	wall_ms += 3000;
	ck_assert_int_eq(tfs_group_check(fx.listing, g), 0);
	ck_assert_int_eq(fetches, 1);
	/* The listing's monotonic time shows as wall-clock time. */
	mono_ms += 7500;
	wall_ms += 7500;
	o = render(&fx);
	ck_assert_int_eq(int_at(o, "uptime_s"), 10);
	ck_assert_int_eq(int_at(o, "groups.0.runs_known"), 2);
	ck_assert_int_eq(int_at(o, "groups.0.pages_fetched"), 1);
	ck_assert_int_eq(int_at(o, "groups.0.pages"), 1);
	ck_assert_str_eq(str_at(o, "groups.0.complete"), "true");
	ck_assert_str_eq(str_at(o, "groups.0.last_refresh"), "2024-06-01T12:00:03Z");
	ck_assert_str_eq(str_at(o, "groups.0.stale"), "false");
	json_object_put(o);
	teardown(&fx);
}
END_TEST

START_TEST(test_errors_counts_reloads)
{
	struct fixture fx;
	json_object *o;

	setup(&fx);
	fetch_err = -EACCES;
	ck_assert_int_eq(tfs_group_check(fx.listing, tfs_listing_group(fx.listing, 300)),
			 -EACCES);
	tfs_status_count(fx.status, true);
	tfs_status_count(fx.status, true);
	tfs_status_count(fx.status, false);
	wall_ms += 61000;
	tfs_status_reloaded(fx.status, -EPERM, "/k has mode 0644 \"quoted\"");
	o = render(&fx);
	ck_assert_str_eq(str_at(o, "groups.1.last_error"), "Permission denied");
	ck_assert_int_eq(int_at(o, "cache.hits"), 2);
	ck_assert_int_eq(int_at(o, "cache.misses"), 1);
	ck_assert_int_eq(int_at(o, "reload.count"), 1);
	ck_assert_str_eq(str_at(o, "reload.last"), "2024-06-01T12:01:01Z");
	ck_assert_str_eq(str_at(o, "reload.key_reread"), "false");
	ck_assert_str_eq(str_at(o, "reload.error"), "/k has mode 0644 \"quoted\"");
	json_object_put(o);
	/* A reload that read the key clears the error. */
	tfs_status_reloaded(fx.status, 0, NULL);
	o = render(&fx);
	ck_assert_int_eq(int_at(o, "reload.count"), 2);
	ck_assert_str_eq(str_at(o, "reload.key_reread"), "true");
	ck_assert_ptr_null(at(o, "reload.error"));
	json_object_put(o);
	teardown(&fx);
}
END_TEST

/* The counter the hit/miss layer reads moves once per page fetched on
 * this thread, and a request's time is 0 outside a FUSE request. */
START_TEST(test_fetch_counter)
{
	struct fixture fx;
	struct tfs_page p;

	setup(&fx);
	ck_assert_int_eq(tfs_status_request_ms(), 0);
	ck_assert_int_eq(tfs_status_fetch(&fx.counted, 200, 1, 0, &p), 0);
	ck_assert_uint_eq(p.nruns, 2);
	tfs_page_free(&p);
	fetch_err = -EIO;
	ck_assert_int_eq(tfs_status_fetch(&fx.counted, 200, 2, 0, &p), -EIO);
	ck_assert_int_eq(fetches, 2);
	teardown(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_fresh_mount);
	tcase_add_test(tc, test_after_a_listing);
	tcase_add_test(tc, test_errors_counts_reloads);
	tcase_add_test(tc, test_fetch_counter);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
