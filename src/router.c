/* router.c -- name/path routing and stable inode hashing. */
#include "router.h"

#include <errno.h>
#include <string.h>

bool tfs_parse_group_id(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool tfs_guid_ok(const char *guid, size_t len)
{
	if (len == 0 || len > TFS_GUID_MAX)
		return false;
	if ((len == 1 && guid[0] == '.') || (len == 2 && guid[0] == '.' && guid[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)guid[i];

		if (c < 0x20 || c == 0x7f || c == '/')
			return false;
	}
	return true;
}

int tfs_route_child(enum tfs_kind parent, uint64_t parent_group,
		    const char *name, struct tfs_route *out)
{
	size_t len = strlen(name);

	memset(out, 0, sizeof(*out));
	switch (parent) {
	case TFS_NODE_ROOT:
		if (strcmp(name, "groups") == 0)
			out->kind = TFS_NODE_GROUPS;
		else if (strcmp(name, TFS_STATUS_NAME) == 0)
			out->kind = TFS_NODE_STATUS;
		else
			return -ENOENT;
		return 0;
	case TFS_NODE_GROUPS:
		if (!tfs_parse_group_id(name, len, &out->group))
			return -ENOENT;
		out->kind = TFS_NODE_GROUP;
		return 0;
	case TFS_NODE_GROUP:
		if (strcmp(name, "runs") != 0)
			return -ENOENT;
		out->kind = TFS_NODE_RUNS;
		out->group = parent_group;
		return 0;
	case TFS_NODE_RUNS:
		if (len <= 5 || strcmp(name + len - 5, ".json") != 0 ||
		    !tfs_guid_ok(name, len - 5))
			return -ENOENT;
		out->kind = TFS_NODE_RUN;
		out->group = parent_group;
		out->guid = name;
		out->guid_len = len - 5;
		return 0;
	default:
		return -ENOENT;
	}
}

int tfs_route_path(const char *path, struct tfs_route *out)
{
	enum tfs_kind kind = TFS_NODE_ROOT;
	uint64_t group = 0;
	char name[TFS_GUID_MAX + 8];

	memset(out, 0, sizeof(*out));
	if (path[0] != '/')
		return -ENOENT;
	while (*path) {
		const char *seg;
		size_t n;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		seg = path;
		n = strcspn(seg, "/");
		if (n >= sizeof(name))
			return -ENOENT;
		memcpy(name, seg, n);
		name[n] = '\0';
		if (tfs_route_child(kind, group, name, out) != 0)
			return -ENOENT;
		if (out->kind == TFS_NODE_RUN)
			out->guid = seg;
		kind = out->kind;
		group = out->group;
		path = seg + n;
	}
	out->kind = kind;
	out->group = group;
	return 0;
}

/* FNV-1a, 64 bit: fast, good spread, and fixed forever (inode numbers must
 * not change between releases or remounts). */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t ino_hash(unsigned char kind, uint64_t group, const char *guid,
			 size_t len)
{
	unsigned char g[8];
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int i = 0; i < 8; i++)
		g[i] = (unsigned char)(group >> (8 * i));
	h = fnv1a(h, &kind, 1);
	h = fnv1a(h, g, sizeof(g));
	if (guid)
		h = fnv1a(h, guid, len);
	/* Finalizer (from splitmix64) so nearby guids land far apart. */
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return h < 16 ? h + 16 : h;
}

uint64_t tfs_ino_group(uint64_t group)
{
	return ino_hash('g', group, NULL, 0);
}

uint64_t tfs_ino_runs(uint64_t group)
{
	return ino_hash('r', group, NULL, 0);
}

uint64_t tfs_ino_run(uint64_t group, const char *guid, size_t len)
{
	return ino_hash('f', group, guid, len);
}
