/* options.c -- fuse_opt table, defaults, validation and the API key. */
#include "options.h"

#include <errno.h>
#include <fcntl.h>
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
static int read_key_file(const char *path, struct tfs_options *o)
{
	char buf[4096];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		fprintf(stderr, "tinesfs: key_file: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bad("key_file", "%s is not a regular file", path);
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		fprintf(stderr, "tinesfs: key_file: %s has mode %04o and owner %u; it must be "
			"owned by uid %u and not accessible by group or others (chmod 600)\n",
			path, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			(unsigned)geteuid());
		close(fd);
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return bad("key_file", "cannot read %s", path);
	buf[n] = '\0';
	if (!*first_line(buf)) {
		explicit_bzero(buf, sizeof(buf));
		return bad("key_file", "%s: first line is empty", path);
	}
	o->key = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return o->key ? 0 : bad("key_file", "%s", "out of memory");
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
	free(r->url);
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
		o->key_file = r->key_file;
		r->key_file = NULL;
		return read_key_file(o->key_file, o);
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
	       "The API key comes from -o key_file=PATH or the TINES_API_KEY variable.\n\n"
	       "tinesfs options:\n"
	       "    -o key_file=PATH       file whose first line is the API key (mode 0600)\n"
	       "    -o groups=ID[:ID...]   groups listed under /groups (default: none)\n"
	       "    -o ttl=SECONDS         trust listings, contents and misses this long (default: 60)\n"
	       "    -o per_page=N          page size asked of the API, 1..500 (default: 500)\n"
	       "    -o timeout=SECONDS     bound on each HTTP request (default: 30)\n"
	       "    -o retries=N           extra attempts on transient failures (default: 5)\n"
	       "    -o cafile=PATH         CA bundle to verify the tenant with (default: system's)\n"
	       "    -V, --version          print versions and exit\n\n",
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
