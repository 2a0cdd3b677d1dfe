/* secrets_prompt: with secrets_key: passphrase, svd asks for the passphrase
 * on a terminal itself -- /dev/console when it is PID 1 (an appliance has
 * nobody logged in to run `svctl unlock` yet), or the terminal named by
 * secrets_console. It does not read the terminal in its own process (PID 1
 * must never block on a terminal): it runs `svctl unlock` there, which
 * reads with echo off and sends the passphrase over the control socket like
 * any admin's unlock. A wrong passphrase or an empty line asks again (after
 * a second); an unlock from elsewhere ends the prompt (svctl puts the
 * terminal back as it was). */
#ifndef SVD_SECRETS_PROMPT_H
#define SVD_SECRETS_PROMPT_H

#include <stdbool.h>
#include <sys/types.h>

struct svd;

/* The terminal to prompt on, or NULL for none (secrets_console, else
 * /dev/console for PID 1). */
const char *secrets_prompt_console(const struct svd *m);
/* Starts the prompt if the store is locked and a terminal is configured. */
void secrets_prompt_start(struct svd *m);
/* Ends it (shutting down). */
void secrets_prompt_stop(struct svd *m);
/* The store was unlocked by the client with this pid: a prompt that is not
 * that client is ended. */
void secrets_prompt_unlocked(struct svd *m, pid_t by);
/* true if pid was the prompt's svctl (then it is handled here). */
bool secrets_prompt_child_exited(struct svd *m, pid_t pid, int status);

#endif
