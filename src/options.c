/*
 * options.c -- fuse_opt table, defaults, validation and the API key.
 *
 * tinesfs's own options are collected as strings first and validated in
 * one place, so every bad value is one line that names its option. Words
 * that fstab and mount(8) put into the option string for their own use
 * (_netdev, nofail, x-systemd.*, ...) are dropped here, before libfuse
 * would refuse them as unknown.
 */
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "router.h"

struct raw {
	char *key_file, *ttl, *per_page, *groups, *timeout, *retries, *cafile;
	char *uid, *gid, *umask;
	char *readahead, *max_cache, *max_rate;
	char *url;
	int nonopt;
	bool help, version;
};

enum { KEY_HELP, KEY_VERSION, KEY_DISCARD };

#define OPT(t, f) { t, offsetof(struct raw, f), 0 }
static const struct fuse_opt opt_table[] = {
	OPT("key_file=%s", key_file),
	OPT("ttl=%s", ttl),
	OPT("per_page=%s", per_page),
	OPT("groups=%s", groups),
	OPT("timeout=%s", timeout),
	OPT("retries=%s", retries),
	OPT("cafile=%s", cafile),
	OPT("uid=%s", uid),
	OPT("gid=%s", gid),
	OPT("umask=%s", umask),
	OPT("readahead=%s", readahead),
	OPT("max_cache=%s", max_cache),
	OPT("max_rate=%s", max_rate),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	/* fstab and mount(8) words that mean nothing to a FUSE daemon. */
	FUSE_OPT_KEY("_netdev", KEY_DISCARD),
	FUSE_OPT_KEY("nofail", KEY_DISCARD),
	FUSE_OPT_KEY("noauto", KEY_DISCARD),
	FUSE_OPT_KEY("auto", KEY_DISCARD),
	FUSE_OPT_KEY("user", KEY_DISCARD),
	FUSE_OPT_KEY("users", KEY_DISCARD),
	FUSE_OPT_KEY("nouser", KEY_DISCARD),
	FUSE_OPT_KEY("defaults", KEY_DISCARD),
	FUSE_OPT_KEY("rw", KEY_DISCARD),
	FUSE_OPT_KEY("ro", KEY_DISCARD),
	FUSE_OPT_KEY("owner", KEY_DISCARD),
	FUSE_OPT_KEY("group", KEY_DISCARD),
	FUSE_OPT_KEY("comment=", KEY_DISCARD),
	FUSE_OPT_KEY("nobootwait", KEY_DISCARD),
	/* Access-time policies: a read-only tree keeps no atime to update. */
	FUSE_OPT_KEY("relatime", KEY_DISCARD),
	FUSE_OPT_KEY("norelatime", KEY_DISCARD),
	FUSE_OPT_KEY("strictatime", KEY_DISCARD),
	FUSE_OPT_KEY("nostrictatime", KEY_DISCARD),
	FUSE_OPT_KEY("lazytime", KEY_DISCARD),
	FUSE_OPT_KEY("nolazytime", KEY_DISCARD),
	FUSE_OPT_KEY("diratime", KEY_DISCARD),
	FUSE_OPT_KEY("nodiratime", KEY_DISCARD),
	FUSE_OPT_KEY("iversion", KEY_DISCARD),
	FUSE_OPT_KEY("noiversion", KEY_DISCARD),
	FUSE_OPT_KEY("silent", KEY_DISCARD),
	FUSE_OPT_KEY("loud", KEY_DISCARD),
	FUSE_OPT_END
};

static int opt_proc(void *data, const char *arg, int key, struct fuse_args *out)
{
	struct raw *r = data;

	(void)out;
	switch (key) {
	case KEY_HELP:
		r->help = true;
		return 0;
	case KEY_VERSION:
		r->version = true;
		return 0;
	case KEY_DISCARD:
		return 0;
	case FUSE_OPT_KEY_OPT:
		/* x-systemd.*, x-gvfs-* ...: for other programs. */
		return strncmp(arg, "x-", 2) == 0 ? 0 : 1;
	case FUSE_OPT_KEY_NONOPT:
		if (r->nonopt++ == 0) {
			r->url = strdup(arg);
			return 0;
		}
		return 1;	/* the mountpoint, for fuse_parse_cmdline */
	default:
		return 1;
	}
}

