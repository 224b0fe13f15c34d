/*
 * main.c -- tinesfs: mount a Tines tenant's group runs as read-only JSON.
 *
 * options -> key -> HTTP client -> session -> mount -> daemonize ->
 * listing, status and threads -> loop -> teardown, each undone in reverse
 * order through the err_out labels. Starting makes no
 * request to the tenant: a wrong key or an unreachable host shows on first
 * access, so the mount also comes up at boot before the network does.
 *
 * SIGHUP drops every cache and re-reads key_file. The signal handler only
 * writes a byte to a pipe; a thread of its own does the work, since none
 * of it (file I/O, locks, malloc, writes to /dev/fuse) is allowed in a
 * handler. libfuse's fuse_set_signal_handlers makes HUP end the session,
 * so ours replaces that one handler after it and gives it back before
 * fuse_remove_signal_handlers.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <json-c/json_c_version.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "fs.h"
#include "http.h"
#include "listing.h"
#include "log.h"
#include "nodes.h"
#include "options.h"
#include "router.h"
#include "status.h"

#define MAX_BODY (8u << 20)

static int64_t clock_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The listing's clock: inside a FUSE request, the time it started (see
 * tfs_status_request_ms), so time stands still for the length of one
 * request; elsewhere (readahead, the status file) the real time. */
static int64_t listing_clock_ms(void *ctx)
{
	int64_t t = tfs_status_request_ms();

	return t ? t : clock_ms(ctx);
}

static void print_version(void)
{
	printf("tinesfs version %s\n", TFS_VERSION);
	printf("libfuse version %s (FUSE API %d)\n", fuse_pkgversion(), FUSE_USE_VERSION);
	printf("libcurl version %s\n", curl_version_info(CURLVERSION_NOW)->version);
	printf("json-c version %s\n", json_c_version());
	fflush(stdout);
	fuse_lowlevel_version();
}

static bool session_exited(void *se)
{
	return fuse_session_exited(se) != 0;
}

static struct tfs_status *status_of(void *userdata)
{
	return ((struct tfs_fs *)userdata)->status;
}

/* --- SIGHUP -------------------------------------------------------------------- */

struct reloader {
	struct fuse_session *se;
	struct tfs_http *http;
	struct tfs_listing *listing;
	struct tfs_status *status;
	const char *key_file;		/* NULL: the key came from the environment */
	int pipe[2];
	pthread_t thread;
	bool running;
	struct sigaction old_hup;	/* libfuse's, given back at teardown */
	bool hup_installed;
};

static volatile sig_atomic_t hup_fd = -1;

static void on_hup(int sig)
{
	int saved = errno;
	char c = 'H';

	(void)sig;
	if (hup_fd >= 0 && write(hup_fd, &c, 1) < 0) {
		/* Full pipe: a reload is pending already. */
	}
	errno = saved;
}

struct ids {
	uint64_t *v;
	size_t n, cap;
};

static void collect_id(void *ctx, struct tfs_group *g)
{
	struct ids *ids = ctx;

	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 32;
		uint64_t *v = realloc(ids->v, cap * sizeof(*v));

		if (!v)
			return;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = tfs_listing_group_id(g);
}

/* Make the kernel forget what it cached for the tree: each group's entry
 * under /groups (which takes its subtree's entries with it, negative ones
 * included) and the attributes of the fixed directories. Errors mean the
 * kernel held nothing to forget. */
static void invalidate_kernel(struct reloader *r)
{
	struct ids ids = { NULL, 0, 0 };

	tfs_listing_each(r->listing, collect_id, &ids);
	for (size_t i = 0; i < ids.n; i++) {
		char name[24];
		int len = snprintf(name, sizeof(name), "%llu", (unsigned long long)ids.v[i]);

		fuse_lowlevel_notify_inval_inode(r->se, tfs_ino_runs(ids.v[i]), 0, 0);
		fuse_lowlevel_notify_inval_inode(r->se, tfs_ino_group(ids.v[i]), 0, 0);
		fuse_lowlevel_notify_inval_entry(r->se, TFS_INO_GROUPS, name, (size_t)len);
	}
	free(ids.v);
	fuse_lowlevel_notify_inval_inode(r->se, TFS_INO_GROUPS, 0, 0);
	fuse_lowlevel_notify_inval_inode(r->se, TFS_INO_ROOT, 0, 0);
}

static void reload(struct reloader *r)
{
	char why[PATH_MAX + 200] = "";
	char *key = NULL;
	int rc = 1;

	if (r->key_file) {
		rc = tfs_key_file_read(r->key_file, &key, why, sizeof(why));
		if (rc == 0) {
			rc = tfs_http_set_key(r->http, key);
			if (rc != 0)
				snprintf(why, sizeof(why), "out of memory");
			explicit_bzero(key, strlen(key));
			free(key);
		}
		if (rc != 0)
			tfs_err("SIGHUP: key_file: %s; keeping the key in use", why);
	}
	/* The new key first: the first fetch after the drop must carry it. */
	tfs_listing_drop_all(r->listing);
	invalidate_kernel(r);
	tfs_status_reloaded(r->status, rc, why);
	tfs_info("SIGHUP: dropped every cache%s", rc == 0 ? "; key_file re-read" :
		 r->key_file ? "" : " (the key came from the environment: unchanged)");
}

