/*
 * errmap.h -- the one place where foreign error vocabularies (HTTP status,
 * libcurl codes, json-c tokener errors) become the errno a FUSE reply carries.
 * Pure: no I/O.
 */
#ifndef TFS_ERRMAP_H
#define TFS_ERRMAP_H

#include <stdbool.h>
#include <curl/curl.h>

/* 2xx -> 0; 401, 403 -> -EACCES; 404 -> -ENOENT; everything else -> -EIO. */
int tfs_errno_from_http(long status);

/* CURLE_OK -> 0; out of memory -> -ENOMEM; anything else -> -EIO. */
int tfs_errno_from_curl(CURLcode code);

/* A body that is not a page of the documented shape -> -EIO. */
int tfs_errno_from_parse(int parse_err);

/* Whether a GET that ended with this status (0 = transport failure with
 * curl code cc) may succeed if sent again. */
bool tfs_http_retryable(long status, CURLcode cc);

#endif
