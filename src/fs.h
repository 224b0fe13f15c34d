/*
 * fs.h -- the FUSE low-level operations: inode in, module calls, reply out.
 * Logic that can be tested without a mount lives in listing.c, router.c,
 * page.c and jsontext.c; this layer only translates.
 */
#ifndef TFS_FS_H
#define TFS_FS_H

#include <sys/types.h>

#include <fuse_lowlevel.h>

#include "listing.h"
#include "nodes.h"

struct tfs_fs {
	struct tfs_listing *listing;	/* borrowed */
	struct tfs_nodes *nodes;	/* borrowed */
	double ttl_s;			/* kernel entry/attr timeouts */
	uid_t uid;
	gid_t gid;
};

/* The operation table; userdata for fuse_session_new is a struct tfs_fs. */
extern const struct fuse_lowlevel_ops tfs_fs_ops;

#endif