static void *reloader_main(void *arg)
{
	struct reloader *r = arg;
	char buf[64];

	for (;;) {
		ssize_t n = read(r->pipe[0], buf, sizeof(buf));

		if (n == 0)
			return NULL;	/* write end closed: teardown */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			tfs_err("SIGHUP pipe: %s", strerror(errno));
			return NULL;
		}
		reload(r);
	}
}

/* Install the HUP handler (replacing libfuse's) on a pipe made here. The
 * thread starts later, in start_reloader, because fuse_daemonize forks and
 * only the forking thread lives on in the child. */
static int install_hup(struct reloader *r)
{
	struct sigaction sa;

	if (pipe2(r->pipe, O_CLOEXEC) != 0)
		return -errno;
	if (fcntl(r->pipe[1], F_SETFL, O_NONBLOCK) != 0)
		return -errno;
	hup_fd = r->pipe[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGHUP, &sa, &r->old_hup) != 0)
		return -errno;
	r->hup_installed = true;
	return 0;
}

static int start_reloader(struct reloader *r)
{
	int rc = pthread_create(&r->thread, NULL, reloader_main, r);

	if (rc != 0)
		return -rc;
	r->running = true;
	return 0;
}

static void stop_reloader(struct reloader *r)
{
	if (r->hup_installed)
		sigaction(SIGHUP, &r->old_hup, NULL);
	r->hup_installed = false;
	hup_fd = -1;
	if (r->pipe[1] >= 0)
		close(r->pipe[1]);
	r->pipe[1] = -1;
	if (r->running)
		pthread_join(r->thread, NULL);
	r->running = false;
	if (r->pipe[0] >= 0)
		close(r->pipe[0]);
	r->pipe[0] = -1;
}

/* --- main ------------------------------------------------------------------------ */

