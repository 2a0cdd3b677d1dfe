/* secrets_credfs: the file system under <run_dir>/credentials (a noswap
 * tmpfs, a ramfs or a tmpfs as root; read-only for services, written by svd
 * through a descriptor of the writable mount underneath). */
#ifndef SVD_SECRETS_CREDFS_H
#define SVD_SECRETS_CREDFS_H

struct secrets_credfs {
        int fd;     /* the writable root, for openat/mkdirat/unlinkat; -1: none */
        int mounts; /* how many mounts were stacked on the path (unmounted at close) */
};

/* Makes root (mounting as root, or reusing what the svd this one replaces
 * left there) and opens ret->fd. Fallbacks are logged. -errno when there is
 * nowhere to write. */
int secrets_credfs_open(const char *root, struct secrets_credfs *ret);
/* As root: unmounts and removes the writable binds of root's file system
 * that an svd stopped (killed, crashed) while writing through them left
 * beside root (<root>.svd.XXXXXX, open_writable in secrets_credfs.c); only
 * a directory of that exact name with nothing but such a mount on it.
 * Logs one line each. Called at every start, with or without secrets
 * configured. */
void secrets_credfs_sweep(const char *root);
/* As root, for an svd that never opened root (no secrets configured, or
 * none delivered): unmounts the credentials file system an earlier svd
 * left on root (across daemon-reexec), with the private bind under it, and
 * removes the directory. Only svd's own mounts (source svd-credentials)
 * on top; one of anything else stacked over them leaves all there. Logs
 * what it did. */
void secrets_credfs_drop_left(const char *root);
/* Closes the descriptor and unmounts what open stacked or reused. */
void secrets_credfs_close(const char *root, struct secrets_credfs *c);

#endif
