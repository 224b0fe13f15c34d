/*
 * fs.c -- FUSE low-level operations for the tree in router.h.
 *
 * Directory handles: opening /groups/<id>/runs takes a reference on the
 * group's current generation (listing.h); readdir offsets are indexes into
 * it, so a reader that lists in chunks never sees an entry twice or misses
 * one even when the TTL runs out halfway. Pages are fetched only when a
 * readdir call needs entries past what is known, and never to fill up a
 * reply that already holds entries: a reader that stops early costs only
 * the pages it read.
 */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "log.h"
#include "router.h"
#include "status.h"

struct dir_handle {
	enum tfs_kind kind;
	struct tfs_group *group;	/* RUNS */
	struct tfs_gen *gen;		/* RUNS: the snapshot */
	uint64_t *ids;			/* GROUPS: snapshot of the ids listed */
	size_t nids;
};

static struct tfs_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static void dir_attr(const struct tfs_fs *fs, uint64_t ino, int64_t mtime,
		     struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = S_IFDIR | (0555 & ~fs->umask);
	st->st_nlink = 2;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_blksize = 4096;
	st->st_mtime = st->st_ctime = st->st_atime = (time_t)mtime;
}

static void run_attr(const struct tfs_fs *fs, const struct tfs_run *r,
		     struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = r->ino;
	st->st_mode = S_IFREG | (0444 & ~fs->umask);
	st->st_nlink = 1;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_size = r->len;
	st->st_blocks = (r->len + 511) / 512;
	st->st_blksize = 4096;
	st->st_mtime = st->st_ctime = st->st_atime = (time_t)r->mtime;
}

/* Fill attributes of a directory node; may ask the API for page 1 when
 * check is set (lookups do, getattr does not). */
static int node_dir_attr(struct tfs_fs *fs, const struct tfs_node_info *n,
			 uint64_t ino, bool check, struct stat *st)
{
	struct tfs_group *g;
	int rc;

	switch (n->kind) {
	case TFS_NODE_ROOT:
	case TFS_NODE_GROUPS:
		dir_attr(fs, ino, tfs_listing_mtime(fs->listing), st);
		return 0;
	case TFS_NODE_GROUP:
	case TFS_NODE_RUNS:
		g = tfs_listing_group(fs->listing, n->group);
		if (!g)
			return -ENOMEM;
		if (check && (rc = tfs_group_check(fs->listing, g)) != 0)
			return rc;
		dir_attr(fs, ino, tfs_group_mtime(fs->listing, g), st);
		return 0;
	default:
		return -ENOENT;
	}
}

/* /.tinesfs-status: rendered at each lookup (kernel timeouts 0, so every
 * path walk to it looks it up), and those bytes are what getattr reports
 * and reads return until the next lookup: its size always matches what a
 * read gives. Its mtime is the render time, so the kernel's cached pages
 * of an older rendering are dropped (auto_inval_data). */
static int status_render(struct tfs_fs *fs)
{
	struct timespec now;
	struct tfs_run *blob, *old;
	char *bytes;
	size_t len;
	int rc;

	if (!fs->status)
		return -ENOENT;
	rc = tfs_status_render(fs->status, &bytes, &len);
	if (rc != 0)
		return rc;
	clock_gettime(CLOCK_REALTIME, &now);
	blob = tfs_run_blob(TFS_INO_STATUS, now.tv_sec, bytes, len);
	free(bytes);
	if (!blob)
		return -ENOMEM;
	pthread_mutex_lock(&fs->status_mu);
	old = fs->status_blob;
	fs->status_blob = blob;
	pthread_mutex_unlock(&fs->status_mu);
	tfs_run_put(old);
	return 0;
}

/* The bytes of the last rendering (rendering once if there is none), with
 * a reference for the caller. */
