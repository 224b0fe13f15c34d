/*
 * jsontext.c -- strict RFC 8259 scanner over raw JSON bytes.
 *
 * One recursive-descent walker (depth bounded by TFS_JT_MAX_DEPTH, so the C
 * stack stays small) serves three jobs: re-laying a value out the way `jq .`
 * prints it, finding an object member by decoded key, and visiting array
 * elements. Number tokens are never converted: the API's digits are copied
 * verbatim, which is the whole point of working on text instead of json-c
 * objects. Strings are decoded to code points and re-escaped as jq does
 * (short escapes, \u00xx for other controls and DEL, raw UTF-8 otherwise;
 * lone surrogate escapes become U+FFFD as in jq 1.7).
 */
#include "jsontext.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tfs_jt {
	const char *base, *p, *end;
	/* output (render only) */
	int render, nomem;
	char *out;
	size_t olen, ocap;
	/* member lookup: key compared only for depth-1 keys (kcmp set) */
	const char *key;
	size_t klen, kpos;
	int kcmp, kok, found;
	size_t vstart, vlen;
	/* array_each */
	int (*cb)(void *ctx, const char *el, size_t el_len);
	void *ctx;
	/* render with fields: depth-1 keys decoded into kbuf (kcap set) */
	struct tfs_jt_field *fields;
	size_t nfields;
	int kcap;
	char kbuf[256];
	size_t kblen;			/* > sizeof(kbuf): too long to match */
};

static int tfs_jt_value(struct tfs_jt *j, int depth);

/* Room for n more bytes plus the NUL the caller is promised; NULL once any
 * allocation failed (the failure is sticky and reported at the end, which
 * keeps every emit site free of error plumbing). */
static char *tfs_jt_reserve(struct tfs_jt *j, size_t n)
{
	size_t cap;
	char *nb;

	if (!j->render || j->nomem)
		return NULL;
	if (n + 1 > j->ocap - j->olen) {
		cap = j->ocap ? j->ocap : 256;
		while (n + 1 > cap - j->olen && cap <= SIZE_MAX / 2)
			cap *= 2;
		if (n + 1 > cap - j->olen || !(nb = realloc(j->out, cap))) {
			j->nomem = 1;
			return NULL;
		}
		j->out = nb;
		j->ocap = cap;
	}
	j->olen += n;
	return j->out + j->olen - n;
}

static void tfs_jt_put(struct tfs_jt *j, const char *s, size_t n)
{
	char *d = tfs_jt_reserve(j, n);

	if (d)
		memcpy(d, s, n);
}

static void tfs_jt_newline(struct tfs_jt *j, int depth)
{
	char *d = tfs_jt_reserve(j, 1 + 2 * (size_t)depth);

	if (d) {
		d[0] = '\n';
		memset(d + 1, ' ', 2 * (size_t)depth);
	}
}

static void tfs_jt_ws(struct tfs_jt *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int tfs_jt_at(const struct tfs_jt *j, char c)
{
	return j->p < j->end && *j->p == c;
}

/* Length of the valid UTF-8 sequence at p (storing its code point), or 0
 * for stray continuation bytes, overlong forms, encoded surrogates, values
 * above U+10FFFF and sequences cut short by e. */
static size_t tfs_jt_utf8(const unsigned char *p, const unsigned char *e,
			  unsigned *cp)
{
	static const unsigned min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned v, c = p[0];
	size_t i, n;

	n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
	if (!n || (size_t)(e - p) < n)
		return 0;
	v = c & (0x3Fu >> (n - 1));
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3F);
	}
	if (v < min[n] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	*cp = v;
	return n;
}

static size_t tfs_jt_encode(unsigned cp, char *u)
{
	static const unsigned char lead[5] = { 0, 0, 0xC0, 0xE0, 0xF0 };
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

	for (i = n - 1; i > 0; i--, cp >>= 6)
		u[i] = (char)(0x80 | (cp & 0x3F));
	u[0] = (char)(lead[n] | cp);
	return n;
}

/* Value of the 4 hex digits at p, or -1 if there are not 4 of them. */
static long tfs_jt_hex4(const char *p, const char *e)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	const char *x;
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (e - p <= i || !(x = memchr(hex, p[i], 22)))
			return -1;
		v = v << 4 | (x - hex < 16 ? x - hex : x - hex - 6);
	}
	return v;
}

