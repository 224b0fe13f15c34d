/* nodes.c -- inode number -> node, an open-addressing table under a lock. */
#include "nodes.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct node {
	uint64_t ino;
	uint64_t group;
	uint8_t kind;
	uint8_t guid_len;
	char guid[];
};

struct tfs_nodes {
	pthread_mutex_t mu;
	struct node **slots;	/* mu */
	size_t nslots, n;	/* mu */
};

struct tfs_nodes *tfs_nodes_new(void)
{
	struct tfs_nodes *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nslots = 1024;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->mu, NULL);
	return t;
}

void tfs_nodes_free(struct tfs_nodes *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nslots; i++)
		free(t->slots[i]);
	free(t->slots);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static size_t find_slot(struct node **slots, size_t nslots, uint64_t ino)
{
	size_t s = ino & (nslots - 1);

	while (slots[s] && slots[s]->ino != ino)
		s = (s + 1) & (nslots - 1);
	return s;
}

static int grow(struct tfs_nodes *t)
{
	size_t nslots = t->nslots * 2;
	struct node **slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->nslots; i++)
		if (t->slots[i])
			slots[find_slot(slots, nslots, t->slots[i]->ino)] = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

int tfs_nodes_add(struct tfs_nodes *t, uint64_t ino, enum tfs_kind kind,
		  uint64_t group, const char *guid, size_t guid_len)
{
	struct node *n;
	size_t s;
	int rc = 0;

	if (guid_len > TFS_GUID_MAX)
		return -EINVAL;
	pthread_mutex_lock(&t->mu);
	s = find_slot(t->slots, t->nslots, ino);
	n = t->slots[s];
	if (n) {
		if (n->kind != kind || n->group != group || n->guid_len != guid_len ||
		    (guid_len && memcmp(n->guid, guid, guid_len) != 0))
			rc = -EEXIST;
		goto out;
	}
	if ((t->n + 1) * 4 > t->nslots * 3) {
		rc = grow(t);
		if (rc)
			goto out;
		s = find_slot(t->slots, t->nslots, ino);
	}
	n = malloc(sizeof(*n) + guid_len + 1);
	if (!n) {
		rc = -ENOMEM;
		goto out;
	}
	n->ino = ino;
	n->group = group;
	n->kind = (uint8_t)kind;
	n->guid_len = (uint8_t)guid_len;
	if (guid_len)
		memcpy(n->guid, guid, guid_len);
	n->guid[guid_len] = '\0';
	t->slots[s] = n;
	t->n++;
out:
	pthread_mutex_unlock(&t->mu);
	return rc;
}

int tfs_nodes_get(struct tfs_nodes *t, uint64_t ino, struct tfs_node_info *out)
{
	struct node *n;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	switch (ino) {
	case TFS_INO_ROOT:
		out->kind = TFS_NODE_ROOT;
		return 0;
	case TFS_INO_GROUPS:
		out->kind = TFS_NODE_GROUPS;
		return 0;
	case TFS_INO_STATUS:
		out->kind = TFS_NODE_STATUS;
		return 0;
	}
	pthread_mutex_lock(&t->mu);
	n = t->slots[find_slot(t->slots, t->nslots, ino)];
	if (!n) {
		rc = -ENOENT;
	} else {
		out->kind = (enum tfs_kind)n->kind;
		out->group = n->group;
		out->guid_len = n->guid_len;
		memcpy(out->guid, n->guid, n->guid_len + 1);
	}
	pthread_mutex_unlock(&t->mu);
	return rc;
}
