/*
 * options.h -- the command line: tinesfs's own -o options, their defaults
 * and validation, the two positional arguments, and the API key.
 *
 * Everything that can be wrong on the command line is found here, before
 * anything is mounted, and reported as one line naming the option.
 */
#ifndef TFS_OPTIONS_H
#define TFS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <fuse_lowlevel.h>

#include "url.h"

#define TFS_MAX_GROUPS 1024

struct tfs_options {
	struct tfs_tenant tenant;
	char *key;			/* malloc'd; wipe with tfs_options_free */
	char *key_file;			/* absolute (made so against the cwd at start) */
	char *cafile;
	long ttl_s;
	unsigned per_page;
	long timeout_s;
	unsigned retries;
	uint64_t groups[TFS_MAX_GROUPS];
	size_t ngroups;
	uid_t uid;			/* owner reported for every node (default: ours) */
	gid_t gid;
	mode_t umask;			/* bits taken away from 0555/0444 (default 0) */
	unsigned readahead;		/* pages in flight ahead of a walk (default 8) */
	size_t max_cache_mib;		/* 0: no bound */
	unsigned max_rate;		/* requests a minute (default 4000) */
	bool show_help;
	bool show_version;
};

/* Parse argv into o and the arguments left for libfuse (args, which the
 * caller frees with fuse_opt_free_args). Reads the key from key_file or
 * TINES_API_KEY (overwritten and unset). Returns 0, or 1 after printing
 * one line that names the problem to stderr. With --help/--version it
 * returns 0 without reading a key. */
int tfs_options_parse(int argc, char **argv, struct tfs_options *o,
		      struct fuse_args *args);

/* Read the API key from path: the first line of a regular file (not a
 * symlink) owned by the effective user and not accessible by group or
 * others. On 0 *key is malloc'd (the caller wipes it with explicit_bzero
 * and frees it). Otherwise returns -errno and writes one sentence naming
 * the file and the problem into why. Used at start and on SIGHUP. */
int tfs_key_file_read(const char *path, char **key, char *why, size_t whylen);

/* Print tinesfs's own options, each with its default. */
void tfs_options_help(const char *prog);

/* Wipe and free the key and strings. */
void tfs_options_free(struct tfs_options *o);

#endif
