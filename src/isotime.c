/* isotime.c -- strict ISO 8601 date-time parsing without timegm/TZ. */
#include "isotime.h"

#include <errno.h>
#include <stdbool.h>

static bool digits(const char *s, size_t len, size_t at, size_t n, int *v)
{
	int r = 0;

	if (at + n > len)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[at + i] < '0' || s[at + i] > '9')
			return false;
		r = r * 10 + (s[at + i] - '0');
	}
	*v = r;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int tfs_iso8601_parse(const char *s, size_t len, int64_t *out)
{
	int Y, M, D, h, m, sec, oh = 0, om = 0, sign = 0;
	size_t p = 19;

	if (!digits(s, len, 0, 4, &Y) || len < 19 || s[4] != '-' ||
	    !digits(s, len, 5, 2, &M) || s[7] != '-' || !digits(s, len, 8, 2, &D) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s, len, 11, 2, &h) || s[13] != ':' ||
	    !digits(s, len, 14, 2, &m) || s[16] != ':' || !digits(s, len, 17, 2, &sec))
		return -EINVAL;
	if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M) || h > 23 ||
	    m > 59 || sec > 60)
		return -EINVAL;
	if (p < len && (s[p] == '.' || s[p] == ',')) {
		size_t start = ++p;

		while (p < len && s[p] >= '0' && s[p] <= '9')
			p++;
		if (p == start)
			return -EINVAL;
	}
	if (p < len && (s[p] == 'Z' || s[p] == 'z')) {
		p++;
	} else if (p < len && (s[p] == '+' || s[p] == '-')) {
		sign = s[p] == '-' ? -1 : 1;
		if (!digits(s, len, p + 1, 2, &oh))
			return -EINVAL;
		p += 3;
		if (p < len && s[p] == ':') {
			p++;
			if (p >= len)
				return -EINVAL;	/* "+02:" */
		}
		if (p < len) {
			if (!digits(s, len, p, 2, &om))
				return -EINVAL;
			p += 2;
		}
		if (oh > 23 || om > 59)
			return -EINVAL;
	}
	if (p != len)
		return -EINVAL;
	*out = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return 0;
}