__attribute__((format(printf, 2, 3)))
static int bad(const char *opt, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tinesfs: %s: ", opt);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool parse_ulong(const char *s, unsigned long min, unsigned long max,
			unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_groups(const char *s, struct tfs_options *o)
{
	const char *p = s;

	while (*p) {
		size_t n = strcspn(p, ":");
		uint64_t id;
		bool dup = false;

		if (!tfs_parse_group_id(p, n, &id))
			return bad("groups", "'%s' is not a colon-separated list of group ids", s);
		for (size_t i = 0; i < o->ngroups; i++)
			dup |= o->groups[i] == id;
		if (!dup) {
			if (o->ngroups == TFS_MAX_GROUPS)
				return bad("groups", "more than 1024 groups in '%s'", s);
			o->groups[o->ngroups++] = id;
		}
		p += n;
		if (*p == ':' && *++p == '\0')
			return bad("groups", "'%s' is not a colon-separated list of group ids", s);
	}
	return 0;
}

static char *first_line(char *buf)
{
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

/* The key file must be as private as an ssh key: a regular file of ours
 * that nobody else may read or write. */
int tfs_key_file_read(const char *path, char **key, char *why, size_t whylen)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), err;

	*key = NULL;
	if (fd < 0) {
		err = errno;
		snprintf(why, whylen, "cannot open %s: %s", path,
			 err == ELOOP ? "it is a symbolic link" : strerror(err));
		return -err;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, whylen, "%s is not a regular file", path);
		return -EINVAL;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		snprintf(why, whylen, "%s has mode %04o and owner %u; it must be owned by uid %u "
			 "and not accessible by group or others (chmod 600)",
			 path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			 (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	err = errno;
	close(fd);
	if (n < 0) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(err));
		return -err;
	}
	buf[n] = '\0';
	if (!*first_line(buf)) {
		explicit_bzero(buf, sizeof(buf));
		snprintf(why, whylen, "%s: first line is empty", path);
		return -EINVAL;
	}
	*key = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (!*key) {
		snprintf(why, whylen, "%s: out of memory", path);
		return -ENOMEM;
	}
	return 0;
}

/* Made absolute once, against the directory tinesfs started in: a daemon
 * runs in / and re-reads the file on SIGHUP. Symlinks are not resolved, so
 * O_NOFOLLOW still refuses a key file that is one. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX];
	char *out;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}

static int read_key_file(struct tfs_options *o)
{
	char why[PATH_MAX + 200];

	if (tfs_key_file_read(o->key_file, &o->key, why, sizeof(why)) != 0)
		return bad("key_file", "%s", why);
	return 0;
}

/* Take the key from the environment, then overwrite it in place and unset
 * it so no child process or /proc/<pid>/environ reader sees it. */
static int read_key_env(struct tfs_options *o)
{
	char *v = getenv("TINES_API_KEY");

	if (!v || !*v) {
		fprintf(stderr, "tinesfs: no API key: set TINES_API_KEY or use -o key_file=PATH\n");
		return 1;
	}
	o->key = strdup(first_line(v));
	explicit_bzero(v, strlen(v));
	unsetenv("TINES_API_KEY");
	if (!o->key || !*o->key) {
		fprintf(stderr, "tinesfs: no API key: TINES_API_KEY is empty\n");
		return 1;
	}
	return 0;
}

static void raw_free(struct raw *r)
{
	free(r->key_file);
	free(r->ttl);
	free(r->per_page);
	free(r->groups);
	free(r->timeout);
	free(r->retries);
	free(r->cafile);
	free(r->uid);
	free(r->gid);
	free(r->umask);
	free(r->readahead);
	free(r->max_cache);
	free(r->max_rate);
	free(r->url);
}

