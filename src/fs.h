/*
 * fs.h -- the FUSE low-level operations: inode in, module calls, reply out.
 * Logic that can be tested without a mount lives in listing.c, router.c,
 * page.c and jsontext.c; this layer only translates.
 */
#ifndef TFS_FS_H
#define TFS_FS_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include <fuse_lowlevel.h>

#include "listing.h"
#include "nodes.h"

struct tfs_status;

struct tfs_fs {
	struct tfs_listing *listing;	/* borrowed */
	struct tfs_nodes *nodes;	/* borrowed */
	double ttl_s;			/* kernel entry/attr timeouts */
	uid_t uid;			/* owner reported for every node (-o uid=) */
	gid_t gid;			/* (-o gid=) */
	mode_t umask;			/* taken from 0555/0444 (-o umask=) */
	struct tfs_status *status;	/* borrowed; NULL: no /.tinesfs-status */
	double finished_ttl_s;		/* kernel timeouts of a finished run */
	/* Set by tfs_fs_init / the FUSE init callback: */
	bool ready;
	bool no_open;			/* kernel skips open/release for files */
	pthread_mutex_t status_mu;
	struct tfs_run *status_blob;	/* status_mu: bytes of the last lookup */
};

/* Prepare the fields the caller does not set; undo with tfs_fs_destroy
 * (which is also safe on a zeroed struct). */
void tfs_fs_init(struct tfs_fs *fs);
void tfs_fs_destroy(struct tfs_fs *fs);

/* The operation table; userdata for fuse_session_new is a struct tfs_fs. */
extern const struct fuse_lowlevel_ops tfs_fs_ops;

#endif
