/* init_detach: the block-device layers of a shutdown (init.h). Swap is turned
 * off before the file systems are unmounted (a swap file keeps its file system
 * busy, and swap on a loop or device-mapper device keeps that device busy);
 * between unmount passes, device-mapper devices are removed and loop devices
 * detached, so that the file systems and devices under them can go in turn.
 * Everything is read from the kernel each time (/proc/swaps, /sys/block), so
 * every step can be repeated: what is already gone is skipped. One console
 * line per action; errors are logged and never stop the rest. Blocking calls
 * (swapoff pages everything back in, a DM removal waits for its I/O) run in
 * init.c's children with a deadline. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "util.h"

/* More devices than an appliance stacks; bounds the retry passes. */
#define MAX_DM_PASSES 16

/* Reads a one-line sysfs file into buf without its newline; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        int err = errno;
        close(fd);
        if (n < 0)
                return -err;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

void init_swapoff_all(void) {
        FILE *f = fopen("/proc/swaps", "re");
        if (!f) {
                if (errno != ENOENT) /* a kernel without CONFIG_SWAP */
                        log_warn("init: reading /proc/swaps: %s", strerror(errno));
                return;
        }
        char *line = NULL;
        size_t cap = 0;
        bool header = true;
        while (getline(&line, &cap, f) > 0) {
                /* Filename Type Size Used Priority; the name escaped as in mountinfo */
                char name[4096];
                if (header) {
                        header = false;
                        continue;
                }
                if (sscanf(line, "%4095s", name) != 1)
                        continue;
                init_unescape(name);
                if (swapoff(name) == 0)
                        log_info("init: swapoff %s", name);
                else if (errno != EINVAL) /* EINVAL: no longer swap (turned off meanwhile) */
                        log_err("init: swapoff %s: %s", name, strerror(errno));
        }
        free(line);
        fclose(f);
}

/* Whether /sys/block/NAME/loop/backing_file exists: a bound loop device. */
static bool loop_bound(const char *name, char *backing, size_t size) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name);
        return read_line(path, backing, size) == 0;
}

/* Detaches the bound loop devices; returns how many went. A device that is
 * still open (mounted, under a DM device) only gets the autoclear flag from
 * LOOP_CLR_FD and stays: not counted, reported when `report`. */
static unsigned detach_loops(bool report) {
        DIR *d = opendir("/sys/block");
        if (!d)
                return 0;
        unsigned n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                char backing[PATH_MAX], dev[300];
                if (strncmp(de->d_name, "loop", 4) != 0 || !loop_bound(de->d_name, backing, sizeof(backing)))
                        continue;
                snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
                int fd = open(dev, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        if (report)
                                log_err("init: cannot detach %s (%s): %s", dev, backing, strerror(errno));
                        continue;
                }
                int r = ioctl(fd, LOOP_CLR_FD, 0);
                int err = errno;
                close(fd); /* the detach of a device only we held happens here at the latest */
                if (r < 0 && err != ENXIO) {
                        if (report)
                                log_err("init: cannot detach %s (%s): %s", dev, backing, strerror(err));
                } else if (!loop_bound(de->d_name, backing, sizeof(backing))) {
                        log_info("init: detached %s (%s)", dev, backing);
                        n++;
                } else if (report)
                        log_warn("init: cannot detach %s (%s): in use; detached when last closed", dev, backing);
        }
        closedir(d);
        return n;
}

/* One DM_DEV_REMOVE; 0 or -errno (-ENXIO: no such device any more). */
static int dm_remove(int ctl, const char *name) {
        struct dm_ioctl io = {
                .version = {DM_VERSION_MAJOR, 0, 0},
                .data_size = sizeof(io),
                .data_start = sizeof(io),
        };
        if (strlen(name) >= sizeof(io.name))
                return -ENAMETOOLONG;
        memcpy(io.name, name, strlen(name) + 1);
        return ioctl(ctl, DM_DEV_REMOVE, &io) < 0 ? -errno : 0;
}

/* One pass over the device-mapper devices; returns how many it removed.
 * *ctl: /dev/mapper/control, opened at the first device. log_busy: name the
 * ones that stay. -1: the control device cannot be opened. */
static int dm_pass(int *ctl, bool log_busy) {
        DIR *d = opendir("/sys/block");
        if (!d)
                return 0;
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                char path[PATH_MAX], name[DM_NAME_LEN + 1];
                if (strncmp(de->d_name, "dm-", 3) != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/block/%s/dm/name", de->d_name);
                if (read_line(path, name, sizeof(name)) < 0 || !*name)
                        continue; /* removed meanwhile */
                if (*ctl < 0 && (*ctl = open("/dev/" DM_DIR "/" DM_CONTROL_NODE, O_RDWR | O_CLOEXEC)) < 0) {
                        if (log_busy) /* once, not at every unmount pass */
                                log_err("init: cannot remove device-mapper devices: /dev/" DM_DIR
                                        "/" DM_CONTROL_NODE ": %s",
                                        strerror(errno));
                        n = -1;
                        break;
                }
                int r = dm_remove(*ctl, name);
                if (r == 0) {
                        log_info("init: removed dm device %s (%s)", name, de->d_name);
                        n++;
                } else if (r != -ENXIO && log_busy)
                        log_err("init: cannot remove dm device %s (%s): %s", name, de->d_name, strerror(-r));
        }
        closedir(d);
        return n;
}

/* Removes the device-mapper devices; returns how many went. A device with
 * another on top is busy until that one is gone: passes until one removes
 * nothing, so a stack goes top-down whatever the listing order. */
static unsigned remove_dms(bool report) {
        int ctl = -1, r = 0;
        unsigned n = 0;
        for (int pass = 0; pass < MAX_DM_PASSES && (r = dm_pass(&ctl, false)) > 0; pass++)
                n += (unsigned)r;
        if (report && (r = dm_pass(&ctl, true)) > 0) /* names what stays */
                n += (unsigned)r;
        if (ctl >= 0)
                close(ctl);
        return n;
}

unsigned init_detach_devices(bool report) {
        /* device-mapper first: its devices hold the loop devices under them */
        unsigned n = remove_dms(report);
        return n + detach_loops(report);
}