/* A user or group given by number or by name, as mount(8) users expect. */
static bool parse_id(const char *s, bool user, unsigned long *out)
{
	char buf[4096];

	if (parse_ulong(s, 0, UINT32_MAX - 1, out))
		return true;
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	if (user) {
		struct passwd pw, *res = NULL;

		if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || !res)
			return false;
		*out = res->pw_uid;
	} else {
		struct group gr, *res = NULL;

		if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) != 0 || !res)
			return false;
		*out = res->gr_gid;
	}
	return true;
}

static bool parse_umask(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || strlen(s) > 4 || strspn(s, "01234567") != strlen(s))
		return false;
	*out = strtoul(s, &end, 8);
	return *end == '\0' && *out <= 0777;
}

static int validate(struct raw *r, struct tfs_options *o)
{
	unsigned long v;
	char why[200];

	if (r->ttl && !parse_ulong(r->ttl, 0, 31536000, &v))
		return bad("ttl", "'%s' is not a number of seconds (0..31536000)", r->ttl);
	if (r->ttl)
		o->ttl_s = (long)v;
	if (r->per_page && !parse_ulong(r->per_page, 1, 500, &v))
		return bad("per_page", "'%s' is not a page size from 1 to 500", r->per_page);
	if (r->per_page)
		o->per_page = (unsigned)v;
	if (r->timeout && !parse_ulong(r->timeout, 1, 3600, &v))
		return bad("timeout", "'%s' is not a number of seconds (1..3600)", r->timeout);
	if (r->timeout)
		o->timeout_s = (long)v;
	if (r->retries && !parse_ulong(r->retries, 0, 20, &v))
		return bad("retries", "'%s' is not a count from 0 to 20", r->retries);
	if (r->retries)
		o->retries = (unsigned)v;
	if (r->groups && parse_groups(r->groups, o))
		return 1;
	if (r->uid && !parse_id(r->uid, true, &v))
		return bad("uid", "'%s' is not a user id or a known user name", r->uid);
	if (r->uid)
		o->uid = (uid_t)v;
	if (r->gid && !parse_id(r->gid, false, &v))
		return bad("gid", "'%s' is not a group id or a known group name", r->gid);
	if (r->gid)
		o->gid = (gid_t)v;
	if (r->umask && !parse_umask(r->umask, &v))
		return bad("umask", "'%s' is not an octal mode from 0 to 0777", r->umask);
	if (r->umask)
		o->umask = (mode_t)v;
	if (r->readahead && !parse_ulong(r->readahead, 0, 64, &v))
		return bad("readahead", "'%s' is not a number of pages from 0 to 64", r->readahead);
	if (r->readahead)
		o->readahead = (unsigned)v;
	if (r->max_cache && !parse_ulong(r->max_cache, 0, 1048576, &v))
		return bad("max_cache", "'%s' is not a size in MiB (0 = no bound)", r->max_cache);
	if (r->max_cache)
		o->max_cache_mib = (size_t)v;
	if (r->max_rate && !parse_ulong(r->max_rate, 0, 1000000, &v))
		return bad("max_rate", "'%s' is not a number of requests a minute (0 = no bound)",
			   r->max_rate);
	if (r->max_rate)
		o->max_rate = (unsigned)v;
	if (r->cafile && access(r->cafile, R_OK) != 0)
		return bad("cafile", "cannot read %s", r->cafile);
	o->cafile = r->cafile;
	r->cafile = NULL;
	if (!r->url || r->nonopt < 2) {
		fprintf(stderr, "tinesfs: usage: tinesfs [options] TENANT_URL MOUNTPOINT (see --help)\n");
		return 1;
	}
	if (r->nonopt > 2)
		return bad("arguments", "%s", "too many: expected TENANT_URL MOUNTPOINT");
	if (tfs_tenant_parse(r->url, &o->tenant, why, sizeof(why)) != 0) {
		fprintf(stderr, "tinesfs: TENANT_URL '%s' %s\n", r->url, why);
		return 1;
	}
	if (r->key_file) {
		if (!*r->key_file)
			return bad("key_file", "%s", "empty path");
		o->key_file = absolute(r->key_file);
		if (!o->key_file)
			return bad("key_file", "cannot make %s absolute: %s", r->key_file,
				   strerror(errno));
		return read_key_file(o);
	}
	return read_key_env(o);
}

