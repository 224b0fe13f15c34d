/*
 * test_errmap.c -- unit tests for src/errmap.c.
 */
#include "errmap.h"

#include <check.h>
#include <errno.h>

struct http_case {
	long status;
	int want_errno;
	bool want_retry;
};

static const struct http_case http_cases[] = {
	{ 200, 0, false },
	{ 201, 0, false },
	{ 204, 0, false },
	{ 299, 0, false },
	{ 100, -EIO, false },
	{ 199, -EIO, false },
	{ 300, -EIO, false },
	{ 301, -EIO, false },
	{ 304, -EIO, false },
	{ 400, -EIO, false },
	{ 401, -EACCES, false },
	{ 403, -EACCES, false },
	{ 404, -ENOENT, false },
	{ 405, -EIO, false },
	{ 408, -EIO, true },
	{ 410, -EIO, false },
	{ 422, -EIO, false },
	{ 429, -EIO, true },
	{ 500, -EIO, true },
	{ 501, -EIO, false },
	{ 502, -EIO, true },
	{ 503, -EIO, true },
	{ 504, -EIO, true },
	{ 505, -EIO, false },
	{ 999, -EIO, false },
	{ -1, -EIO, false },
};

START_TEST(test_http_case)
{
	const struct http_case *c = &http_cases[_i];

	ck_assert_msg(tfs_errno_from_http(c->status) == c->want_errno,
		      "status %ld: errno %d, want %d", c->status,
		      tfs_errno_from_http(c->status), c->want_errno);
	/* a status is retryable or not whatever curl code goes with it */
	ck_assert_msg(tfs_http_retryable(c->status, CURLE_OK) == c->want_retry,
		      "status %ld: retryable want %d", c->status, c->want_retry);
}
END_TEST

struct curl_case {
	CURLcode code;
	int want_errno;
	bool want_retry;	/* with status 0 (no response) */
};

static const struct curl_case curl_cases[] = {
	{ CURLE_OK, 0, false },
	{ CURLE_COULDNT_RESOLVE_HOST, -EIO, true },
	{ CURLE_COULDNT_CONNECT, -EIO, true },
	{ CURLE_OPERATION_TIMEDOUT, -EIO, true },
	{ CURLE_SEND_ERROR, -EIO, true },
	{ CURLE_RECV_ERROR, -EIO, true },
	{ CURLE_GOT_NOTHING, -EIO, true },
	{ CURLE_OUT_OF_MEMORY, -ENOMEM, false },
	{ CURLE_PEER_FAILED_VERIFICATION, -EIO, false },
	{ CURLE_SSL_CONNECT_ERROR, -EIO, false },
	{ CURLE_UNSUPPORTED_PROTOCOL, -EIO, false },
	{ CURLE_URL_MALFORMAT, -EIO, false },
	{ CURLE_TOO_MANY_REDIRECTS, -EIO, false },
	{ CURLE_FILESIZE_EXCEEDED, -EIO, false },
};

START_TEST(test_curl_case)
{
	const struct curl_case *c = &curl_cases[_i];

	ck_assert_msg(tfs_errno_from_curl(c->code) == c->want_errno,
		      "curl %d (%s): errno %d, want %d", (int)c->code,
		      curl_easy_strerror(c->code), tfs_errno_from_curl(c->code),
		      c->want_errno);
	ck_assert_msg(tfs_http_retryable(0, c->code) == c->want_retry,
		      "curl %d (%s): retryable want %d", (int)c->code,
		      curl_easy_strerror(c->code), c->want_retry);
}
END_TEST

struct parse_case {
	int parse_err;
	int want;
};

static const struct parse_case parse_cases[] = {
	{ 0, 0 },
	{ -EBADMSG, -EIO },
	{ -EINVAL, -EIO },
	{ -E2BIG, -EIO },
	{ -ENOMEM, -ENOMEM },
};

START_TEST(test_parse_case)
{
	const struct parse_case *c = &parse_cases[_i];

	ck_assert_msg(tfs_errno_from_parse(c->parse_err) == c->want,
		      "parse error %d: %d, want %d", c->parse_err,
		      tfs_errno_from_parse(c->parse_err), c->want);
}
END_TEST

static Suite *errmap_suite(void)
{
	Suite *s = suite_create("errmap");
	TCase *tc = tcase_create("errmap");

	tcase_add_loop_test(tc, test_http_case, 0,
			    (int)(sizeof(http_cases) / sizeof(http_cases[0])));
	tcase_add_loop_test(tc, test_curl_case, 0,
			    (int)(sizeof(curl_cases) / sizeof(curl_cases[0])));
	tcase_add_loop_test(tc, test_parse_case, 0,
			    (int)(sizeof(parse_cases) / sizeof(parse_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(errmap_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
