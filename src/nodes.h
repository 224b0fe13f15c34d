/*
 * nodes.h -- what each inode number handed to the kernel stands for.
 *
 * Inode numbers are hashes (router.h), so the way back from a number to
 * (kind, group, guid) needs a table. Entries are added when an inode is
 * first handed out and kept for the life of the mount: a few dozen bytes
 * per run ever seen, and no FORGET bookkeeping to get wrong. Thread-safe.
 */
#ifndef TFS_NODES_H
#define TFS_NODES_H

#include <stddef.h>
#include <stdint.h>

#include "router.h"

struct tfs_nodes;

struct tfs_node_info {
	enum tfs_kind kind;
	uint64_t group;
	char guid[TFS_GUID_MAX + 1];	/* RUN only, NUL-terminated */
	size_t guid_len;
};

/* NULL without memory; free with tfs_nodes_free. */
struct tfs_nodes *tfs_nodes_new(void);
void tfs_nodes_free(struct tfs_nodes *t);

/* Record that ino stands for this node. 0, -EEXIST when the number already
 * stands for another node (a hash collision: the caller skips the entry),
 * or -ENOMEM. */
int tfs_nodes_add(struct tfs_nodes *t, uint64_t ino, enum tfs_kind kind,
		  uint64_t group, const char *guid, size_t guid_len);

/* Copy out what ino stands for (fixed inodes included). 0 or -ENOENT. */
int tfs_nodes_get(struct tfs_nodes *t, uint64_t ino, struct tfs_node_info *out);

#endif
