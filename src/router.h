/*
 * router.h -- names and paths to nodes of the tree, and each node's inode.
 *
 *   /                          TFS_NODE_ROOT     (ino 1)
 *   /groups                    TFS_NODE_GROUPS   (ino 2)
 *   /.tinesfs-status           TFS_NODE_STATUS   (ino 3, looked up, never listed)
 *   /groups/<id>               TFS_NODE_GROUP
 *   /groups/<id>/runs          TFS_NODE_RUNS
 *   /groups/<id>/runs/<g>.json TFS_NODE_RUN
 *
 * Inode numbers of the last three are a 64-bit hash of (kind, group id,
 * guid): the same number after a refresh, an eviction or a remount, with
 * no table that has to survive. Pure: no FUSE, no curl.
 */
#ifndef TFS_ROUTER_H
#define TFS_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tfs_kind {
	TFS_NODE_NONE = 0,
	TFS_NODE_ROOT,
	TFS_NODE_GROUPS,
	TFS_NODE_STATUS,
	TFS_NODE_GROUP,
	TFS_NODE_RUNS,
	TFS_NODE_RUN,
};

#define TFS_INO_ROOT 1
#define TFS_INO_GROUPS 2
#define TFS_INO_STATUS 3
#define TFS_GUID_MAX 200
#define TFS_STATUS_NAME ".tinesfs-status"

struct tfs_route {
	enum tfs_kind kind;
	uint64_t group;		/* GROUP, RUNS, RUN */
	const char *guid;	/* RUN: points into the name, not terminated */
	size_t guid_len;
};

/* Route the child `name` of a node of kind `parent`. Returns 0 or -ENOENT
 * for a name that cannot exist there (no request needed to know). */
int tfs_route_child(enum tfs_kind parent, uint64_t parent_group,
		    const char *name, struct tfs_route *out);

/* Route an absolute path such as "/groups/200/runs/<guid>.json". Returns 0
 * or -ENOENT. out->guid points into path. */
int tfs_route_path(const char *path, struct tfs_route *out);

/* Parse a canonical decimal group id (no sign, no leading zeros). */
bool tfs_parse_group_id(const char *s, size_t len, uint64_t *out);

/* Whether a guid from the API is safe as a file name: 1..TFS_GUID_MAX bytes,
 * no '/', no control characters or DEL, not "." or "..". */
bool tfs_guid_ok(const char *guid, size_t len);

/* Stable inode numbers. Never 0..15, so they cannot meet the fixed ones. */
uint64_t tfs_ino_group(uint64_t group);
uint64_t tfs_ino_runs(uint64_t group);
uint64_t tfs_ino_run(uint64_t group, const char *guid, size_t len);

#endif
