/* spawn_why: see spawn_why.h. Reads at most the first 4 KiB and one program
 * header table of the file, without following it anywhere; for E2BIG, only
 * the argument and environment vectors the exec was given. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nofile.h"
#include "sandbox.h"
#include "spawn.h"
#include "spawn_why.h"
#include "util.h"

/* The #! line's program into out (a carriage return at its end kept). */
static bool shebang(const char *head, size_t n, char *out, size_t outlen) {
        if (n < 3 || head[0] != '#' || head[1] != '!')
                return false;
        size_t i = 2;
        while (i < n && (head[i] == ' ' || head[i] == '\t'))
                i++;
        size_t k = 0;
        while (i < n && head[i] != ' ' && head[i] != '\t' && head[i] != '\n' && k + 1 < outlen)
                out[k++] = head[i++];
        out[k] = 0;
        return k > 0;
}

/* PT_INTERP of a 64- or 32-bit ELF file of this machine's byte order. */
static bool elf_interp(int fd, const unsigned char *head, size_t n, char *out, size_t outlen) {
        if (n < EI_NIDENT || memcmp(head, ELFMAG, SELFMAG) != 0)
                return false;
        bool is64 = head[EI_CLASS] == ELFCLASS64;
        if (n < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
                return false;
        Elf64_Ehdr e;
        if (is64)
                memcpy(&e, head, sizeof(e));
        else {
                Elf32_Ehdr e32;
                memcpy(&e32, head, sizeof(e32));
                e.e_phoff = e32.e_phoff;
                e.e_phnum = e32.e_phnum;
                e.e_phentsize = e32.e_phentsize;
        }
        size_t want = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        if (e.e_phentsize != want || e.e_phnum > 64)
                return false;
        for (unsigned i = 0; i < e.e_phnum; i++) {
                unsigned char ph[sizeof(Elf64_Phdr)];
                if (pread(fd, ph, want, (off_t)(e.e_phoff + i * want)) != (ssize_t)want)
                        return false;
                uint64_t off, size;
                uint32_t type;
                if (is64) {
                        Elf64_Phdr p;
                        memcpy(&p, ph, sizeof(p));
                        type = p.p_type, off = p.p_offset, size = p.p_filesz;
                } else {
                        Elf32_Phdr p;
                        memcpy(&p, ph, sizeof(p));
                        type = p.p_type, off = p.p_offset, size = p.p_filesz;
                }
                if (type != PT_INTERP)
                        continue;
                if (size < 2 || size > outlen)
                        return false;
                if (pread(fd, out, (size_t)size, (off_t)off) != (ssize_t)size)
                        return false;
                out[size - 1] = 0;
                return out[0] != 0;
        }
        return false;
}

/* n bytes for an operator: "20 bytes", "200.0 KiB", "1.6 MiB" */
static const char *human_size(size_t n, char *buf, size_t len) {
        if (n < 1024)
                snprintf(buf, len, "%zu bytes", n);
        else if (n < 1024 * 1024)
                snprintf(buf, len, "%.1f KiB", (double)n / 1024);
        else
                snprintf(buf, len, "%.1f MiB", (double)n / (1024 * 1024));
        return buf;
}

/* E2BIG: what the kernel measured (each string with its NUL), and the
 * largest variable, the usual culprit (one over the 128 KiB the kernel
 * takes for a single string fails whatever the stack limit). */
static void e2big_why(char *const *argv, char *const *envp, char *buf, size_t len) {
        size_t n_env = 0, env_bytes = 0, n_args = 0, arg_bytes = 0, big = 0;
        const char *big_name = "";
        for (size_t i = 0; envp && envp[i]; i++, n_env++) {
                size_t l = strlen(envp[i]) + 1;
                env_bytes += l;
                if (l > big)
                        big = l, big_name = envp[i];
        }
        for (size_t i = 0; argv && argv[i]; i++, n_args++)
                arg_bytes += strlen(argv[i]) + 1;
        int name_len = (int)strcspn(big_name, "=");
        char eb[32], ab[32], bb[32];
        snprintf(buf, len,
                 "%s (environment: %zu variables, %s, the largest %.*s%s at %s; arguments: %zu, %s; the kernel "
                 "takes 128 KiB per string and a quarter of the stack limit in all: env_file, environment or "
                 "the command is too large)",
                 strerror(E2BIG), n_env, human_size(env_bytes, eb, sizeof(eb)), name_len > 64 ? 64 : name_len,
                 big_name, name_len > 64 ? "..." : "", human_size(big, bb, sizeof(bb)), n_args,
                 human_size(arg_bytes, ab, sizeof(ab)));
}

const char *spawn_exec_why(const char *path, const char *cwd, int err, char *const *argv, char *const *envp,
                           char *buf, size_t len) {
        snprintf(buf, len, "%s", strerror(err));
        if (err == E2BIG) {
                e2big_why(argv, envp, buf, len);
                return buf;
        }
        if (err != ENOENT || !path)
                return buf;
        /* a relative path (and a relative #! interpreter) is the child's:
         * from the directory it ran in, not from svd's own */
        _cleanup_(closep) int dfd = open(cwd ? cwd : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) /* a home directory that is not there: the child ran from "/" */
                dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return buf;
        /* O_NONBLOCK: a FIFO put where the program was must not stall svd */
        _cleanup_(closep) int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return buf;
        unsigned char head[4096];
        ssize_t n = pread(fd, head, sizeof(head), 0);
        char interp[256];
        if (n <= 0)
                return buf;
        /* (an interpreter that is there: ENOENT means something else, e.g.
         * one that is itself a script whose own interpreter is missing) */
        if (shebang((const char *)head, (size_t)n, interp, sizeof(interp))) {
                if (faccessat(dfd, interp, F_OK, 0) == 0)
                        return buf;
                size_t il = strlen(interp);
                if (interp[il - 1] == '\r') {
                        interp[il - 1] = 0;
                        snprintf(buf, len, "%s (its #! line %s ends in a carriage return: DOS line endings)",
                                 strerror(err), interp);
                } else
                        snprintf(buf, len, "%s (its #! interpreter %s is missing)", strerror(err), interp);
        } else if (elf_interp(fd, head, (size_t)n, interp, sizeof(interp)) && faccessat(dfd, interp, F_OK, 0) < 0)
                snprintf(buf, len, "%s (its ELF interpreter %s is missing)", strerror(err), interp);
        return buf;
}

/* The names limits: uses (config_sandbox.c), by resource. */
static const char *rlimit_name(int resource) {
        switch (resource) {
        case RLIMIT_NOFILE: return "nofile";
        case RLIMIT_NPROC: return "nproc";
        case RLIMIT_CORE: return "core";
        case RLIMIT_MEMLOCK: return "memlock";
        case RLIMIT_STACK: return "stack";
        case RLIMIT_AS: return "as";
        case RLIMIT_FSIZE: return "fsize";
        case RLIMIT_CPU: return "cpu";
        default: return "?";
        }
}

static char *put_rlim(char *buf, size_t len, rlim_t v) {
        if (v == RLIM_INFINITY)
                snprintf(buf, len, "infinity");
        else
                snprintf(buf, len, "%llu", (unsigned long long)v);
        return buf;
}

const char *spawn_fail_why(const struct spawn_req *req, const struct spawn_error *se, char *buf, size_t len) {
        const char *e = strerror(se->err);
        char why[600], s[24], h[24];
        const struct rlimit *rl = NULL;
        const char *what = NULL;
        switch (se->stage) {
        case SPAWN_STAGE_CHDIR:
                snprintf(buf, len, "chdir: %s: %s", req->cwd ? req->cwd : "/", e);
                break;
        case SPAWN_STAGE_EXEC:
                snprintf(buf, len, "exec: %s: %s", req->path,
                         spawn_exec_why(req->path, req->cwd, se->err, req->argv, req->envp, why, sizeof(why)));
                break;
        case SPAWN_STAGE_GROUPS:
                snprintf(buf, len, "groups: %zu supplementary groups: %s", req->n_groups, e);
                break;
        case SPAWN_STAGE_GID:
                snprintf(buf, len, "setgid: %u: %s", (unsigned)req->gid, e);
                break;
        case SPAWN_STAGE_UID:
                snprintf(buf, len, "setuid: %u: %s", (unsigned)req->uid, e);
                break;
        case SPAWN_STAGE_RLIMITS:
                if (se->detail == -1) {
                        rl = nofile_services();
                        what = "nofile (the services' default)";
                } else if (se->detail > 0 && req->sandbox && se->detail <= req->sandbox->n_rlimits) {
                        rl = &req->sandbox->rl[se->detail - 1];
                        what = rlimit_name(req->sandbox->rl_resource[se->detail - 1]);
                }
                if (rl) {
                        snprintf(buf, len, "rlimits: %s %s:%s: %s%s", what, put_rlim(s, sizeof(s), rl->rlim_cur),
                                 put_rlim(h, sizeof(h), rl->rlim_max), e,
                                 se->err == EPERM ? " (a hard limit above svd's own needs CAP_SYS_RESOURCE)" : "");
                        break;
                }
                /* fall through */
        default:
                snprintf(buf, len, "%s: %s", spawn_stage_name(se->stage), e);
        }
        return buf;
}

bool spawn_transient(int err) {
        switch (err) {
        case EAGAIN:
        case ENOMEM:
        case ENFILE:
        case EMFILE:
        case ETXTBSY:
                return true;
        default:
                return false;
        }
}