static int status_get(struct tfs_fs *fs, struct tfs_run **out, struct stat *st)
{
	struct tfs_run *r;
	int rc = 0;

	pthread_mutex_lock(&fs->status_mu);
	r = fs->status_blob;
	if (r)
		tfs_run_get(r);
	pthread_mutex_unlock(&fs->status_mu);
	if (!r) {
		rc = status_render(fs);
		if (rc != 0)
			return rc;
		return status_get(fs, out, st);
	}
	if (st)
		run_attr(fs, r, st);	/* the blob is a run: ino, bytes, mtime */
	if (out)
		*out = r;
	else
		tfs_run_put(r);
	return 0;
}

void tfs_fs_init(struct tfs_fs *fs)
{
	pthread_mutex_init(&fs->status_mu, NULL);
	pthread_mutex_init(&fs->inval_mu, NULL);
	pthread_cond_init(&fs->inval_cv, NULL);
	fs->status_blob = NULL;
	fs->ready = true;
}

void tfs_fs_destroy(struct tfs_fs *fs)
{
	if (!fs->ready)
		return;
	tfs_fs_stop(fs);
	tfs_run_put(fs->status_blob);
	fs->status_blob = NULL;
	free(fs->inval);
	pthread_mutex_destroy(&fs->status_mu);
	pthread_mutex_destroy(&fs->inval_mu);
	pthread_cond_destroy(&fs->inval_cv);
	fs->ready = false;
}

void tfs_fs_changed(void *ctx, uint64_t ino)
{
	struct tfs_fs *fs = ctx;

	if (!fs->ready)
		return;
	pthread_mutex_lock(&fs->inval_mu);
	if (fs->inval_running && fs->ninval == fs->capinval) {
		size_t cap = fs->capinval ? fs->capinval * 2 : 64;
		uint64_t *n = realloc(fs->inval, cap * sizeof(*n));

		if (n) {
			fs->inval = n;
			fs->capinval = cap;
		}
	}
	if (fs->inval_running && fs->ninval < fs->capinval) {
		fs->inval[fs->ninval++] = ino;
		pthread_cond_signal(&fs->inval_cv);
	}
	pthread_mutex_unlock(&fs->inval_mu);
}

static void *inval_main(void *u)
{
	struct tfs_fs *fs = u;

	pthread_mutex_lock(&fs->inval_mu);
	for (;;) {
		uint64_t ino;

		while (!fs->ninval && !fs->inval_stop)
			pthread_cond_wait(&fs->inval_cv, &fs->inval_mu);
		if (fs->inval_stop)
			break;
		ino = fs->inval[--fs->ninval];
		pthread_mutex_unlock(&fs->inval_mu);
		/* Attributes and pages; -ENOENT when the kernel has none. */
		fuse_lowlevel_notify_inval_inode(fs->se, ino, 0, 0);
		pthread_mutex_lock(&fs->inval_mu);
	}
	pthread_mutex_unlock(&fs->inval_mu);
	return NULL;
}

int tfs_fs_start(struct tfs_fs *fs, struct fuse_session *se)
{
	int rc;

	fs->se = se;
	pthread_mutex_lock(&fs->inval_mu);
	fs->inval_stop = false;
	rc = pthread_create(&fs->inval_thread, NULL, inval_main, fs);
	fs->inval_running = rc == 0;
	pthread_mutex_unlock(&fs->inval_mu);
	return -rc;
}

void tfs_fs_stop(struct tfs_fs *fs)
{
	bool running;

	pthread_mutex_lock(&fs->inval_mu);
	running = fs->inval_running;
	fs->inval_stop = true;
	fs->inval_running = false;
	pthread_cond_broadcast(&fs->inval_cv);
	pthread_mutex_unlock(&fs->inval_mu);
	if (running)
		pthread_join(fs->inval_thread, NULL);
}

/* Kernel entry/attr timeout for a run: a finished one does not change. */
static double run_timeout(const struct tfs_fs *fs, const struct tfs_run *r)
{
	return r->finished ? fs->finished_ttl_s : fs->ttl_s;
}

