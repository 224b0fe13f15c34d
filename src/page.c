/* page.c -- validate a runs page with json-c, render its runs with jsontext. */
#include "page.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "isotime.h"
#include "jsontext.h"
#include "router.h"

static bool get_int(struct json_object *meta, const char *key, bool nullable,
		    int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(meta, key, &v))
		return false;
	if (v == NULL) {
		*out = -1;
		return nullable;
	}
	if (!json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= 0;
}

/* The members of a run that tinesfs reads. They are found by jsontext
 * while it lays the run out (one pass), by their decoded keys: json-c cuts
 * a key at an escaped NUL and would read "guid\u0000" as "guid", which the
 * file's bytes (and every reader of them) do not, so a hostile page could
 * list a run under a name its content does not carry. */
enum { F_GUID, F_START, F_END, F_N };

/* A string member's decoded value into buf, or false (absent, not a
 * string, too long). */
static bool string_field(const char *el, const struct tfs_jt_field *f, char *buf,
			 size_t cap, size_t *len)
{
	return f->found && el[f->vstart] == '"' &&
	       tfs_jt_string_value(el + f->vstart, f->vlen, buf, cap, len) == 0;
}

static int64_t time_field(const char *el, const struct tfs_jt_field *f, bool *set)
{
	char buf[128];
	size_t len;
	int64_t t = 0;

	*set = f->found && el[f->vstart] == '"';
	if (string_field(el, f, buf, sizeof(buf), &len) &&
	    tfs_iso8601_parse(buf, len, &t) != 0)
		t = 0;
	return t;
}

struct walk {
	struct tfs_page *page;
	size_t cap;		/* of page->runs */
	int err;
};

static int one_item(void *ctx, const char *el, size_t el_len)
{
	struct tfs_jt_field f[F_N] = {
		[F_GUID] = { .key = "guid" },
		[F_START] = { .key = "start_time" },
		[F_END] = { .key = "end_time" },
	};
	struct walk *w = ctx;
	struct tfs_page_run *r;
	char guid[TFS_GUID_MAX + 2];
	size_t guid_len;
	bool has_end, has_start;
	int64_t end, start;
	int rc;

	if (w->page->nruns == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct tfs_page_run *runs = realloc(w->page->runs, cap * sizeof(*runs));

		if (!runs) {
			w->err = -ENOMEM;
			return 1;
		}
		w->page->runs = runs;
		w->cap = cap;
	}
	r = &w->page->runs[w->page->nruns];
	rc = tfs_jt_render_fields(el, el_len, f, F_N, &r->bytes, &r->len);
	if (rc != 0) {
		w->err = rc == -ENOMEM ? -ENOMEM : -EBADMSG;
		return 1;
	}
	if (el[0] != '{' || !string_field(el, &f[F_GUID], guid, sizeof(guid), &guid_len) ||
	    !tfs_guid_ok(guid, guid_len) || strlen(guid) != guid_len) {
		free(r->bytes);
		r->bytes = NULL;
		w->page->skipped++;
		return 0;
	}
	r->guid_len = guid_len;
	r->guid = strndup(guid, guid_len);
	if (!r->guid) {
		free(r->bytes);
		r->bytes = NULL;
		w->err = -ENOMEM;
		return 1;
	}
	end = time_field(el, &f[F_END], &has_end);
	start = time_field(el, &f[F_START], &has_start);
	r->finished = has_end;
	/* An end_time that is set but unreadable still falls back to start_time. */
	r->mtime = end ? end : start;
	w->page->nruns++;
	return 0;
}

int tfs_page_parse(const char *body, size_t len, struct tfs_page *out)
{
	struct tfs_jt_field f[2] = { { .key = "group_runs" }, { .key = "meta" } };
	struct json_tokener *tok = NULL;
	struct json_object *meta = NULL;
	struct walk w;
	int rc = -EBADMSG;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > INT32_MAX)
		return -EBADMSG;
	/* jsontext checks the whole body (strict RFC 8259, UTF-8, depth) and
	 * finds both members in one pass; json-c then reads only meta, a small
	 * object, instead of building a tree of every run (most of a page's
	 * parse time, and a tree nobody would use). */
	if (tfs_jt_members(body, len, f, 2) != 0 || !f[0].found || !f[1].found ||
	    body[f[0].vstart] != '[' || body[f[1].vstart] != '{')
		return -EBADMSG;
	tok = json_tokener_new_ex(TFS_PAGE_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	meta = json_tokener_parse_ex(tok, body + f[1].vstart, (int)f[1].vlen);
	if (!meta || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(meta, json_type_object) ||
	    !get_int(meta, "per_page", false, &out->per_page) ||
	    !get_int(meta, "pages", false, &out->pages) ||
	    !get_int(meta, "count", false, &out->count) ||
	    !get_int(meta, "next_page_number", true, &out->next_page_number))
		goto out;
	w = (struct walk){ .page = out };
	rc = tfs_jt_array_each(body + f[0].vstart, f[0].vlen, one_item, &w);
	if (rc != 0)
		rc = w.err ? w.err : -EBADMSG;
out:
	if (rc != 0)
		tfs_page_free(out);
	json_object_put(meta);
	json_tokener_free(tok);
	return rc;
}

void tfs_page_free(struct tfs_page *p)
{
	for (size_t i = 0; i < p->nruns; i++) {
		free(p->runs[i].guid);
		free(p->runs[i].bytes);
	}
	free(p->runs);
	memset(p, 0, sizeof(*p));
}

void tfs_page_take(struct tfs_page *p, size_t i, char **guid, char **bytes)
{
	*guid = p->runs[i].guid;
	*bytes = p->runs[i].bytes;
	p->runs[i].guid = NULL;
	p->runs[i].bytes = NULL;
}
