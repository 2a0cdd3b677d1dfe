/* statejournal: <run_dir>/state.journal, the main processes svd started or
 * was told about (MAINPID=), and reaped, since state.json was last written:
 * one line appended per process, right after the spawn returned (or the
 * exit was reaped), and the file
 * started over after every state write. The state file is written at most
 * once per loop iteration and at most every 50 ms (statefile.h): a svd
 * killed in between left processes its state does not name. The svd started
 * next reads both: what the journal adds to the state it takes over is
 *   - a MAINPID= change: the main process moved, the new one is taken over;
 *   - a spawn: a process the state does not know, and that would run beside
 *     the one the state's restart policy starts (its own service, twice).
 *     It is killed (SIGKILL, its process group with it), and the state
 *     decides what runs (docs/ARCHITECTURE.md).
 *   - an exit: svd reaped the main process the state names, and how it
 *     ended (a oneshot's exit 0) is known, not "ended while svd was down".
 * A journal that does not follow the state file being taken over (the state
 * was written after it, and svd died before starting it over) is ignored,
 * and so is one written during another boot (its "boot" line) and one that
 * does not start as svd starts one (damage: reported as an error). The child
 * of a spawn writes its own line before anything else, and dies with svd
 * until then (spawn.h): even a kill during the spawn leaves no process
 * that is named in neither file.
 * Not used as PID 1 (there is no state file there either). */
#ifndef SVD_STATEJOURNAL_H
#define SVD_STATEJOURNAL_H

#include <stdbool.h>

#include "util.h"

struct svd;
struct svc;

/* After svd_init, before the services are restored or booted: reads what a
 * killed svd left (at a fresh start, with no state file, its processes are
 * killed now; when taking a state file over, they are applied by
 * statejournal_restore_svc) and opens the journal for this instance. */
void statejournal_open(struct svd *m);
/* s->pid is a new main process: 'S' spawned by svd, 'M' named by MAINPID=. */
void statejournal_note(struct svc *s, char kind);
/* svd reaped s's main process pid with this wait status, and acts on it
 * next: a kill before the state records that still knows how it ended. */
void statejournal_note_exit(struct svc *s, pid_t pid, int status);
/* A spawn's child writes its own 'S' line (spawn.h, struct spawn_journal):
 * the journal's fd for it, or -1 (none, or full). */
int statejournal_fd(struct svd *m);
/* After the spawn, started or not: counts what the child wrote; if it was
 * started and the child could not write its line, notes s->pid as 'S' now. */
struct spawn_journal;
void statejournal_spawned(struct svc *s, const struct spawn_journal *sj, bool started);
/* state.json now holds everything (its "saved_mono"): the journal starts over. */
void statejournal_written(struct svd *m, usec_t saved_mono);
/* Taking a killed svd's state over: what its journal says happened to s
 * after the state was written. s->pid and *pid_start (its start time, as in
 * the state) may change; processes the state cannot know are killed.
 * *exit_status is set (else left alone) when the journal has the wait
 * status of the main process the state names (svd reaped it, then was
 * killed before the state said so).
 * Returns 1 when the last spawn of s the state does not know had already
 * ended (it ran while no svd did: a scheduled job's run that is made, see
 * timer_restore_json), else 0. */
int statejournal_restore_svc(struct svd *m, struct svc *s, unsigned long long *pid_start, int *exit_status);
/* After every service in the state: the journal's processes of services the
 * state did not name (or that are no longer configured) are killed. */
void statejournal_restore_done(struct svd *m);
/* remove: svd stops for good (the state file goes too). */
void statejournal_close(struct svd *m, bool remove);

#endif
