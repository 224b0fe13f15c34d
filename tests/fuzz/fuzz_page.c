/*
 * fuzz_page.c -- libFuzzer target for tfs_page_parse (src/page.c).
 *
 * The input is a runs-page body, as the server would send it. Beyond "no
 * crash, no leak, no sanitizer report", a page that parses must keep the
 * promises page.h makes: every run's guid passes tfs_guid_ok and has no NUL,
 * its file bytes are what tfs_jt_render makes of them (rendering is
 * idempotent), and the guid inside those bytes is the file's name, so a
 * hostile page cannot put one run's content under another run's name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsontext.h"
#include "page.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_page: check failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

/* The guid member of the rendered run bytes (found by jsontext, the way a
 * reader of the file would, last duplicate winning) must be a string equal
 * to the guid the page reported for that run, i.e. the file's name. */
static void check_guid_in_bytes(const struct tfs_page_run *r)
{
	struct json_object *g;
	size_t vs, vl;
	char *span;

	CHECK(tfs_jt_member(r->bytes, r->len, "guid", &vs, &vl) == 0);
	CHECK(vs + vl <= r->len);
	span = strndup(r->bytes + vs, vl);
	CHECK(span != NULL);
	g = json_tokener_parse(span);
	CHECK(g != NULL && json_object_is_type(g, json_type_string));
	CHECK((size_t)json_object_get_string_len(g) == r->guid_len);
	CHECK(memcmp(json_object_get_string(g), r->guid, r->guid_len) == 0);
	json_object_put(g);
	free(span);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tfs_page p;
	char *again = NULL, *guid, *bytes;
	size_t again_len;
	int rc;

	rc = tfs_page_parse((const char *)data, size, &p);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOMEM);
	if (rc != 0) {
		/* Nothing may be left allocated or half-filled on failure. */
		CHECK(p.runs == NULL && p.nruns == 0);
		return 0;
	}
	CHECK(p.per_page >= 0 && p.pages >= 0 && p.count >= 0);
	CHECK(p.next_page_number >= -1);
	for (size_t i = 0; i < p.nruns; i++) {
		const struct tfs_page_run *r = &p.runs[i];

		CHECK(r->guid != NULL && r->bytes != NULL);
		CHECK(strlen(r->guid) == r->guid_len);
		CHECK(tfs_guid_ok(r->guid, r->guid_len));
		CHECK(r->len >= 3 && r->bytes[r->len] == '\0');
		CHECK(r->bytes[0] == '{' && r->bytes[r->len - 1] == '\n');
		CHECK(tfs_jt_render(r->bytes, r->len, &again, &again_len) == 0);
		CHECK(again_len == r->len && memcmp(again, r->bytes, r->len) == 0);
		free(again);
		again = NULL;
		check_guid_in_bytes(r);
	}
	if (p.nruns > 0) {
		tfs_page_take(&p, p.nruns - 1, &guid, &bytes);
		CHECK(p.runs[p.nruns - 1].guid == NULL);
		free(guid);
		free(bytes);
	}
	tfs_page_free(&p);
	CHECK(p.runs == NULL && p.nruns == 0);
	return 0;
}
