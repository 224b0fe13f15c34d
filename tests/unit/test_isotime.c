/*
 * test_isotime.c -- unit tests for src/isotime.c.
 *
 * Inputs are copied into exact-size heap buffers without a terminator so
 * ASan catches reads past s+len.
 */
#include "isotime.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define T0 1702484390	/* 2023-12-13T16:19:50Z */

struct iso_case {
	const char *in;
	int64_t want;
	int want_err;
};

static const struct iso_case cases[] = {
	/* UTC forms */
	{ "2023-12-13T16:19:50Z", T0, 0 },
	{ "2023-12-13t16:19:50z", T0, 0 },
	{ "2023-12-13T16:19:50", T0, 0 },	/* no zone: UTC */
	{ "2023-12-13T16:19:50+00:00", T0, 0 },
	{ "2023-12-13T16:19:50-00:00", T0, 0 },
	{ "1970-01-01T00:00:00Z", 0, 0 },
	{ "1969-12-31T23:59:59Z", -1, 0 },
	{ "2000-01-01T00:00:00Z", 946684800, 0 },
	{ "2038-01-19T03:14:08Z", 2147483648LL, 0 },
	{ "2100-03-01T00:00:00Z", 4107542400LL, 0 },
	/* fractional seconds are dropped, never rounded */
	{ "2023-12-13T16:19:50.123Z", T0, 0 },
	{ "2023-12-13T16:19:50.999999999Z", T0, 0 },
	{ "2023-12-13T16:19:50.5", T0, 0 },
	{ "2023-12-13T16:19:50.000001+02:00", T0 - 7200, 0 },
	/* offsets */
	{ "2023-12-13T18:19:50+02:00", T0, 0 },
	{ "2023-12-13T18:19:50+0200", T0, 0 },
	{ "2023-12-13T18:19:50+02", T0, 0 },
	{ "2023-12-13T10:49:50-05:30", T0, 0 },
	{ "2023-12-13T10:49:50-0530", T0, 0 },
	{ "2023-12-14T01:19:50+09:00", T0, 0 },
	{ "2023-12-13T16:19:50+02:00", T0 - 7200, 0 },
	{ "2023-12-13T16:19:50-05:30", T0 + 19800, 0 },
	{ "2024-01-01T00:00:00+14:00", 1704016800, 0 },
	/* calendar */
	{ "2024-02-29T00:00:00Z", 1709164800, 0 },	/* leap day */
	{ "2000-02-29T00:00:00Z", 951782400, 0 },	/* 400-year leap */
	{ "2024-03-01T00:00:00Z", 1709251200, 0 },
	{ "2023-12-31T23:59:59Z", 1704067199, 0 },
	{ "2024-01-01T00:00:00Z", 1704067200, 0 },
	{ "2023-04-30T00:00:00Z", 1682812800, 0 },

	/* invalid dates and times */
	{ "2023-02-29T00:00:00Z", 0, -EINVAL },	/* not a leap year */
	{ "1900-02-29T00:00:00Z", 0, -EINVAL },	/* century, not leap */
	{ "2024-02-30T00:00:00Z", 0, -EINVAL },
	{ "2023-04-31T00:00:00Z", 0, -EINVAL },
	{ "2023-00-10T00:00:00Z", 0, -EINVAL },
	{ "2023-13-10T00:00:00Z", 0, -EINVAL },
	{ "2023-12-00T00:00:00Z", 0, -EINVAL },
	{ "2023-12-32T00:00:00Z", 0, -EINVAL },
	{ "2023-12-13T24:00:00Z", 0, -EINVAL },
	{ "2023-12-13T16:60:00Z", 0, -EINVAL },
	{ "2023-12-13T16:19:61Z", 0, -EINVAL },
	{ "2023-12-13T16:19:50+24:00", 0, -EINVAL },
	{ "2023-12-13T16:19:50+02:60", 0, -EINVAL },
	/* garbage and wrong shapes */
	{ "", 0, -EINVAL },
	{ "garbage", 0, -EINVAL },
	{ "yesterday at noon, roughly", 0, -EINVAL },
	{ "2023-12-13", 0, -EINVAL },
	{ "2023-12-13T16:19", 0, -EINVAL },
	{ "2023-12-13T16:19:5", 0, -EINVAL },
	{ "2023/12/13T16:19:50Z", 0, -EINVAL },
	{ "2023-12-13X16:19:50Z", 0, -EINVAL },
	{ "2023-12-13T16-19-50Z", 0, -EINVAL },
	{ "23-12-13T16:19:50Z", 0, -EINVAL },
	{ "2023-1-13T16:19:50Z", 0, -EINVAL },
	{ "2023-12-13T6:19:50Z", 0, -EINVAL },
	{ " 2023-12-13T16:19:50Z", 0, -EINVAL },
	{ "+2023-12-13T16:19:50Z", 0, -EINVAL },
	{ "2023-12-1aT16:19:50Z", 0, -EINVAL },
	{ "1702484390", 0, -EINVAL },
	/* trailing junk */
	{ "2023-12-13T16:19:50Zx", 0, -EINVAL },
	{ "2023-12-13T16:19:50ZZ", 0, -EINVAL },
	{ "2023-12-13T16:19:50Z ", 0, -EINVAL },
	{ "2023-12-13T16:19:50 ", 0, -EINVAL },
	{ "2023-12-13T16:19:50x", 0, -EINVAL },
	{ "2023-12-13T16:19:50+02:00x", 0, -EINVAL },
	{ "2023-12-13T16:19:50+02:00Z", 0, -EINVAL },
	{ "2023-12-13T16:19:50+0200:", 0, -EINVAL },
	{ "2023-12-13T16:19:50.Z", 0, -EINVAL },
	{ "2023-12-13T16:19:50.", 0, -EINVAL },
	{ "2023-12-13T16:19:50.12.3Z", 0, -EINVAL },
	/* malformed zones */
	{ "2023-12-13T16:19:50+", 0, -EINVAL },
	{ "2023-12-13T16:19:50+2", 0, -EINVAL },
	{ "2023-12-13T16:19:50+020", 0, -EINVAL },
	{ "2023-12-13T16:19:50+02:0", 0, -EINVAL },
	{ "2023-12-13T16:19:50+02:", 0, -EINVAL },	/* not in the grammar */
	{ "2023-12-13T16:19:50+02:000", 0, -EINVAL },
	{ "2023-12-13T16:19:50+ab:cd", 0, -EINVAL },
	{ "2023-12-13T16:19:50UTC", 0, -EINVAL },
};

