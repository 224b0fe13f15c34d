/*
 * fuzz_jsontext.c -- libFuzzer target for src/jsontext.c: tfs_jt_render,
 * tfs_jt_member and tfs_jt_array_each over arbitrary bytes.
 *
 * Beyond memory safety: the three entry points agree on which texts are
 * valid JSON; a rendering is valid JSON that renders to itself; every span
 * handed out lies inside the input and renders on its own.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_jsontext: check failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

struct each {
	const char *base;
	size_t len, n;
};

/* Element spans: inside the array, trimmed, each one a valid document. */
static int each_cb(void *ctx, const char *el, size_t el_len)
{
	struct each *e = ctx;
	char *out;
	size_t out_len;

	CHECK(el >= e->base && el + el_len <= e->base + e->len);
	CHECK(el_len > 0 && el[0] != ' ' && el[el_len - 1] != ' ');
	CHECK(tfs_jt_render(el, el_len, &out, &out_len) == 0);
	free(out);
	/* A non-zero return stops the walk and comes back unchanged. */
	return ++e->n == 1000 ? 77 : 0;
}

static size_t skip_ws(const uint8_t *d, size_t n)
{
	size_t i = 0;

	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
		i++;
	return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "guid", "group_runs", "meta", "", "a" };
	const char *text = (const char *)data;
	char *out = NULL, *again = NULL;
	size_t out_len, again_len, vs, vl, lead = skip_ws(data, size);
	struct each e = { .base = text, .len = size };
	int rc, rc2;

	rc = tfs_jt_render(text, size, &out, &out_len);
	CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM);
	if (rc == 0) {
		CHECK(out_len >= 2 && out[out_len] == '\0' && out[out_len - 1] == '\n');
		CHECK(tfs_jt_render(out, out_len, &again, &again_len) == 0);
		CHECK(again_len == out_len && memcmp(again, out, out_len) == 0);
		free(again);
		free(out);
	} else {
		CHECK(out == NULL);
	}

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		rc2 = tfs_jt_member(text, size, keys[k], &vs, &vl);
		if (lead < size && data[lead] == '{') {
			/* An object: found or not found exactly when it is valid. */
			if (rc == 0)
				CHECK(rc2 == 0 || rc2 == -ENOENT);
			else
				CHECK(rc2 == rc);
		} else {
			CHECK(rc2 == -EINVAL);
		}
		if (rc2 == 0) {
			CHECK(vs + vl <= size && vl > 0);
			CHECK(tfs_jt_render(text + vs, vl, &out, &out_len) == 0);
			free(out);
		}
	}

	rc2 = tfs_jt_array_each(text, size, each_cb, &e);
	if (lead < size && data[lead] == '[') {
		if (rc == 0)
			CHECK(rc2 == 0 || (rc2 == 77 && e.n == 1000));
		else
			CHECK(rc2 == rc && e.n == 0);
	} else {
		CHECK(rc2 == -EINVAL && e.n == 0);
	}
	return 0;
}
