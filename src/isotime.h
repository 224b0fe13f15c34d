/*
 * isotime.h -- ISO 8601 timestamps (as the API writes start_time/end_time)
 * to seconds since the epoch. Pure, independent of TZ and locale.
 */
#ifndef TFS_ISOTIME_H
#define TFS_ISOTIME_H

#include <stdint.h>
#include <stddef.h>

/* Parse YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|-HH:MM|+HHMM|+HH] from s[0..len).
 * A missing zone is read as UTC (the API documents UTC). Fractional seconds
 * are dropped. Returns 0 and sets *out, or -EINVAL. */
int tfs_iso8601_parse(const char *s, size_t len, int64_t *out);

#endif