static int run_find(struct tfs_fs *fs, uint64_t group, const char *guid,
		    size_t len, struct tfs_run **out)
{
	struct tfs_group *g = tfs_listing_group(fs->listing, group);

	return g ? tfs_group_find(fs->listing, g, guid, len, out) : -ENOMEM;
}

static void tfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct tfs_fs *fs = fs_of(req);
	struct fuse_entry_param e;
	struct tfs_node_info pn, n;
	struct tfs_route rt;
	struct tfs_run *run;
	uint64_t ino;
	int rc;

	memset(&e, 0, sizeof(e));
	e.attr_timeout = e.entry_timeout = fs->ttl_s;
	if (tfs_nodes_get(fs->nodes, parent, &pn) != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	rc = tfs_route_child(pn.kind, pn.group, name, &rt);
	if (rc == 0 && rt.kind == TFS_NODE_STATUS) {
		/* Timeouts 0: the kernel asks again at every use. */
		e.attr_timeout = e.entry_timeout = 0;
		rc = status_render(fs);
		if (rc == 0)
			rc = status_get(fs, NULL, &e.attr);
		if (rc == 0) {
			e.ino = TFS_INO_STATUS;
			fuse_reply_entry(req, &e);
			return;
		}
	}
	if (rc != 0)
		goto negative;
	memset(&n, 0, sizeof(n));
	n.kind = rt.kind;
	n.group = rt.group;
	switch (rt.kind) {
	case TFS_NODE_GROUPS:
		ino = TFS_INO_GROUPS;
		break;
	case TFS_NODE_GROUP:
		ino = tfs_ino_group(rt.group);
		break;
	case TFS_NODE_RUNS:
		ino = tfs_ino_runs(rt.group);
		break;
	case TFS_NODE_RUN:
		rc = run_find(fs, rt.group, rt.guid, rt.guid_len, &run);
		if (rc != 0)
			goto negative;
		rc = tfs_nodes_add(fs->nodes, run->ino, TFS_NODE_RUN, rt.group,
				   run->guid, run->guid_len);
		if (rc == 0) {
			e.ino = run->ino;
			run_attr(fs, run, &e.attr);
			e.attr_timeout = e.entry_timeout = run_timeout(fs, run);
		}
		tfs_run_put(run);
		if (rc != 0)
			goto fail;
		fuse_reply_entry(req, &e);
		return;
	default:
		rc = -ENOENT;
		goto negative;
	}
	rc = node_dir_attr(fs, &n, ino, true, &e.attr);
	if (rc == 0 && ino != TFS_INO_GROUPS)
		rc = tfs_nodes_add(fs->nodes, ino, rt.kind, rt.group, NULL, 0);
	if (rc != 0)
		goto negative;
	e.ino = ino;
	fuse_reply_entry(req, &e);
	return;
negative:
	if (rc == -ENOENT) {
		/* ino 0 with a timeout: the kernel remembers the miss for the TTL. */
		memset(&e.attr, 0, sizeof(e.attr));
		e.ino = 0;
		fuse_reply_entry(req, &e);
		return;
	}
fail:
	fuse_reply_err(req, rc == -EEXIST ? EIO : -rc);
}

static void tfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	double timeout = fs_of(req)->ttl_s;
	struct tfs_fs *fs = fs_of(req);
	struct tfs_node_info n;
	struct tfs_run *run;
	struct stat st;
	int rc;

	(void)fi;
	rc = tfs_nodes_get(fs->nodes, ino, &n);
	if (rc == 0 && n.kind == TFS_NODE_STATUS) {
		rc = status_get(fs, NULL, &st);
		if (rc == 0) {
			fuse_reply_attr(req, &st, 0);
			return;
		}
	} else if (rc == 0 && n.kind == TFS_NODE_RUN) {
		rc = run_find(fs, n.group, n.guid, n.guid_len, &run);
		if (rc == 0) {
			run_attr(fs, run, &st);
			timeout = run_timeout(fs, run);
			tfs_run_put(run);
		}
	} else if (rc == 0) {
		/* The group's page 1 gives the mtime: known before a listing,
		 * so tar and rsync never see it move from 0. */
		rc = node_dir_attr(fs, &n, ino, true, &st);
	}
	if (rc != 0)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_attr(req, &st, timeout);
}