int tfs_options_parse(int argc, char **argv, struct tfs_options *o,
		      struct fuse_args *args)
{
	struct raw r;
	int rc;

	memset(o, 0, sizeof(*o));
	memset(&r, 0, sizeof(r));
	o->ttl_s = 60;
	o->per_page = 500;
	o->timeout_s = 30;
	o->retries = 5;
	o->uid = getuid();
	o->gid = getgid();
	o->umask = 0;
	o->readahead = 8;
	o->max_cache_mib = 0;
	o->max_rate = 4000;
	*args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	if (fuse_opt_parse(args, &r, opt_table, opt_proc) != 0) {
		raw_free(&r);
		return 1;	/* libfuse printed the reason */
	}
	o->show_help = r.help;
	o->show_version = r.version;
	if (r.help || r.version) {
		raw_free(&r);
		return 0;
	}
	rc = validate(&r, o);
	raw_free(&r);
	return rc;
}

void tfs_options_help(const char *prog)
{
	printf("usage: %s [options] TENANT_URL MOUNTPOINT\n\n"
	       "Mounts a Tines tenant's group runs read-only as JSON files.\n"
	       "TENANT_URL is https://HOST[:PORT] (http:// only for loopback hosts).\n"
	       "The API key comes from -o key_file=PATH or the TINES_API_KEY variable,\n"
	       "never from the command line. See tinesfs(1).\n\n"
	       "tinesfs options:\n"
	       "    -o key_file=PATH       file whose first line is the API key; a regular\n"
	       "                           file of yours, mode 0600 or stricter\n"
	       "                           (default: none, use TINES_API_KEY)\n"
	       "    -o groups=ID[:ID...]   groups listed under /groups (default: none)\n"
	       "    -o ttl=SECONDS         trust listings, contents and misses this long;\n"
	       "                           0 revalidates every access (default: 60)\n"
	       "    -o per_page=N          page size asked of the API, 1..500 (default: 500)\n"
	       "    -o timeout=SECONDS     bound on each HTTP request, 1..3600 (default: 30)\n"
	       "    -o retries=N           extra attempts on transient failures, 0..20\n"
	       "                           (default: 5)\n"
	       "    -o cafile=PATH         CA bundle to verify the tenant with\n"
	       "                           (default: the system's)\n"
	       "    -o uid=USER            owner shown for every file (default: the\n"
	       "                           mounting user)\n"
	       "    -o gid=GROUP           group shown for every file (default: the\n"
	       "                           mounting user's group)\n"
	       "    -o readahead=N         pages read ahead of a listing, 0..64 (default: 8)\n"
	       "    -o max_cache=MiB       bound on cached runs, LRU listings (default: 0, none)\n"
	       "    -o max_rate=N          requests a minute, all threads (default: 4000)\n"
	       "    -o umask=MODE          octal bits taken away from the modes 0555\n"
	       "                           (directories) and 0444 (files) (default: 0)\n"
	       "    -h, --help             print this help and exit\n"
	       "    -V, --version          print the versions of tinesfs, libfuse, libcurl\n"
	       "                           and json-c and exit\n\n"
	       "Accepted and ignored (fstab and mount(8) words): _netdev, nofail, auto,\n"
	       "noauto, user, users, nouser, owner, group, defaults, rw, ro, comment=,\n"
	       "x-*, relatime, strictatime, lazytime, nodiratime and their negations.\n"
	       "The mount is always read-only.\n\n",
	       prog);
}

void tfs_options_free(struct tfs_options *o)
{
	if (o->key) {
		explicit_bzero(o->key, strlen(o->key));
		free(o->key);
	}
	free(o->key_file);
	free(o->cafile);
	o->key = o->key_file = o->cafile = NULL;
}