/* One decoded code point: fed to the key comparison and/or written out
 * re-escaped the way jq's jvp_dump_string does. */
static void tfs_jt_putcp(struct tfs_jt *j, unsigned cp)
{
	static const char shortesc[] = "\b\f\n\r\tbfnrt";
	char u[8];
	size_t n = tfs_jt_encode(cp, u);
	const char *s;

	if (j->kcmp) {
		if (j->klen - j->kpos < n ||
		    memcmp(j->key + j->kpos, u, n) != 0)
			j->kok = 0;
		else
			j->kpos += n;
	}
	if (j->kcap) {
		if (j->kblen + n <= sizeof(j->kbuf))
			memcpy(j->kbuf + j->kblen, u, n);
		j->kblen += n;
	}
	if (!j->render)
		return;
	if (cp == '"' || cp == '\\') {
		u[1] = u[0];
		u[0] = '\\';
		n = 2;
	} else if (cp < 0x20 || cp == 0x7F) {
		s = cp ? memchr(shortesc, (int)cp, 5) : NULL;
		if (s) {
			u[0] = '\\';
			u[1] = s[5];
			n = 2;
		} else {
			n = (size_t)snprintf(u, sizeof(u), "\\u%04x", cp);
		}
	}
	tfs_jt_put(j, u, n);
}

/* The \uXXXX escape at *pp (just past the 'u'), combining a surrogate
 * pair; anything left unpaired becomes U+FFFD, as jq 1.7 does. */
static int tfs_jt_uescape(const char **pp, const char *e, unsigned *cp)
{
	const char *p = *pp;
	long hi = tfs_jt_hex4(p, e), lo;

	if (hi < 0)
		return -EINVAL;
	p += 4;
	if (hi >= 0xD800 && hi <= 0xDBFF && e - p >= 6 && p[0] == '\\' &&
	    p[1] == 'u' && (lo = tfs_jt_hex4(p + 2, e)) >= 0xDC00 &&
	    lo <= 0xDFFF) {
		hi = 0x10000 + ((hi - 0xD800) << 10) + lo - 0xDC00;
		p += 6;
	}
	*cp = hi >= 0xD800 && hi <= 0xDFFF ? 0xFFFD : (unsigned)hi;
	*pp = p;
	return 0;
}

static int tfs_jt_string(struct tfs_jt *j)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p = j->p + 1, *e = j->end, *s;
	unsigned cp;
	size_t n;

	tfs_jt_put(j, "\"", 1);
	for (;;) {
		if (p >= e)
			return -EINVAL;
		if (*p == '"')
			break;
		if (!j->kcmp && !j->kcap) {
			/* A run of printable ASCII is copied as it is. */
			const char *q = p;

			while (q < e && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7f &&
			       *q != '"' && *q != '\\')
				q++;
			if (q > p) {
				tfs_jt_put(j, p, (size_t)(q - p));
				p = q;
				continue;
			}
		}
		if ((unsigned char)*p < 0x20)
			return -EINVAL;
		if ((unsigned char)*p >= 0x80) {
			n = tfs_jt_utf8((const unsigned char *)p,
					(const unsigned char *)e, &cp);
			if (!n)
				return -EINVAL;
			p += n;
		} else if (*p != '\\') {
			cp = (unsigned char)*p++;
		} else if (++p < e && *p == 'u') {
			p++;
			if (tfs_jt_uescape(&p, e, &cp))
				return -EINVAL;
		} else if (p < e && (s = memchr(from, *p, 8))) {
			cp = (unsigned char)to[s - from];
			p++;
		} else {
			return -EINVAL;
		}
		tfs_jt_putcp(j, cp);
	}
	j->p = p + 1;
	tfs_jt_put(j, "\"", 1);
	return 0;
}

static size_t tfs_jt_digits(const char *p, const char *e)
{
	const char *s = p;

	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return (size_t)(p - s);
}

