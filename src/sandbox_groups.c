/* sandbox_groups: the system-call group table (see sandbox_groups.h). The
 * group names follow systemd's SystemCallFilter= so an operator's knowledge
 * carries over; the lists are our own, grouped by what a call can do to the
 * host rather than by man-page section. @system-service is the allow-list for
 * ordinary daemons: everything a shell, an interpreter or a database needs,
 * and none of the deny-groups' calls except @keyring. */
#include <string.h>

#include "sandbox_groups.h"
#include "util.h"

#define G(...) ((const char *const[]){ __VA_ARGS__, NULL })

struct group {
        const char *name;
        const char *const *calls;
};

static const struct group groups[] = {
        /* ---- groups the default profile denies ---- */
        { "@mount", G("chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount", "mount_setattr",
                      "move_mount", "open_tree", "pivot_root", "umount", "umount2") },
        { "@module", G("delete_module", "finit_module", "init_module") },
        { "@raw-io", G("ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
                       "s390_pci_mmio_read", "s390_pci_mmio_write") },
        { "@reboot", G("kexec_file_load", "kexec_load", "reboot") },
        { "@swap", G("swapoff", "swapon") },
        { "@clock", G("adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
                      "settimeofday", "stime") },
        { "@debug", G("lookup_dcookie", "perf_event_open", "pidfd_getfd", "process_vm_readv",
                      "process_vm_writev", "ptrace", "rtas", "s390_runtime_instr", "sys_debug_setcontext") },
        { "@obsolete", G("_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
                         "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof", "profil",
                         "putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stty", "sysfs",
                         "tuxcall", "ulimit", "uselib", "ustat", "vserver") },
        { "@cpu-emulation", G("modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old") },
        { "@keyring", G("add_key", "keyctl", "request_key") },
        /* ---- privilege: what only root (or a capability) may do ---- */
        { "@privileged", G("@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap", "_sysctl", "acct",
                           "bpf", "capset", "chroot", "fanotify_init", "fanotify_mark", "nfsservctl",
                           "open_by_handle_at", "pivot_root", "quotactl", "quotactl_fd", "setdomainname",
                           "setfsuid", "setfsuid32", "setgroups", "setgroups32", "sethostname", "setresuid",
                           "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32", "vhangup") },
        /* ---- building blocks of @system-service ---- */
        { "@default",
          G("arch_prctl", "brk", "cacheflush", "clock_getres", "clock_getres_time64", "clock_gettime",
            "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "execve", "exit", "exit_group",
            "futex", "futex_time64", "futex_waitv", "get_robust_list", "get_thread_area", "getegid",
            "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getpgid",
            "getpgrp", "getpid", "getppid", "getrandom", "getresgid", "getresgid32", "getresuid",
            "getresuid32", "getrlimit", "getsid", "gettid", "gettimeofday", "getuid", "getuid32",
            "membarrier", "mmap", "mmap2", "munmap", "nanosleep", "pause", "prlimit64", "restart_syscall",
            "riscv_flush_icache", "rseq", "rt_sigreturn", "sched_getaffinity", "sched_yield",
            "set_robust_list", "set_thread_area", "set_tid_address", "set_tls", "sigreturn", "time",
            "ugetrlimit") },
        { "@basic-io",
          G("_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek", "pread64", "preadv",
            "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv", "write", "writev") },
        { "@file-system",
          G("access", "chdir", "chmod", "creat", "faccessat", "faccessat2", "fallocate", "fchdir", "fchmod",
            "fchmodat", "fchmodat2", "fcntl", "fcntl64", "fgetxattr", "flistxattr", "fremovexattr",
            "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "ftruncate", "ftruncate64",
            "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch", "inotify_init",
            "inotify_init1", "inotify_rm_watch", "lgetxattr", "link", "linkat", "listxattr", "llistxattr",
            "lremovexattr", "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat",
            "newfstatat", "oldfstat", "oldlstat", "oldstat", "open", "openat", "openat2", "readlink",
            "readlinkat", "removexattr", "rename", "renameat", "renameat2", "rmdir", "setxattr", "stat",
            "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "truncate", "truncate64",
            "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes") },
        { "@io-event",
          G("_newselect", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
            "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll",
            "ppoll_time64", "pselect6", "pselect6_time64", "select") },
        { "@ipc", G("ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
                    "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl",
                    "msgget", "msgrcv", "msgsnd", "pipe", "pipe2", "semctl", "semget", "semop", "semtimedop",
                    "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget") },
        { "@process",
          G("capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill", "pidfd_open",
            "pidfd_send_signal", "prctl", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "setns", "swapcontext",
            "tgkill", "times", "tkill", "unshare", "vfork", "wait4", "waitid", "waitpid") },
        { "@network-io",
          G("accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen",
            "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg",
            "sendto", "setsockopt", "shutdown", "socket", "socketcall", "socketpair") },
        { "@signal", G("rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend", "rt_sigtimedwait",
                       "rt_sigtimedwait_time64", "sigaction", "sigaltstack", "signal", "signalfd",
                       "signalfd4", "sigpending", "sigprocmask", "sigsuspend") },
        { "@timer",
          G("alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun",
            "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
            "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64") },
        { "@memlock", G("mlock", "mlock2", "mlockall", "munlock", "munlockall") },
        { "@resources",
          G("getcpu", "getpriority", "ioprio_get", "ioprio_set", "mbind", "migrate_pages", "move_pages",
            "nice", "sched_get_priority_max", "sched_get_priority_min", "sched_getattr", "sched_getparam",
            "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
            "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "set_mempolicy",
            "set_mempolicy_home_node", "setpriority", "setrlimit", "get_mempolicy") },
        { "@sync",
          G("fdatasync", "fsync", "msync", "sync", "sync_file_range", "sync_file_range2", "syncfs") },
        { "@aio", G("io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
                    "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup") },
        { "@chown", G("chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32") },
        { "@setuid",
          G("setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32", "setresgid",
            "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32") },
        { "@system-service",
          G("@aio", "@basic-io", "@chown", "@default", "@file-system", "@io-event", "@ipc", "@keyring",
            "@memlock", "@network-io", "@process", "@resources", "@setuid", "@signal", "@sync", "@timer",
            "capset", "copy_file_range", "fadvise64", "fadvise64_64", "flock", "ioctl", "kcmp", "madvise",
            "mincore", "mprotect", "mremap", "name_to_handle_at", "oldolduname", "olduname", "personality",
            "pkey_alloc", "pkey_free", "pkey_mprotect", "readahead", "readdir", "remap_file_pages",
            "sendfile", "sendfile64", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setpgid",
            "setsid", "splice", "sysinfo", "tee", "umask", "uname", "userfaultfd", "vmsplice") },
};

const char *const sbx_default_deny[] = { "@mount",         "@module",  "@raw-io", "@reboot",
                                         "@swap",          "@clock",   "@debug",  "@obsolete",
                                         "@cpu-emulation", "@keyring", NULL };

const char *const *sbx_group_get(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(groups); i++)
                if (strcmp(groups[i].name, name) == 0)
                        return groups[i].calls;
        return NULL;
}

const char *const *sbx_group_names(void)
{
        static const char *names[ELEMENTSOF(groups) + 1];

        if (!names[0])
                for (size_t i = 0; i < ELEMENTSOF(groups); i++)
                        names[i] = groups[i].name;
        return names;
}