/*
 * Files have no handles where the kernel allows (FUSE_CAP_NO_OPEN_SUPPORT):
 * answering ENOSYS once makes it skip open and release for every file of
 * the mount and keep their pages cached between opens, which takes two
 * round trips off every `grep -r` of a file (see doc/design.md). Reads then
 * find the run by inode. A run's bytes are replaced whole, never patched,
 * so no read mixes two versions; its cached pages are dropped when a
 * getattr after the timeout shows a new size or mtime (auto_inval_data).
 * Where the kernel cannot skip open, the handle keeps the version opened.
 */
static void tfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct tfs_fs *fs = fs_of(req);
	struct tfs_node_info n;
	struct tfs_run *run;
	int rc;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	rc = tfs_nodes_get(fs->nodes, ino, &n);
	if (rc == 0 && n.kind != TFS_NODE_RUN && n.kind != TFS_NODE_STATUS)
		rc = -EISDIR;
	if (rc == 0 && fs->no_open) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (rc == 0)
		rc = n.kind == TFS_NODE_STATUS ? status_get(fs, &run, NULL)
					       : run_find(fs, n.group, n.guid, n.guid_len, &run);
	if (rc != 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)run;
	fi->keep_cache = run->finished && n.kind == TFS_NODE_RUN;
	fi->direct_io = n.kind == TFS_NODE_STATUS;
	if (fuse_reply_open(req, fi) != 0)
		tfs_run_put(run);
}

/* The run (or status bytes) a read is about: from the handle, or by
 * inode when files have none. */
static int read_target(struct tfs_fs *fs, fuse_ino_t ino, struct fuse_file_info *fi,
		       struct tfs_run **out)
{
	struct tfs_node_info n;
	int rc;

	if (fi && fi->fh) {
		*out = (struct tfs_run *)(uintptr_t)fi->fh;
		tfs_run_get(*out);
		return 0;
	}
	rc = tfs_nodes_get(fs->nodes, ino, &n);
	if (rc != 0)
		return rc;
	if (n.kind == TFS_NODE_STATUS)
		return status_get(fs, out, NULL);
	if (n.kind != TFS_NODE_RUN)
		return -EISDIR;
	return run_find(fs, n.group, n.guid, n.guid_len, out);
}

static void tfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct tfs_run *run;
	int rc = read_target(fs_of(req), ino, fi, &run);

	if (rc != 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	if (off < 0 || (uint64_t)off >= run->len)
		size = 0;
	else if (size > run->len - (uint64_t)off)
		size = run->len - (size_t)off;
	fuse_reply_buf(req, size ? run->bytes + off : NULL, size);
	tfs_run_put(run);
}