/* Validates the RFC 8259 number grammar and copies the token untouched. */
static int tfs_jt_number(struct tfs_jt *j)
{
	const char *s = j->p, *p = s, *e = j->end;
	size_t n;

	if (p < e && *p == '-')
		p++;
	n = tfs_jt_digits(p, e);
	if (!n || (*p == '0' && n > 1))
		return -EINVAL;
	p += n;
	if (p < e && *p == '.') {
		p++;
		if (!(n = tfs_jt_digits(p, e)))
			return -EINVAL;
		p += n;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!(n = tfs_jt_digits(p, e)))
			return -EINVAL;
		p += n;
	}
	tfs_jt_put(j, s, (size_t)(p - s));
	j->p = p;
	return 0;
}

static int tfs_jt_literal(struct tfs_jt *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return -EINVAL;
	tfs_jt_put(j, lit, n);
	j->p += n;
	return 0;
}

/* The field whose key was just decoded into kbuf, if any. */
static struct tfs_jt_field *tfs_jt_field_of(struct tfs_jt *j)
{
	for (size_t i = 0; i < j->nfields; i++)
		if (j->kblen <= sizeof(j->kbuf) && strlen(j->fields[i].key) == j->kblen &&
		    memcmp(j->fields[i].key, j->kbuf, j->kblen) == 0)
			return &j->fields[i];
	return NULL;
}

/* Object or array at nesting level depth (top-level container is 1).
 * Depth-1 members/elements are also where lookup and iteration happen. */
static int tfs_jt_container(struct tfs_jt *j, int depth)
{
	char close = *j->p == '{' ? '}' : ']';
	struct tfs_jt_field *field = NULL;
	size_t start;
	int rc, match = 0;

	if (depth > TFS_JT_MAX_DEPTH)
		return -E2BIG;
	tfs_jt_put(j, j->p++, 1);
	tfs_jt_ws(j);
	if (!tfs_jt_at(j, close)) {
		for (;;) {
			tfs_jt_newline(j, depth);
			if (close == '}') {
				if (!tfs_jt_at(j, '"'))
					return -EINVAL;
				j->kcmp = depth == 1 && j->key;
				j->kok = 1;
				j->kpos = 0;
				j->kcap = depth == 1 && j->nfields;
				j->kblen = 0;
				rc = tfs_jt_string(j);
				/* Kept in a local: nested keys reuse j->kok. */
				match = j->kcmp && j->kok && j->kpos == j->klen;
				field = j->kcap ? tfs_jt_field_of(j) : NULL;
				j->kcmp = 0;
				j->kcap = 0;
				if (rc)
					return rc;
				tfs_jt_ws(j);
				if (!tfs_jt_at(j, ':'))
					return -EINVAL;
				j->p++;
				tfs_jt_put(j, ": ", 2);
				tfs_jt_ws(j);
			}
			start = (size_t)(j->p - j->base);
			if ((rc = tfs_jt_value(j, depth)))
				return rc;
			if (field) {
				/* A later duplicate wins, as in json-c. */
				field->found = 1;
				field->vstart = start;
				field->vlen = (size_t)(j->p - j->base) - start;
			}
			if (match) {
				/* Keep scanning: a later duplicate wins. */
				j->found = 1;
				j->vstart = start;
				j->vlen = (size_t)(j->p - j->base) - start;
			} else if (depth == 1 && j->cb) {
				rc = j->cb(j->ctx, j->base + start,
					   (size_t)(j->p - j->base) - start);
				if (rc)
					return rc;
			}
			tfs_jt_ws(j);
			if (tfs_jt_at(j, close))
				break;
			if (!tfs_jt_at(j, ','))
				return -EINVAL;
			j->p++;
			tfs_jt_put(j, ",", 1);
			tfs_jt_ws(j);
		}
		tfs_jt_newline(j, depth - 1);
	}
	tfs_jt_put(j, j->p++, 1);
	return 0;
}

static int tfs_jt_value(struct tfs_jt *j, int depth)
{
	if (j->p >= j->end)
		return -EINVAL;
	switch (*j->p) {
	case '{':
	case '[':
		return tfs_jt_container(j, depth + 1);
	case '"':
		return tfs_jt_string(j);
	case 't':
		return tfs_jt_literal(j, "true");
	case 'f':
		return tfs_jt_literal(j, "false");
	case 'n':
		return tfs_jt_literal(j, "null");
	default:
		return tfs_jt_number(j);
	}
}

