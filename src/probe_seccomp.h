/* probe_seccomp: svd-probe's self-confinement. Sets PR_SET_NO_NEW_PRIVS and
 * loads an allow-list seccomp filter (default: kill the process; foreign
 * architectures: kill) holding only what libev (epoll), libcurl with OpenSSL
 * and its threaded resolver, glibc's getaddrinfo and cJSON need once they are
 * initialised. Call it after curl_global_init() and after the epoll loop
 * exists, before the first request is read. Returns 0 or -errno. */
#ifndef SVD_PROBE_SECCOMP_H
#define SVD_PROBE_SECCOMP_H

int probe_seccomp_install(void);

#endif