int main(int argc, char *argv[])
{
	struct fuse_cmdline_opts fo;
	struct tfs_options o;
	struct fuse_args args;
	struct tfs_http *http = NULL;
	struct tfs_listing *listing = NULL;
	struct tfs_nodes *nodes = NULL;
	struct tfs_status *status = NULL;
	struct fuse_session *se;
	struct tfs_fetcher fetcher;
	struct tfs_status_fetcher counted;
	static struct fuse_lowlevel_ops ops;
	struct tfs_fs fs = { 0 };
	struct reloader rl = { .pipe = { -1, -1 } };
	struct fuse_loop_config *lc = NULL;
	char fsname[400];
	char *key_file = NULL;
	int ret = 1;

	memset(&fo, 0, sizeof(fo));

	if (tfs_options_parse(argc, argv, &o, &args) != 0)
		goto err_out1;
	if (fuse_parse_cmdline(&args, &fo) != 0)
		goto err_out1;
	if (o.show_help) {
		tfs_options_help(argv[0]);
		printf("FUSE options:\n");
		fuse_cmdline_help();
		fuse_lowlevel_help();
		ret = 0;
		goto err_out2;
	}
	if (o.show_version || fo.show_version) {
		print_version();
		ret = 0;
		goto err_out2;
	}
	if (!fo.mountpoint) {
		fprintf(stderr, "tinesfs: usage: tinesfs [options] TENANT_URL MOUNTPOINT (see --help)\n");
		goto err_out2;
	}
	/* Read-only for the kernel too, and named after the tenant in mtab. */
	snprintf(fsname, sizeof(fsname), "-ofsname=tinesfs#%s,subtype=tinesfs,ro,default_permissions",
		 o.tenant.origin);
	if (fuse_opt_add_arg(&args, fsname) != 0)
		goto err_out2;
	tfs_log_init(fo.debug, !fo.foreground);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "tinesfs: libcurl failed to initialise\n");
		goto err_out2;
	}
	http = tfs_http_new(&(struct tfs_http_cfg){
		.tenant = &o.tenant, .key = o.key, .cafile = o.cafile,
		.timeout_s = o.timeout_s, .connect_timeout_s = o.timeout_s < 10 ? o.timeout_s : 10,
		.retries = o.retries, .max_body = MAX_BODY,
		.max_rate = o.max_rate, .op_timeout_s = 2 * o.timeout_s });
	/* The key now lives only inside the HTTP client's header; the path of
	 * its file stays for SIGHUP. */
	key_file = o.key_file;
	o.key_file = NULL;
	tfs_options_free(&o);
	if (!http) {
		fprintf(stderr, "tinesfs: out of memory\n");
		goto err_out3;
	}
	/* Only what the session needs to come up exists before the fork in
	 * fuse_daemonize: the listing (whose readahead workers are threads),
	 * the status and the invalidation and SIGHUP threads are made after
	 * it, since only the forking thread lives on in the daemon. Nothing
	 * reads them before the loop below starts serving requests. */
	fs = (struct tfs_fs){
		.ttl_s = (double)o.ttl_s, .uid = o.uid, .gid = o.gid, .umask = o.umask,
		/* A finished run does not change: trust it far longer. */
		.finished_ttl_s = o.ttl_s == 0 ? 0 : (o.ttl_s > 3600 ? (double)o.ttl_s : 3600) };
	tfs_fs_init(&fs);
	tfs_status_wrap_ops(&tfs_fs_ops, status_of, &ops);
	se = fuse_session_new(&args, &ops, sizeof(ops), &fs);
	if (!se)
		goto err_out3;
	/* SIGTERM/SIGINT end the session; transfers under way stop with it. */
	tfs_http_set_abort(http, session_exited, se);
	if (fuse_set_signal_handlers(se) != 0)
		goto err_out4;
	if (install_hup(&rl) != 0) {
		fprintf(stderr, "tinesfs: cannot set up SIGHUP: %s\n", strerror(errno));
		goto err_out5;
	}
	if (fuse_session_mount(se, fo.mountpoint) != 0)
		goto err_out5;
	fuse_daemonize(fo.foreground);

	fetcher = (struct tfs_fetcher){ .http = http, .tenant = &o.tenant,
		.per_page = o.per_page, .retries = o.retries };
	counted = (struct tfs_status_fetcher){ .fetch = tfs_fetch_page, .ctx = &fetcher };
	listing = tfs_listing_new(&(struct tfs_listing_cfg){
		/* ttl=0: what a request fetched is fresh for that request only. */
		.ttl_ms = o.ttl_s ? o.ttl_s * 1000 : 1,
		.fetch = tfs_status_fetch, .fetch_ctx = &counted,
		.clock = listing_clock_ms, .named = o.groups, .nnamed = o.ngroups,
		.readahead = o.readahead, .max_cache = o.max_cache_mib << 20,
		.on_changed = tfs_fs_changed, .changed_ctx = &fs });
	nodes = tfs_nodes_new();
	if (listing)
		status = tfs_status_new(&(struct tfs_status_cfg){
			.version = TFS_VERSION, .tenant = &o.tenant, .http = http,
			.listing = listing, .clock = clock_ms, .ttl_s = o.ttl_s,
			.per_page = o.per_page });
	if (!listing || !nodes || !status) {
		tfs_err("out of memory");
		goto err_out6;
	}
	fs.listing = listing;
	fs.nodes = nodes;
	fs.status = status;
	if (tfs_fs_start(&fs, se) != 0) {
		tfs_err("cannot start the invalidation thread");
		goto err_out6;
	}
	rl.se = se;
	rl.http = http;
	rl.listing = listing;
	rl.status = status;
	rl.key_file = key_file;
	if (start_reloader(&rl) != 0) {
		tfs_err("cannot start the SIGHUP thread; SIGHUP is ignored");
		sigaction(SIGHUP, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
	}
	if (fo.singlethread) {
		ret = fuse_session_loop(se);
	} else {
		lc = fuse_loop_cfg_create();
		if (!lc) {
			ret = 1;
			goto err_out6;
		}
		fuse_loop_cfg_set_clone_fd(lc, fo.clone_fd);
		/* libfuse leaves max_threads at UINT_MAX unless -o max_threads= was given. */
		if (fo.max_threads > 0 && fo.max_threads <= 100000)
			fuse_loop_cfg_set_max_threads(lc, fo.max_threads);
		if (fo.max_idle_threads != UINT_MAX)
			fuse_loop_cfg_set_idle_threads(lc, fo.max_idle_threads);
		ret = fuse_session_loop_mt(se, lc);
		fuse_loop_cfg_destroy(lc);
	}
	/* The loop returns the number of the signal that stopped it: a clean
	 * stop, not an error. */
	ret = ret < 0 ? 1 : 0;
err_out6:
	stop_reloader(&rl);
	tfs_fs_stop(&fs);	/* no notification may reach a closed session */
	fuse_session_unmount(se);
err_out5:
	stop_reloader(&rl);
	fuse_remove_signal_handlers(se);
err_out4:
	fuse_session_destroy(se);
err_out3:
	if (http)
		tfs_http_abort(http);	/* readahead workers stop waiting */
	tfs_fs_destroy(&fs);
	tfs_status_free(status);
	tfs_listing_free(listing);
	tfs_nodes_free(nodes);
	tfs_http_free(http);
	curl_global_cleanup();
err_out2:
	free(fo.mountpoint);
err_out1:
	free(key_file);
	fuse_opt_free_args(&args);
	tfs_options_free(&o);
	return ret;
}