/* Exactly one value with optional surrounding whitespace. */
static int tfs_jt_doc(struct tfs_jt *j)
{
	int rc;

	j->p = j->base;
	tfs_jt_ws(j);
	if ((rc = tfs_jt_value(j, 0)))
		return rc;
	tfs_jt_ws(j);
	return j->p == j->end ? 0 : -EINVAL;
}

static void tfs_jt_init(struct tfs_jt *j, const char *text, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->base = j->p = text;
	j->end = text + len;
}

int tfs_jt_render(const char *text, size_t len, char **out, size_t *out_len)
{
	return tfs_jt_render_fields(text, len, NULL, 0, out, out_len);
}

int tfs_jt_render_fields(const char *text, size_t len, struct tfs_jt_field *fields,
			 size_t nfields, char **out, size_t *out_len)
{
	struct tfs_jt j;
	int rc;

	if (out)
		*out = NULL;
	if (!text || !len || !out || !out_len)
		return -EINVAL;
	tfs_jt_init(&j, text, len);
	j.render = 1;
	for (size_t i = 0; i < nfields; i++)
		fields[i].found = 0;
	if (text[0] == '{' || nfields == 0) {	/* fields are members of an object */
		j.fields = fields;
		j.nfields = nfields;
	}
	rc = tfs_jt_doc(&j);
	tfs_jt_put(&j, "\n", 1);
	if (!rc && j.nomem)
		rc = -ENOMEM;
	if (rc) {
		free(j.out);
		return rc;
	}
	j.out[j.olen] = '\0';
	*out = j.out;
	*out_len = j.olen;
	return 0;
}

int tfs_jt_member(const char *text, size_t len, const char *key,
		  size_t *vstart, size_t *vlen)
{
	struct tfs_jt j;
	int rc;

	if (!text || !key)
		return -EINVAL;
	tfs_jt_init(&j, text, len);
	tfs_jt_ws(&j);
	if (!tfs_jt_at(&j, '{')) /* any other value, valid or not */
		return -EINVAL;
	j.key = key;
	j.klen = strlen(key);
	if ((rc = tfs_jt_doc(&j)))
		return rc;
	if (!j.found)
		return -ENOENT;
	if (vstart)
		*vstart = j.vstart;
	if (vlen)
		*vlen = j.vlen;
	return 0;
}

int tfs_jt_array_each(const char *text, size_t len,
		      int (*cb)(void *ctx, const char *el, size_t el_len),
		      void *ctx)
{
	struct tfs_jt j;
	int rc;

	if (!text)
		return -EINVAL;
	tfs_jt_init(&j, text, len);
	tfs_jt_ws(&j);
	if (!tfs_jt_at(&j, '['))
		return -EINVAL;
	/* Validate the whole array first so cb never sees elements of text
	 * that later turns out to be malformed. */
	if ((rc = tfs_jt_doc(&j)))
		return rc;
	j.cb = cb;
	j.ctx = ctx;
	return tfs_jt_doc(&j);
}

int tfs_jt_string_value(const char *text, size_t len, char *buf, size_t cap,
			size_t *out_len)
{
	struct tfs_jt j;
	int rc;

	if (!text || !len || text[0] != '"' || cap == 0)
		return -EINVAL;
	tfs_jt_init(&j, text, len);
	j.kcap = 1;
	rc = tfs_jt_string(&j);
	if (rc)
		return rc;
	if (j.p != j.end)
		return -EINVAL;
	if (j.kblen >= cap || j.kblen > sizeof(j.kbuf))
		return -E2BIG;
	memcpy(buf, j.kbuf, j.kblen);
	buf[j.kblen] = '\0';
	*out_len = j.kblen;
	return 0;
}

int tfs_jt_members(const char *text, size_t len, struct tfs_jt_field *fields,
		   size_t nfields)
{
	struct tfs_jt j;

	if (!text)
		return -EINVAL;
	tfs_jt_init(&j, text, len);
	tfs_jt_ws(&j);
	if (!tfs_jt_at(&j, '{'))
		return -EINVAL;
	for (size_t i = 0; i < nfields; i++)
		fields[i].found = 0;
	j.fields = fields;
	j.nfields = nfields;
	return tfs_jt_doc(&j);
}