static void tfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	tfs_run_put((struct tfs_run *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void tfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct tfs_fs *fs = fs_of(req);
	struct dir_handle *d = calloc(1, sizeof(*d));
	struct tfs_node_info n;
	int rc = d ? tfs_nodes_get(fs->nodes, ino, &n) : -ENOMEM;

	if (rc == 0) {
		d->kind = n.kind;
		switch (n.kind) {
		case TFS_NODE_ROOT:
		case TFS_NODE_GROUP:
			break;
		case TFS_NODE_GROUPS:
			d->nids = tfs_listing_groups(fs->listing, NULL, 0);
			d->ids = calloc(d->nids ? d->nids : 1, sizeof(*d->ids));
			if (!d->ids)
				rc = -ENOMEM;
			else
				d->nids = tfs_listing_groups(fs->listing, d->ids, d->nids);
			break;
		case TFS_NODE_RUNS:
			d->group = tfs_listing_group(fs->listing, n.group);
			rc = d->group ? tfs_group_open(fs->listing, d->group, &d->gen) : -ENOMEM;
			/* The kernel may keep the listing in its page cache; it
			 * keeps what it has only while the generation is the one
			 * it cached from (a refresh makes it read again). */
			if (rc == 0) {
				fi->cache_readdir = 1;
				fi->keep_cache = tfs_group_kernel_cached(fs->listing, d->group,
									 d->gen);
			}
			break;
		default:
			rc = -ENOTDIR;
		}
	}
	if (rc != 0) {
		if (d)
			free(d->ids);
		free(d);
		fuse_reply_err(req, -rc);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	if (fuse_reply_open(req, fi) != 0) {
		if (d->gen)
			tfs_gen_put(fs->listing, d->group, d->gen);
		free(d->ids);
		free(d);
	}
}

static void tfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct tfs_fs *fs = fs_of(req);
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;

	(void)ino;
	if (d->gen)
		tfs_gen_put(fs->listing, d->group, d->gen);
	free(d->ids);
	free(d);
	fuse_reply_err(req, 0);
}

/* One directory entry to emit. */
struct dent {
	char name[TFS_GUID_MAX + 8];
	struct fuse_entry_param e;
};

/* Entry `idx` of directory handle d (0 ".", 1 "..", then children).
 * Returns 0, -ENOENT past the end, -EAGAIN when it needs a page fetch and
 * may_wait is false, or an error from the fetch. */
static int dir_entry(struct tfs_fs *fs, struct dir_handle *d, fuse_ino_t ino,
		     size_t idx, bool may_wait, struct dent *out)
{
	struct tfs_node_info n;
	struct tfs_run *run;
	uint64_t child;
	int rc;

	memset(&out->e, 0, sizeof(out->e));
	out->e.attr_timeout = out->e.entry_timeout = fs->ttl_s;
	if (idx < 2) {
		strcpy(out->name, idx == 0 ? "." : "..");
		out->e.attr.st_ino = ino;
		out->e.attr.st_mode = S_IFDIR;
		return 0;
	}
	idx -= 2;
	switch (d->kind) {
	case TFS_NODE_ROOT:
		if (idx > 0)
			return -ENOENT;
		strcpy(out->name, "groups");
		n.kind = TFS_NODE_GROUPS;
		out->e.ino = TFS_INO_GROUPS;
		return node_dir_attr(fs, &n, TFS_INO_GROUPS, false, &out->e.attr);
	case TFS_NODE_GROUPS:
		if (idx >= d->nids)
			return -ENOENT;
		snprintf(out->name, sizeof(out->name), "%llu", (unsigned long long)d->ids[idx]);
		child = tfs_ino_group(d->ids[idx]);
		n.kind = TFS_NODE_GROUP;
		n.group = d->ids[idx];
		rc = tfs_nodes_add(fs->nodes, child, TFS_NODE_GROUP, n.group, NULL, 0);
		out->e.ino = child;
		if (rc == 0 && node_dir_attr(fs, &n, child, true, &out->e.attr) != 0) {
			/* Unknown for now: no attributes the kernel would keep. */
			out->e.attr_timeout = out->e.entry_timeout = 0;
			dir_attr(fs, child, 0, &out->e.attr);
		}
		return rc;
	case TFS_NODE_GROUP:
		if (idx > 0)
			return -ENOENT;
		if (tfs_nodes_get(fs->nodes, ino, &n) != 0)
			return -ENOENT;
		strcpy(out->name, "runs");
		child = tfs_ino_runs(n.group);
		n.kind = TFS_NODE_RUNS;
		rc = tfs_nodes_add(fs->nodes, child, TFS_NODE_RUNS, n.group, NULL, 0);
		out->e.ino = child;
		return rc ? rc : node_dir_attr(fs, &n, child, false, &out->e.attr);
	case TFS_NODE_RUNS:
		rc = tfs_gen_entry(fs->listing, d->group, d->gen, idx, may_wait, &run);
		if (rc != 0)
			return rc;
		snprintf(out->name, sizeof(out->name), "%s.json", run->guid);
		rc = tfs_nodes_add(fs->nodes, run->ino, TFS_NODE_RUN,
				   tfs_listing_group_id(d->group), run->guid, run->guid_len);
		out->e.ino = run->ino;
		run_attr(fs, run, &out->e.attr);
		out->e.attr_timeout = out->e.entry_timeout = run_timeout(fs, run);
		tfs_run_put(run);
		if (rc == -EEXIST) {
			tfs_err("inode number collision for run %s; entry hidden", out->name);
			out->name[0] = '\0';
			rc = 0;
		}
		return rc;
	default:
		return -ENOENT;
	}
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct tfs_fs *fs = fs_of(req);
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;
	char *buf = malloc(size);
	size_t used = 0;
	struct dent de;
	int rc = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t idx = off < 0 ? 0 : (size_t)off;; idx++) {
		size_t need;

		rc = dir_entry(fs, d, ino, idx, used == 0, &de);
		if (rc != 0)
			break;
		if (!de.name[0])
			continue;
		if (plus)
			need = fuse_add_direntry_plus(req, buf + used, size - used, de.name,
						      &de.e, (off_t)(idx + 1));
		else
			need = fuse_add_direntry(req, buf + used, size - used, de.name,
						 &de.e.attr, (off_t)(idx + 1));
		if (need > size - used)
			break;
		used += need;
	}
	if (used == 0 && rc != 0 && rc != -ENOENT)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
}

