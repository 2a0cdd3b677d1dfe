/* svctl_follow: the wait of "logs -f" and "events -f" for svd's next
 * message, which also watches svctl's standard output for a reader that
 * has gone. */
#ifndef SVD_SVCTL_FOLLOW_H
#define SVD_SVCTL_FOLLOW_H

/* Waits until fd (svd's stream) is readable. Returns 0 then; when the
 * reader of standard output has gone first (a pipe's read end closed) ends
 * svctl by SIGPIPE, as a write would have; returns -errno if poll fails. */
int svctl_follow_wait(int fd);

#endif
