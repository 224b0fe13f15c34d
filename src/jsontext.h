/*
 * jsontext.h -- raw JSON text: locate members and elements, and re-lay a
 * value out exactly as `jq .` does.
 *
 * Pure module: no I/O, no FUSE, no curl, no json-c. It works on the bytes the
 * API sent so that number text (digits, exponent, trailing zeros, "-0") and
 * key order survive untouched, which a parse into doubles would lose.
 *
 * All functions take (text, len) spans; text need not be NUL-terminated.
 * Errors are negative errno values: -EINVAL for text that is not valid JSON
 * (RFC 8259, no trailing garbage except whitespace), -ENOENT for a missing
 * member, -ENOMEM for allocation failure, -E2BIG for nesting deeper than
 * TFS_JT_MAX_DEPTH.
 */
#ifndef TFS_JSONTEXT_H
#define TFS_JSONTEXT_H

#include <stddef.h>

#define TFS_JT_MAX_DEPTH 64

/* Render the single JSON value in text[0..len) as `jq .` would print it
 * (2-space indent, `"key": value`, `{}`/`[]` for empty containers, strings
 * re-escaped jq's way with UTF-8 kept as is, numbers copied verbatim), plus
 * one trailing newline. On success *out is a malloc'd buffer the caller
 * frees with free(), *out_len its length (the buffer is also NUL-terminated
 * one past *out_len). */
int tfs_jt_render(const char *text, size_t len, char **out, size_t *out_len);

/* A depth-1 member wanted from tfs_jt_render_fields: key in, span out
 * (found 0 when absent; the last occurrence wins). */
struct tfs_jt_field {
	const char *key;
	int found;
	size_t vstart, vlen;
};

/* tfs_jt_render, also noting where the members named in fields lie when
 * the value is an object: one pass instead of one per member. */
int tfs_jt_render_fields(const char *text, size_t len, struct tfs_jt_field *fields,
			 size_t nfields, char **out, size_t *out_len);

/* Validate the object text[0..len) in full and note where the members
 * named in fields lie, in one pass. 0, -EINVAL, -E2BIG. */
int tfs_jt_members(const char *text, size_t len, struct tfs_jt_field *fields,
		   size_t nfields);

/* Decode the JSON string literal text[0..len) (quotes included) into buf
 * as UTF-8 with a NUL after it; *out_len excludes the NUL, and an escaped
 * NUL inside shows as a byte 0 (check against strlen). -EINVAL when text
 * is not exactly one valid string, -E2BIG when it does not fit in cap
 * (or is longer than 256 bytes decoded). No allocation. */
int tfs_jt_string_value(const char *text, size_t len, char *buf, size_t cap,
			size_t *out_len);

/* text[0..len) must be one JSON object. Finds the member whose decoded key
 * equals key (last occurrence wins, as in json-c) and sets *vstart and
 * *vlen to the span of its value, whitespace trimmed. No allocation. */
int tfs_jt_member(const char *text, size_t len, const char *key,
		  size_t *vstart, size_t *vlen);

/* text[0..len) must be one JSON array. Calls cb once per element, in order,
 * with the element's span (whitespace trimmed). Stops and returns cb's value
 * if cb returns non-zero; returns 0 after the last element. */
int tfs_jt_array_each(const char *text, size_t len,
		      int (*cb)(void *ctx, const char *el, size_t el_len),
		      void *ctx);

#endif
