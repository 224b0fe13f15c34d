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

/* The value of member key of the item el[0..len), parsed by json-c, or NULL
 * (none, or no memory). The member is found by jsontext, not json-c: json-c
 * cuts a key at an escaped NUL and reads "guid\u0000" as "guid", which the
 * file's bytes (and every reader of them) do not, so a hostile page could
 * list a run under a name its content does not carry. */
static struct json_object *item_member(const char *el, size_t len, const char *key)
{
	struct json_tokener *tok;
	struct json_object *v = NULL;
	size_t vstart, vlen;

	if (tfs_jt_member(el, len, key, &vstart, &vlen) != 0)
		return NULL;
	tok = json_tokener_new();
	if (tok) {
		v = json_tokener_parse_ex(tok, el + vstart, (int)vlen);
		json_tokener_free(tok);
	}
	return v;
}

static int64_t time_field(const char *el, size_t len, const char *key, bool *set)
{
	struct json_object *v = item_member(el, len, key);
	int64_t t = 0;

	*set = json_object_is_type(v, json_type_string);
	if (*set && tfs_iso8601_parse(json_object_get_string(v),
				      (size_t)json_object_get_string_len(v), &t) != 0)
		t = 0;
	json_object_put(v);
	return t;
}

struct walk {
	size_t nitems;		/* as json-c counted them */
	struct tfs_page *page;
	size_t index;
	int err;
};

static int one_item(void *ctx, const char *el, size_t el_len)
{
	struct walk *w = ctx;
	struct json_object *g;
	struct tfs_page_run *r;
	bool has_end, has_start;
	int64_t end, start;
	int rc;

	if (w->index++ >= w->nitems) {
		w->err = -EBADMSG;	/* jsontext and json-c disagree */
		return 1;
	}
	g = el[0] == '{' ? item_member(el, el_len, "guid") : NULL;
	if (!json_object_is_type(g, json_type_string) ||
	    !tfs_guid_ok(json_object_get_string(g), (size_t)json_object_get_string_len(g)) ||
	    strlen(json_object_get_string(g)) != (size_t)json_object_get_string_len(g)) {
		json_object_put(g);
		w->page->skipped++;
		return 0;
	}
	r = &w->page->runs[w->page->nruns];
	rc = tfs_jt_render(el, el_len, &r->bytes, &r->len);
	if (rc != 0) {
		json_object_put(g);
		w->err = rc == -ENOMEM ? -ENOMEM : -EBADMSG;
		return 1;
	}
	r->guid_len = (size_t)json_object_get_string_len(g);
	r->guid = strndup(json_object_get_string(g), r->guid_len);
	json_object_put(g);
	if (!r->guid) {
		free(r->bytes);
		w->err = -ENOMEM;
		return 1;
	}
	end = time_field(el, el_len, "end_time", &has_end);
	start = time_field(el, el_len, "start_time", &has_start);
	r->finished = has_end;
	/* An end_time that is set but unreadable still falls back to start_time. */
	r->mtime = end ? end : start;
	w->page->nruns++;
	return 0;
}

int tfs_page_parse(const char *body, size_t len, struct tfs_page *out)
{
	struct json_tokener *tok;
	struct json_object *root = NULL, *arr, *meta;
	size_t vstart, vlen, nitems;
	struct walk w;
	int rc = -EBADMSG;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > INT32_MAX)
		return -EBADMSG;
	tok = json_tokener_new_ex(TFS_PAGE_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success)
		goto out;
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
		if (!strchr(" \t\r\n", body[i]))
			goto out;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "group_runs", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    !json_object_object_get_ex(root, "meta", &meta) ||
	    !json_object_is_type(meta, json_type_object) ||
	    !get_int(meta, "per_page", false, &out->per_page) ||
	    !get_int(meta, "pages", false, &out->pages) ||
	    !get_int(meta, "count", false, &out->count) ||
	    !get_int(meta, "next_page_number", true, &out->next_page_number))
		goto out;
	if (tfs_jt_member(body, len, "group_runs", &vstart, &vlen) != 0)
		goto out;
	nitems = json_object_array_length(arr);
	out->runs = calloc(nitems ? nitems : 1, sizeof(*out->runs));
	if (!out->runs) {
		rc = -ENOMEM;
		goto out;
	}
	w = (struct walk){ .nitems = nitems, .page = out };
	rc = tfs_jt_array_each(body + vstart, vlen, one_item, &w);
	if (rc == 0 && w.index != nitems)
		rc = -EBADMSG;	/* jsontext and json-c disagree: do not guess */
	else if (rc != 0)
		rc = w.err ? w.err : -EBADMSG;
out:
	if (rc != 0)
		tfs_page_free(out);
	json_object_put(root);
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
