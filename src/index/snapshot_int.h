/* snapshot_int.h: private to the index snapshot (snapshot.c writes it, snapshot_load.c reads
 * it back): the file's constants, its checksum and its stamp. */
#ifndef FICD_INDEX_SNAPSHOT_INT_H
#define FICD_INDEX_SNAPSHOT_INT_H

#include "index/index_int.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC   "FICDIDX\n"
#define SNAP_FORMAT  1u
#define SNAP_CHUNK   (64u << 10)
#define SNAP_SETTING "archive_id"

/* The checksum: four 64-bit lanes over 8-byte little-endian words, the tail byte-wise. */
struct csum {
    uint64_t lane[4];
    uint64_t total;
};

void snap_csum_init(struct csum *c);
void snap_csum_add(struct csum *c, const uint8_t *p, size_t n);
uint64_t snap_csum_final(const struct csum *c);

/* What a snapshot is stamped with, checked against the store before it is loaded. */
struct stamp {
    char archive[65];
    char nonce[65]; /* also in the store's settings (nonce_key): see idx_snapshot_save */
    int64_t schema;
    int64_t seq;
    uint32_t kind; /* the change at seq (0 when seq is 0) */
    int64_t id;
};

/* The kind and object of the change-log entry at seq (0 and 0 when there is none). */
int snap_change_at(struct store *s, int64_t seq, uint32_t *kind, int64_t *id);
/* The settings key under which the store keeps the nonce of the snapshot at path. */
void snap_nonce_key(const char *path, char *out, size_t outsz);

#endif
