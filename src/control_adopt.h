/* control_adopt: see control_adopt.c */
#ifndef SVD_CONTROL_ADOPT_H
#define SVD_CONTROL_ADOPT_H

/* An inherited listening Unix stream socket bound to path, made
 * non-blocking and close-on-exec; -1 if there is none. */
int control_adopt_inherited(const char *path);

#endif