#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

START_TEST(test_iso_case)
{
	const struct iso_case *c = &cases[_i];
	size_t n = strlen(c->in);
	char *in = malloc(n ? n : 1);
	int64_t got = 12345;
	int rc;

	ck_assert_ptr_nonnull(in);
	memcpy(in, c->in, n);
	rc = tfs_iso8601_parse(in, n, &got);
	free(in);
	ck_assert_msg(rc == c->want_err, "'%s': rc %d, want %d", c->in, rc,
		      c->want_err);
	if (rc == 0)
		ck_assert_msg(got == c->want, "'%s': %lld, want %lld", c->in,
			      (long long)got, (long long)c->want);
}
END_TEST

/* Only s[0..len) counts: a valid prefix of a longer buffer parses, and
 * cutting a valid stamp short anywhere but at an optional part fails. */
START_TEST(test_len_bounds)
{
	static const char full[] = "2023-12-13T18:19:50.25+02:00";
	int64_t got;

	ck_assert_int_eq(tfs_iso8601_parse(full, 19, &got), 0);
	ck_assert_int_eq(got, T0 + 7200);
	for (size_t n = 0; n < 19; n++) {
		char *in = malloc(n ? n : 1);

		ck_assert_ptr_nonnull(in);
		memcpy(in, full, n);
		ck_assert_msg(tfs_iso8601_parse(in, n, &got) == -EINVAL,
			      "prefix of %zu bytes accepted", n);
		free(in);
	}
}
END_TEST

/* Independent of TZ: the same answer whatever the environment says. */
START_TEST(test_tz_independent)
{
	int64_t a, b;

	setenv("TZ", "Pacific/Chatham", 1);
	ck_assert_int_eq(tfs_iso8601_parse("2023-12-13T16:19:50", 19, &a), 0);
	setenv("TZ", "UTC", 1);
	ck_assert_int_eq(tfs_iso8601_parse("2023-12-13T16:19:50", 19, &b), 0);
	ck_assert_int_eq(a, T0);
	ck_assert_int_eq(b, T0);
}
END_TEST

static Suite *iso_suite(void)
{
	Suite *s = suite_create("isotime");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_iso_case, 0, NCASES);
	tcase_add_test(tc, test_len_bounds);
	tcase_add_test(tc, test_tz_independent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(iso_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
