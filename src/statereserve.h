/* statereserve: <run_dir>/state.reserve, space set aside for the
 * crash-recovery state (state.json, statefile.h; state.journal,
 * statejournal.h). run_dir is usually a tmpfs such as /run, which any
 * process can fill; a full one must not leave a stale state for the next
 * svd to take over. The reserve is a file whose blocks are allocated
 * (fallocate, or zeros written where that is not supported) of at least
 * 64 KiB and twice the last state.json plus 16 KiB of journal lines. When a
 * write of state.json.tmp or of a journal line fails with ENOSPC or EDQUOT,
 * part of the reserve is given back (half of it; all of it once it is
 * small) and the write is tried again at once. It is built up again after
 * a later successful state write and every 10 s while it is short, once
 * the file system has twice the missing room free (the reserve never takes
 * the last free space). A killed svd's reserve is reused; a clean exit
 * removes it, daemon-reexec keeps it. Not used as PID 1 (no state is kept there). */
#ifndef SVD_STATERESERVE_H
#define SVD_STATERESERVE_H

#include <stdbool.h>
#include <stddef.h>

struct svd;

/* Opens (or creates) the reserve and fills it up to its least size. */
void statereserve_open(struct svd *m);
/* A state or journal write failed with -err: true if err is ENOSPC or
 * EDQUOT and space was given back (try again), false if not (nothing
 * left, or another error). The first release until the reserve is whole
 * again is logged. */
bool statereserve_release(struct svd *m, int err);
/* A state file of `size` bytes was written: the reserve is grown to what
 * that needs, or rebuilt after a release. No syscall unless it is short
 * (and then at most one attempt per second). */
void statereserve_written(struct svd *m, size_t size);
/* remove: svd stops for good (the state files go too). */
void statereserve_close(struct svd *m, bool remove);

#endif
