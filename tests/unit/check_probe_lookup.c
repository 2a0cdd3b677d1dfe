/* check_probe_lookup: svd-probe's shared host name lookups (probe_lookup.h)
 * driven by a stand-in for glibc's getaddrinfo_a, gai_error and gai_cancel
 * (defined here, so probe_lookup.c's calls reach them): each request stays
 * in progress until the test ends it (fake_end, which notifies as glibc
 * does, through the request's SIGEV_THREAD function), and gai_cancel says
 * what the test chose. Checked: a queued name started by the poll leaves libev's timer
 * heap sound (ev_verify), and probe_lookup_free with checks still waiting,
 * for a queued name and for a running one glibc can cancel. */
#include <check.h>

#include "check_run.h"
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "probe_lookup.h"

#define FAKE_MAX 64

static struct {
        struct gaicb *cb[FAKE_MAX];
        int ret[FAKE_MAX]; /* gai_error's answer */
        struct sigevent sig[FAKE_MAX];
        size_t n;
        int cancel; /* gai_cancel's answer for one in progress */
} fake;

int getaddrinfo_a(int mode, struct gaicb *list[], int ent, struct sigevent *sig)
{
        (void)mode;
        ck_assert_ptr_nonnull(sig);
        ck_assert_int_eq(sig->sigev_notify, SIGEV_THREAD);
        ck_assert_int_eq(ent, 1); /* one notification per request */
        for (int i = 0; i < ent; i++) {
                ck_assert_uint_lt(fake.n, FAKE_MAX);
                fake.cb[fake.n] = list[i];
                fake.sig[fake.n] = *sig;
                fake.ret[fake.n++] = EAI_INPROGRESS;
        }
        return 0;
}

static size_t fake_find(const struct gaicb *cb)
{
        /* the newest first: a freed request's address may be reused */
        for (size_t i = fake.n; i-- > 0;)
                if (fake.cb[i] == cb)
                        return i;
        ck_abort_msg("unknown gaicb %p", (const void *)cb);
        return 0;
}

int gai_error(struct gaicb *cb)
{
        return fake.ret[fake_find(cb)];
}

int gai_cancel(struct gaicb *cb)
{
        size_t i = fake_find(cb);

        if (fake.ret[i] != EAI_INPROGRESS)
                return EAI_ALLDONE;
        if (fake.cancel == EAI_CANCELED)
                fake.ret[i] = EAI_CANCELED;
        return fake.cancel;
}

/* Request i ends with ret, and says so as glibc would. */
static void fake_end(size_t i, int ret)
{
        fake.ret[i] = ret;
        fake.sig[i].sigev_notify_function(fake.sig[i].sigev_value);
}

static unsigned n_done;
static int last_err;

static void on_done(struct probe_lookup_wait *w, const struct probe_addrs *addrs, int gai_err)
{
        (void)w;
        (void)addrs;
        n_done++;
        last_err = gai_err;
}

static void reset(void)
{
        memset(&fake, 0, sizeof(fake));
        fake.cancel = EAI_NOTCANCELED;
        n_done = 0;
        last_err = 0;
}

/* PROBE_LOOKUPS_MAX names running and one queued, each with its wait */
static struct probe_lookup *fill(struct ev_loop *loop, struct probe_lookup_wait *w)
{
        struct probe_lookup *pl;
        struct probe_addrs addrs;

        ck_assert_int_eq(probe_lookup_new(loop, &pl), 0);
        for (unsigned i = 0; i <= PROBE_LOOKUPS_MAX; i++) {
                char host[32];
                snprintf(host, sizeof(host), "n%u.example", i);
                ck_assert_int_eq(probe_lookup_start(pl, host, &w[i], on_done, &addrs), 0);
        }
        ck_assert_uint_eq(fake.n, PROBE_LOOKUPS_MAX); /* the last one queued */
        return pl;
}

START_TEST(test_queued_started_by_poll)
{
        struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
        struct probe_lookup_wait w[PROBE_LOOKUPS_MAX + 1] = { 0 };

        reset();
        struct probe_lookup *pl = fill(loop, w);
        fake_end(0, EAI_NONAME); /* the first ends: the queued one takes its slot */
        while (n_done == 0)
                ev_run(loop, EVRUN_ONCE);
        ck_assert_int_eq(last_err, EAI_NONAME);
        ck_assert_uint_eq(fake.n, PROBE_LOOKUPS_MAX + 1);
        ev_verify(loop); /* aborts on a timer changed while active */
        fake.cancel = EAI_CANCELED;
        for (unsigned i = 1; i <= PROBE_LOOKUPS_MAX; i++)
                probe_lookup_cancel(&w[i]);
        probe_lookup_free(pl);
        ev_loop_destroy(loop);
}
END_TEST

static void free_waited(int cancel)
{
        struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
        struct probe_lookup_wait w[PROBE_LOOKUPS_MAX + 1] = { 0 };

        reset();
        struct probe_lookup *pl = fill(loop, w);
        fake.cancel = cancel;
        probe_lookup_free(pl); /* every check still waits */
        for (unsigned i = 0; i <= PROBE_LOOKUPS_MAX; i++)
                ck_assert_ptr_null(w[i].ent);
        ck_assert_uint_eq(n_done, 0);
        ev_loop_destroy(loop);
}

START_TEST(test_free_with_waiters_cancelable)
{
        free_waited(EAI_CANCELED);
}
END_TEST

START_TEST(test_free_with_waiters_running)
{
        free_waited(EAI_NOTCANCELED);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("probe_lookup");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_queued_started_by_poll);
        tcase_add_test(tc, test_free_with_waiters_cancelable);
        tcase_add_test(tc, test_free_with_waiters_running);
        suite_add_tcase(s, tc);
        return check_run(s);
}
