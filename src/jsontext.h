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
