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
	/* Changed runs whose kernel caches must go (inval_mu): */
	pthread_mutex_t inval_mu;
	pthread_cond_t inval_cv;
	uint64_t *inval;
	size_t ninval, capinval;
	bool inval_stop;
	bool inval_running;
	pthread_t inval_thread;
	struct fuse_session *se;
};

/* Prepare the fields the caller does not set; undo with tfs_fs_destroy
 * (which is also safe on a zeroed struct). */
void tfs_fs_init(struct tfs_fs *fs);
void tfs_fs_destroy(struct tfs_fs *fs);

/* Start the thread that drops the kernel's caches of changed runs (it
 * cannot be done from the handler of that inode: it would deadlock), and
 * stop it before the session goes. */
int tfs_fs_start(struct tfs_fs *fs, struct fuse_session *se);
void tfs_fs_stop(struct tfs_fs *fs);

/* listing.h's on_changed: queue ino for invalidation. ctx is the tfs_fs. */
void tfs_fs_changed(void *ctx, uint64_t ino);

/* The operation table; userdata for fuse_session_new is a struct tfs_fs. */
extern const struct fuse_lowlevel_ops tfs_fs_ops;

#endif
