/* svctl_jsonerr: with --json, a failure is JSON on stdout too, for scripts
 * that parse it (svctl(8), EXIT STATUS). */
#ifndef SVD_SVCTL_JSONERR_H
#define SVD_SVCTL_JSONERR_H

#include <stddef.h>

/* When argv asks for --json (before "--"; not for __complete): puts a tee in
 * front of stderr that keeps the lines svctl writes there (bounded), and a
 * byte counter in front of stdout. Does nothing otherwise, or when a stream
 * cannot be made (svctl then works as without it). Call once, first. */
void svctl_jsonerr_begin(int argc, char **argv);

/* svctl is done with exit status code: when it is not 0, --json was asked
 * for and nothing went to stdout, prints there one line
 *   {"ok":false,"exit":CODE,"error":"...","messages":["svctl: ...",...]}
 * (error: the first "svctl: " line on stderr that is not a warning, without
 * "svctl: ";
 * messages: every line, as on stderr). Returns code (1 for a 0 whose output
 * could not be written). */
int svctl_jsonerr_end(int code);

/* n bytes were written to fd 1 without stdout (a secret's value, kept out
 * of stdio's buffer): counted as stdout's, so a failure after them prints
 * no error object behind them. */
void svctl_jsonerr_wrote(size_t n);

#endif
