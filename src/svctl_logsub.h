/* svctl_logsub: for `svctl logs -f`, the file that was current when svd
 * subscribed svctl to a service's log (svctl_logs.c). */
#ifndef SVD_SVCTL_LOGSUB_H
#define SVD_SVCTL_LOGSUB_H

#include <cjson/cJSON.h>

/* The file that was current when svd subscribed us, as svd names it by
 * path, inode and (where the filesystem keeps it) birth time, since an inode
 * number is reused soon after a rotated file is compressed and deleted. It
 * is normally still at that path (svctl opens it first thing after the
 * reply), but a rotation may have come in between: then it
 * is the oldest rotated file newer than every rotated file svd listed,
 * perhaps compressed by now. Returns an open fd (*ret_gz NULL) or the .gz
 * path to read (*ret_gz, fd -1); -ENOENT if it has been deleted since; other
 * errors (logread_open_file's refusals) with the file's path in *ret_gz. */
int logsub_open(const char *cur, double ino, const char *btime, const cJSON *files, char **ret_gz);

#endif
