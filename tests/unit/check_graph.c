/* check_graph: start waves and cycle naming on hand-built configs (so each
 * shape is explicit), plus the path through config_load for a real tree and for
 * a dependency on a service that does not exist. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "graph.h"

/* Builds a config of n services named by names[i]; edges[i] is a string of
 * dependency indexes ("01" = depends on services 0 and 1). */
static struct svd_config *build(size_t n, const char *const *names, const char *const *edges)
{
        struct svd_config *c = calloc(1, sizeof *c);

        c->svcs = calloc(n, sizeof *c->svcs);
        c->n_svcs = n;
        for (size_t i = 0; i < n; i++) {
                struct svc_config *s = &c->svcs[i];
                size_t k = strlen(edges[i]);

                s->name = strdup(names[i]);
                s->deps = calloc(k ? k : 1, sizeof *s->deps);
                s->n_deps = k;
                for (size_t j = 0; j < k; j++) {
                        s->deps[j].index = edges[i][j] == '?' ? SIZE_MAX : (size_t)(edges[i][j] - '0');
                        s->deps[j].name = strdup(edges[i][j] == '?' ? "missing" : names[s->deps[j].index]);
                }
        }
        return c;
}

START_TEST(test_diamond)
{
        static const char *const names[] = { "a", "b", "c", "d" };
        static const char *const edges[] = { "", "0", "0", "12" };
        struct svd_config *c = build(4, names, edges);
        unsigned w[4];

        ck_assert_int_eq(graph_waves(c, w), 3);
        ck_assert_uint_eq(w[0], 0);
        ck_assert_uint_eq(w[1], 1);
        ck_assert_uint_eq(w[2], 1);
        ck_assert_uint_eq(w[3], 2);
        ck_assert_ptr_null(graph_find_cycle(c, NULL));
        config_free(c);
}
END_TEST

START_TEST(test_chain)
{
        /* Declared backwards so the order cannot come from the array order. */
        static const char *const names[] = { "a", "b", "c", "d" };
        static const char *const edges[] = { "1", "2", "3", "" };
        struct svd_config *c = build(4, names, edges);
        unsigned w[4];

        ck_assert_int_eq(graph_waves(c, w), 4);
        ck_assert_uint_eq(w[0], 3);
        ck_assert_uint_eq(w[1], 2);
        ck_assert_uint_eq(w[2], 1);
        ck_assert_uint_eq(w[3], 0);
        config_free(c);
}
END_TEST

START_TEST(test_independent)
{
        static const char *const names[] = { "a", "b", "c" };
        static const char *const edges[] = { "", "", "" };
        struct svd_config *c = build(3, names, edges), empty = { 0 };
        unsigned w[3] = { 9, 9, 9 };

        ck_assert_int_eq(graph_waves(c, w), 1);
        ck_assert_uint_eq(w[0] + w[1] + w[2], 0);
        ck_assert_int_eq(graph_waves(&empty, w), 0);
        ck_assert_ptr_null(graph_find_cycle(&empty, NULL));
        config_free(c);
}
END_TEST

START_TEST(test_unresolved_ignored)
{
        static const char *const names[] = { "a", "b" };
        static const char *const edges[] = { "?", "0?" };
        struct svd_config *c = build(2, names, edges);
        unsigned w[2];

        ck_assert_int_eq(graph_waves(c, w), 2);
        ck_assert_uint_eq(w[0], 0);
        ck_assert_uint_eq(w[1], 1);
        ck_assert_ptr_null(graph_find_cycle(c, NULL));
        config_free(c);
}
END_TEST

START_TEST(test_cycles)
{
        /* x is outside the loop but leads into it: the cycle printed starts at
         * the first service on the loop, not at x. */
        static const char *const names[] = { "a", "b", "c", "x", "z" };
        static const char *const edges[] = { "1", "2", "0", "0", "" };
        static const char *const self_names[] = { "ok", "self" };
        static const char *const self_edges[] = { "", "01" };
        struct svd_config *c = build(5, names, edges), *s = build(2, self_names, self_edges);
        unsigned w[5];
        size_t first = 99;
        char *cycle;

        ck_assert_int_eq(graph_waves(c, w), -ELOOP);
        cycle = graph_find_cycle(c, &first);
        ck_assert_str_eq(cycle, "a -> b -> c -> a");
        ck_assert_uint_eq(first, 0);
        free(cycle);

        ck_assert_int_eq(graph_waves(s, w), -ELOOP);
        cycle = graph_find_cycle(s, &first);
        ck_assert_str_eq(cycle, "self -> self");
        ck_assert_uint_eq(first, 1);
        free(cycle);
        config_free(c);
        config_free(s);
}
END_TEST

START_TEST(test_cycle_not_at_root)
{
        /* The DFS enters at "a" but the loop is b <-> c. */
        static const char *const names[] = { "a", "b", "c" };
        static const char *const edges[] = { "1", "2", "1" };
        struct svd_config *c = build(3, names, edges);
        size_t first = 99;
        char *cycle = graph_find_cycle(c, &first);

        ck_assert_str_eq(cycle, "b -> c -> b");
        ck_assert_uint_eq(first, 1);
        free(cycle);
        config_free(c);
}
END_TEST

START_TEST(test_through_config)
{
        _cleanup_(freep) char *main = strdup_printf("%s/good/etc/svd.yaml", FIXTURES_DIR);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;
        unsigned w[4];

        ck_assert_int_eq(config_load(main, &c, &e), 0);
        ck_assert_uint_eq(c->n_svcs, 4);
        /* db-init <- db <- cache <- web (web also needs db directly). */
        ck_assert_int_eq(graph_waves(c, w), 4);
        ck_assert_uint_eq(w[config_svc_index(c, "db-init")], 0);
        ck_assert_uint_eq(w[config_svc_index(c, "db")], 1);
        ck_assert_uint_eq(w[config_svc_index(c, "cache")], 2);
        ck_assert_uint_eq(w[config_svc_index(c, "web")], 3);
        config_free(c);
}
END_TEST

START_TEST(test_missing_dep_through_config)
{
        _cleanup_(freep) char *main = strdup_printf("%s/deps/svd.yaml", FIXTURES_DIR);
        struct cfg_errors e = { 0 };
        struct svd_config *c = NULL;
        bool seen = false;

        ck_assert_int_eq(config_load(main, &c, &e), -EINVAL);
        ck_assert_ptr_null(c);
        for (size_t i = 0; i < e.n; i++)
                seen |= strstr(e.msgs[i], "/services/web.yaml:2:18: depends_on.dbb: unknown service 'dbb' "
                                          "(did you mean 'db'?)") != NULL;
        ck_assert(seen);
        cfg_errors_free(&e);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("graph");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_diamond);
        tcase_add_test(tc, test_chain);
        tcase_add_test(tc, test_independent);
        tcase_add_test(tc, test_unresolved_ignored);
        tcase_add_test(tc, test_cycles);
        tcase_add_test(tc, test_cycle_not_at_root);
        tcase_add_test(tc, test_through_config);
        tcase_add_test(tc, test_missing_dep_through_config);
        suite_add_tcase(s, tc);
        return check_run(s);
}
