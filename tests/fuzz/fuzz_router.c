/*
 * fuzz_router.c -- libFuzzer target for the path router (src/router.c):
 * tfs_route_path, tfs_route_child, tfs_guid_ok and tfs_parse_group_id.
 *
 * The input is a path as the kernel would hand it (made NUL-terminated, as
 * paths and names are). Its first byte also picks a parent kind for
 * tfs_route_child on the last path component. Besides memory safety, every
 * route must be one a real tree can hold: a run's guid passes tfs_guid_ok,
 * points into the path and is followed by ".json"; group ids are
 * canonical; inode numbers never meet the fixed ones.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_router: check failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

/* with_id: the group id came from text (not from the parent node). */
static void check_route(const struct tfs_route *r, const char *text, size_t len,
			bool with_id)
{
	char buf[32];

	CHECK(r->kind >= TFS_NODE_ROOT && r->kind <= TFS_NODE_RUN);
	if (r->kind == TFS_NODE_GROUP || r->kind == TFS_NODE_RUNS ||
	    r->kind == TFS_NODE_RUN) {
		CHECK(tfs_ino_group(r->group) >= 16 && tfs_ino_runs(r->group) >= 16);
		/* The id that routed is the canonical spelling of its number. */
		snprintf(buf, sizeof(buf), "/%" PRIu64 "/", r->group);
		if (with_id)
			CHECK(memmem(text, len, buf, strlen(buf)) != NULL ||
			      (r->kind == TFS_NODE_GROUP &&
			       memmem(text, len, buf, strlen(buf) - 1) != NULL));
	}
	if (r->kind == TFS_NODE_RUN) {
		CHECK(r->guid >= text && r->guid + r->guid_len + 5 <= text + len);
		CHECK(tfs_guid_ok(r->guid, r->guid_len));
		CHECK(memcmp(r->guid + r->guid_len, ".json", 5) == 0);
		CHECK(memchr(r->guid, '\0', r->guid_len) == NULL);
		CHECK(tfs_ino_run(r->group, r->guid, r->guid_len) >= 16);
	} else {
		CHECK(r->guid == NULL && r->guid_len == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tfs_route r;
	char *s, *name;
	uint64_t id;
	enum tfs_kind parent;
	size_t len;
	int rc;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);	/* what the kernel could pass: up to a NUL */

	rc = tfs_route_path(s, &r);
	CHECK(rc == 0 || rc == -ENOENT);
	if (rc == 0) {
		CHECK(s[0] == '/');
		check_route(&r, s, len, true);
	}

	/* The last component as a name under each kind of parent. */
	name = strrchr(s, '/');
	name = name ? name + 1 : s;
	parent = size ? (enum tfs_kind)(data[0] % (TFS_NODE_RUN + 2)) : TFS_NODE_NONE;
	rc = tfs_route_child(parent, 200, name, &r);
	CHECK(rc == 0 || rc == -ENOENT);
	if (rc == 0) {
		CHECK(parent >= TFS_NODE_ROOT && parent <= TFS_NODE_RUNS);
		CHECK(parent != TFS_NODE_STATUS);
		check_route(&r, name, strlen(name), false);
		if (r.kind == TFS_NODE_RUN)
			CHECK(r.guid == name && r.guid_len == strlen(name) - 5);
	}

	/* Raw bytes, NULs included: as a guid from the API and as a group id. */
	if (tfs_guid_ok((const char *)data, size)) {
		CHECK(size >= 1 && size <= TFS_GUID_MAX);
		CHECK(memchr(data, '/', size) == NULL && memchr(data, '\0', size) == NULL);
	}
	if (tfs_parse_group_id((const char *)data, size, &id)) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%" PRIu64, id);
		CHECK(strlen(buf) == size && memcmp(buf, data, size) == 0);
	}
	free(s);
	return 0;
}
