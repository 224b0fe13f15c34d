/*
 * test_url.c -- unit tests for src/url.c (TENANT_URL and request URLs).
 */
#include "url.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct tenant_case {
	const char *in;
	int want_err;
	bool https;
	const char *host;
	unsigned port;
	const char *origin;
};

#define BAD(s) { .in = (s), .want_err = -EINVAL }

static const struct tenant_case cases[] = {
	/* good https */
	{ "https://x.tines.com", 0, true, "x.tines.com", 0, "https://x.tines.com" },
	{ "https://x.tines.com/", 0, true, "x.tines.com", 0, "https://x.tines.com" },
	{ "https://x.tines.com:8443", 0, true, "x.tines.com", 8443,
	  "https://x.tines.com:8443" },
	{ "https://x.tines.com:8443/", 0, true, "x.tines.com", 8443,
	  "https://x.tines.com:8443" },
	{ "https://x.tines.com:1", 0, true, "x.tines.com", 1, "https://x.tines.com:1" },
	{ "https://x.tines.com:65535", 0, true, "x.tines.com", 65535,
	  "https://x.tines.com:65535" },
	{ "HTTPS://X.Tines.COM", 0, true, "x.tines.com", 0, "https://x.tines.com" },
	{ "HtTpS://My-Tenant.Example.ORG:443/", 0, true, "my-tenant.example.org",
	  443, "https://my-tenant.example.org:443" },
	{ "https://[::1]", 0, true, "[::1]", 0, "https://[::1]" },
	{ "https://[::1]:8443/", 0, true, "[::1]", 8443, "https://[::1]:8443" },
	{ "https://[2001:DB8::1]", 0, true, "[2001:db8::1]", 0,
	  "https://[2001:db8::1]" },
	{ "https://10.0.0.5", 0, true, "10.0.0.5", 0, "https://10.0.0.5" },
	{ "https://localhost:3000", 0, true, "localhost", 3000,
	  "https://localhost:3000" },
	/* plain http, loopback only */
	{ "http://127.0.0.1", 0, false, "127.0.0.1", 0, "http://127.0.0.1" },
	{ "http://127.0.0.1:8080/", 0, false, "127.0.0.1", 8080,
	  "http://127.0.0.1:8080" },
	{ "http://127.1.2.3:9", 0, false, "127.1.2.3", 9, "http://127.1.2.3:9" },
	{ "http://localhost:8000", 0, false, "localhost", 8000,
	  "http://localhost:8000" },
	{ "HTTP://LocalHost", 0, false, "localhost", 0, "http://localhost" },
	{ "http://[::1]:8000", 0, false, "[::1]", 8000, "http://[::1]:8000" },
	BAD("http://example.com"),
	BAD("http://x.tines.com:80/"),
	BAD("http://10.0.0.1"),
	BAD("http://128.0.0.1"),
	BAD("http://127.0.0.1.evil.com"),
	BAD("http://localhost.evil.com"),
	BAD("http://127.0.0.256"),
	BAD("http://[::2]"),
	/* resolvers read a leading 0 as octal: 0127.0.0.1 is 87.0.0.1 */
	BAD("http://0127.0.0.1"),
	BAD("http://0127.0.0.1:8080/"),
	/* refused shapes */
	BAD(""),
	BAD("x.tines.com"),
	BAD("//x.tines.com"),
	BAD("ftp://x.tines.com"),
	BAD("https:/x.tines.com"),
	BAD("https:x.tines.com"),
	BAD("https://"),
	BAD("https:///"),
	BAD("https://:443"),
	BAD("https://user@x.tines.com"),
	BAD("https://user:pw@x.tines.com"),
	BAD("https://user:443@x.tines.com"),
	BAD("https://x.tines.com/api/v1"),
	BAD("https://x.tines.com/api/v1/"),
	BAD("https://x.tines.com//"),
	BAD("https://x.tines.com?a=b"),
	BAD("https://x.tines.com/?a=b"),
	BAD("https://x.tines.com#frag"),
	BAD("https://x.tines.com/#frag"),
	BAD("https://x.tines.com:0"),
	BAD("https://x.tines.com:65536"),
	BAD("https://x.tines.com:99999"),
	BAD("https://x.tines.com:"),
	BAD("https://x.tines.com:/"),
	BAD("https://x.tines.com:-1"),
	BAD("https://x.tines.com:+443"),
	BAD("https://x.tines.com:44a"),
	BAD("https://x.tines.com: 443"),
	BAD("https://x tines.com"),
	BAD("https://x_tines.com"),
	BAD("https://.x.tines.com"),
	BAD("https://-x.tines.com"),
	BAD("https://[::1"),
	BAD("https://[]"),
	BAD("https://[::g]"),
	BAD("https://[::1]x"),
	BAD(" https://x.tines.com"),
	BAD("https://x.tines.com "),
	BAD("https://x.tines.com\n"),
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(test_tenant_case)
{
	const struct tenant_case *c = &cases[_i];
	struct tfs_tenant t;
	char err[128] = "";
	int rc = tfs_tenant_parse(c->in, &t, err, sizeof(err));

	ck_assert_msg(rc == c->want_err, "'%s': rc %d, want %d (%s)", c->in, rc,
		      c->want_err, err);
	if (rc != 0) {
		ck_assert_msg(err[0] != '\0', "'%s': refused without a reason",
			      c->in);
		return;
	}
	ck_assert_msg(t.https == c->https, "'%s': https %d", c->in, t.https);
	ck_assert_msg(strcmp(t.host, c->host) == 0, "'%s': host '%s', want '%s'",
		      c->in, t.host, c->host);
	ck_assert_msg(t.port == c->port, "'%s': port %u, want %u", c->in, t.port,
		      c->port);
	ck_assert_msg(strcmp(t.origin, c->origin) == 0,
		      "'%s': origin '%s', want '%s'", c->in, t.origin, c->origin);
}
END_TEST

START_TEST(test_long_host)
{
	char in[400], host[300];
	struct tfs_tenant t;
	char err[128];

	/* 255 bytes fits host[256]; 256 does not */
	memset(host, 'a', 255);
	host[255] = '\0';
	snprintf(in, sizeof(in), "https://%s:65535", host);
	ck_assert_int_eq(tfs_tenant_parse(in, &t, err, sizeof(err)), 0);
	ck_assert_str_eq(t.host, host);
	ck_assert_uint_eq(strlen(t.origin), strlen("https://:65535") + 255);
	memset(host, 'a', 256);
	host[256] = '\0';
	snprintf(in, sizeof(in), "https://%s", host);
	ck_assert_int_eq(tfs_tenant_parse(in, &t, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(test_err_small_buffer)
{
	struct tfs_tenant t;
	char err[8];

	memset(err, 'X', sizeof(err));
	ck_assert_int_eq(tfs_tenant_parse("ftp://x", &t, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(memchr(err, '\0', sizeof(err)) != NULL,
		      "reason not terminated in a small buffer");
}
END_TEST

struct loop_case {
	const char *host;
	bool want;
};

static const struct loop_case loop_cases[] = {
	{ "127.0.0.1", true },
	{ "127.1.2.3", true },
	{ "127.255.255.255", true },
	{ "localhost", true },
	{ "[::1]", true },
	{ "128.0.0.1", false },
	{ "10.0.0.1", false },
	{ "127.0.0.256", false },
	{ "0127.0.0.1", false },	/* octal: 87.0.0.1 */
	{ "127.0.0", false },
	{ "127.0.0.1.5", false },
	{ "127.0.0.1x", false },
	{ "127.0.0.1.nip.io", false },
	{ "localhost.example.com", false },
	{ "example.com", false },
	{ "[::2]", false },
	{ "[2001:db8::1]", false },
	{ "", false },
};

START_TEST(test_loopback_case)
{
	const struct loop_case *c = &loop_cases[_i];

	ck_assert_msg(tfs_host_is_loopback(c->host) == c->want,
		      "'%s': want %d", c->host, c->want);
}
END_TEST

struct runs_case {
	const char *tenant;
	uint64_t group;
	unsigned page, per_page;
	const char *want;
};

static const struct runs_case runs_cases[] = {
	{ "https://x.tines.com", 200, 1, 20,
	  "https://x.tines.com/api/v1/groups/200/runs?per_page=20&page=1" },
	{ "https://x.tines.com/", 200, 3, 500,
	  "https://x.tines.com/api/v1/groups/200/runs?per_page=500&page=3" },
	{ "HTTPS://X.TINES.COM:8443", 7, 12, 1,
	  "https://x.tines.com:8443/api/v1/groups/7/runs?per_page=1&page=12" },
	{ "http://127.0.0.1:8080", 18446744073709551615ULL, 4294967295U, 100,
	  "http://127.0.0.1:8080/api/v1/groups/18446744073709551615/runs"
	  "?per_page=100&page=4294967295" },
	{ "http://[::1]:8000", 0, 1, 20,
	  "http://[::1]:8000/api/v1/groups/0/runs?per_page=20&page=1" },
};

START_TEST(test_runs_page_case)
{
	const struct runs_case *c = &runs_cases[_i];
	struct tfs_tenant t;
	char err[128], buf[512];
	size_t want_len = strlen(c->want);
	int n;

	ck_assert_int_eq(tfs_tenant_parse(c->tenant, &t, err, sizeof(err)), 0);
	n = tfs_url_runs_page(&t, c->group, c->page, c->per_page, buf, sizeof(buf));
	ck_assert_msg(n == (int)want_len && strcmp(buf, c->want) == 0,
		      "got %d '%s', want '%s'", n, buf, c->want);
	/* exactly enough room (terminator included) works */
	memset(buf, 'X', sizeof(buf));
	n = tfs_url_runs_page(&t, c->group, c->page, c->per_page, buf, want_len + 1);
	ck_assert_int_eq(n, (int)want_len);
	ck_assert_str_eq(buf, c->want);
	/* one byte short, or far too short, is refused */
	ck_assert_int_eq(tfs_url_runs_page(&t, c->group, c->page, c->per_page,
					   buf, want_len), -ENAMETOOLONG);
	ck_assert_int_eq(tfs_url_runs_page(&t, c->group, c->page, c->per_page,
					   buf, 16), -ENAMETOOLONG);
	ck_assert_int_eq(tfs_url_runs_page(&t, c->group, c->page, c->per_page,
					   buf, 1), -ENAMETOOLONG);
}
END_TEST

static Suite *url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tc = tcase_create("url");

	tcase_add_loop_test(tc, test_tenant_case, 0, NCASES);
	tcase_add_test(tc, test_long_host);
	tcase_add_test(tc, test_err_small_buffer);
	tcase_add_loop_test(tc, test_loopback_case, 0,
			    (int)(sizeof(loop_cases) / sizeof(loop_cases[0])));
	tcase_add_loop_test(tc, test_runs_page_case, 0,
			    (int)(sizeof(runs_cases) / sizeof(runs_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(url_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