static void tfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void tfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			    off_t off, struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

static void tfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	(void)ino;
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 512;
	sv.f_namemax = 255;
	sv.f_flag = ST_RDONLY | ST_NOSUID | ST_NODEV;
	fuse_reply_statfs(req, &sv);
}

/* Everything that would change the tree. The kernel's ro flag stops these
 * first; answering EROFS here too keeps that true without it. */
static void erofs_setattr(fuse_req_t req, fuse_ino_t i, struct stat *a, int s,
			  struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_mknod(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m, dev_t r)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_mkdir(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_name(fuse_req_t req, fuse_ino_t p, const char *n)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_symlink(fuse_req_t req, const char *l, fuse_ino_t p, const char *n)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_rename(fuse_req_t req, fuse_ino_t p, const char *n, fuse_ino_t np,
			 const char *nn, unsigned int f)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_link(fuse_req_t req, fuse_ino_t i, fuse_ino_t np, const char *nn)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_write(fuse_req_t req, fuse_ino_t i, const char *b, size_t s,
			off_t o, struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_create(fuse_req_t req, fuse_ino_t p, const char *n, mode_t m,
			 struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_setxattr(fuse_req_t req, fuse_ino_t i, const char *n,
			   const char *v, size_t s, int f)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_removexattr(fuse_req_t req, fuse_ino_t i, const char *n)
{
	fuse_reply_err(req, EROFS);
}

static void erofs_fallocate(fuse_req_t req, fuse_ino_t i, int m, off_t o, off_t l,
			    struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void tfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct tfs_fs *fs = userdata;

	fs->no_open = conn->capable & FUSE_CAP_NO_OPEN_SUPPORT;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
}

const struct fuse_lowlevel_ops tfs_fs_ops = {
	.init = tfs_init,
	.lookup = tfs_lookup,
	.getattr = tfs_getattr,
	.open = tfs_open,
	.read = tfs_read,
	.release = tfs_release,
	.opendir = tfs_opendir,
	.readdir = tfs_readdir,
	.readdirplus = tfs_readdirplus,
	.releasedir = tfs_releasedir,
	.statfs = tfs_statfs,
	.setattr = erofs_setattr,
	.mknod = erofs_mknod,
	.mkdir = erofs_mkdir,
	.unlink = erofs_name,
	.rmdir = erofs_name,
	.symlink = erofs_symlink,
	.rename = erofs_rename,
	.link = erofs_link,
	.write = erofs_write,
	.create = erofs_create,
	.setxattr = erofs_setxattr,
	.removexattr = erofs_removexattr,
	.fallocate = erofs_fallocate,
};
