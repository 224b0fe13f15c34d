/*
 * main.c -- tinesfs: mount a Tines tenant's group runs as read-only JSON.
 *
 * options -> key -> clients -> session -> mount -> loop -> teardown, each
 * undone in reverse order through the err_out labels. Starting makes no
 * request to the tenant: a wrong key or an unreachable host shows on first
 * access, so the mount also comes up at boot before the network does.
 */
#include <curl/curl.h>
#include <fuse_lowlevel.h>
#include <json-c/json_c_version.h>
#include <limits.h>
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

#define MAX_BODY (8u << 20)

static int64_t clock_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void print_version(void)
{
	printf("tinesfs version %s\n", TFS_VERSION);
	printf("libfuse version %s (FUSE API %d)\n", fuse_pkgversion(), FUSE_USE_VERSION);
	printf("libcurl version %s\n", curl_version_info(CURLVERSION_NOW)->version);
	printf("json-c version %s\n", json_c_version());
	fuse_lowlevel_version();
}

int main(int argc, char *argv[])
{
	struct fuse_cmdline_opts fo;
	struct tfs_options o;
	struct fuse_args args;
	struct tfs_http *http = NULL;
	struct tfs_listing *listing = NULL;
	struct tfs_nodes *nodes = NULL;
	struct fuse_session *se;
	struct tfs_fetcher fetcher;
	struct tfs_fs fs;
	struct fuse_loop_config *lc = NULL;
	char fsname[400];
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
		.retries = o.retries, .max_body = MAX_BODY, .debug = fo.debug });
	/* The key now lives only inside the HTTP client's header. */
	tfs_options_free(&o);
	fetcher = (struct tfs_fetcher){ .http = http, .tenant = &o.tenant,
		.per_page = o.per_page, .retries = o.retries };
	listing = tfs_listing_new(&(struct tfs_listing_cfg){
		.ttl_ms = o.ttl_s * 1000, .fetch = tfs_fetch_page, .fetch_ctx = &fetcher,
		.clock = clock_ms, .named = o.groups, .nnamed = o.ngroups });
	nodes = tfs_nodes_new();
	if (!http || !listing || !nodes) {
		fprintf(stderr, "tinesfs: out of memory\n");
		goto err_out3;
	}
	fs = (struct tfs_fs){ .listing = listing, .nodes = nodes,
		.ttl_s = (double)o.ttl_s, .uid = getuid(), .gid = getgid() };
	se = fuse_session_new(&args, &tfs_fs_ops, sizeof(tfs_fs_ops), &fs);
	if (!se)
		goto err_out3;
	if (fuse_set_signal_handlers(se) != 0)
		goto err_out4;
	if (fuse_session_mount(se, fo.mountpoint) != 0)
		goto err_out5;
	fuse_daemonize(fo.foreground);
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
	fuse_session_unmount(se);
err_out5:
	fuse_remove_signal_handlers(se);
err_out4:
	fuse_session_destroy(se);
err_out3:
	tfs_listing_free(listing);
	tfs_nodes_free(nodes);
	tfs_http_free(http);
	curl_global_cleanup();
err_out2:
	free(fo.mountpoint);
err_out1:
	fuse_opt_free_args(&args);
	tfs_options_free(&o);
	return ret;
}
