/* bench/notify_ready.c - helper for bench/probes.sh (ready -> dependent latency).
 *
 *   notify_ready ready FILE [DELAY_MS]
 *       a `type: notify` service: waits DELAY_MS (default 0), appends the
 *       CLOCK_REALTIME time taken just before sendto("READY=1") to
 *       $NOTIFY_SOCKET (sd_notify protocol; "@name" = abstract socket) to FILE
 *       as "<epoch microseconds>\n" (written after the send), then sleeps
 *       until killed.
 *   notify_ready stamp FILE
 *       the dependent: appends the CLOCK_REALTIME time at the start of main()
 *       (so after execve) to FILE, then sleeps until killed.
 *
 * Timestamps are appended (O_APPEND, one write) so that repeated restarts
 * leave one line per start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int append_stamp(const char *path, long long us)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%lld\n", us);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, buf, (size_t)n);
	close(fd);
	return w == n ? 0 : -1;
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long long t0 = now_us(); /* first thing: the "stamp" mode's time */

	if (argc >= 3 && strcmp(argv[1], "stamp") == 0) {
		if (append_stamp(argv[2], t0) != 0) {
			perror(argv[2]);
			return 1;
		}
		sleep_forever();
	}
	if (argc < 3 || strcmp(argv[1], "ready") != 0) {
		fprintf(stderr, "usage: %s ready FILE [DELAY_MS] | stamp FILE\n", argv[0]);
		return 2;
	}

	const char *sock = getenv("NOTIFY_SOCKET");
	if (!sock || !*sock) {
		fprintf(stderr, "NOTIFY_SOCKET not set\n");
		return 1;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(sock);
	if (len >= sizeof sa.sun_path) {
		fprintf(stderr, "NOTIFY_SOCKET too long\n");
		return 1;
	}
	memcpy(sa.sun_path, sock, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (argc > 3) {
		long ms = strtol(argv[3], NULL, 10);
		if (ms > 0) {
			struct timespec d = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
			while (nanosleep(&d, &d) != 0 && errno == EINTR)
				;
		}
	}
	static const char msg[] = "READY=1\n";
	/* The timestamp is taken immediately before sendto and written to FILE
	 * only afterwards, so the file write is not inside the measured span. */
	long long t = now_us();
	if (sendto(fd, msg, sizeof msg - 1, 0, (struct sockaddr *)&sa, salen) < 0) {
		perror("sendto NOTIFY_SOCKET");
		return 1;
	}
	if (append_stamp(argv[2], t) != 0) {
		perror(argv[2]);
		return 1;
	}
	sleep_forever();
}
