/* svctl_secret: `svctl secret list|get|set|rotate` and `svctl unlock`; parses
 * its own argv (like svctl logs) and returns svctl's exit code. */
#ifndef SVD_SVCTL_SECRET_H
#define SVD_SVCTL_SECRET_H

int svctl_secret_main(int argc, char **argv);

#endif
