/* config_schedule: the keys that decide when and whether a service runs at
 * all: schedule: (a oneshot started by a timer, every N or on a cron
 * expression), profiles: and install_hint: in a service file, and profiles: /
 * profile_sets: in the main file. Only parsing and shape checks live here; the
 * timers are timer.c, the profile selection profile.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

static const char *const schedule_keys[] = {
        "every", "cron", "persistent", "random_delay", "timeout", NULL
};

void config_schedule_done(struct svc_config *s)
{
        free(s->schedule.cron_text);
        strv_free(s->profiles);
        free(s->install_hint);
        s->schedule.cron_text = NULL;
        s->profiles = NULL;
        s->install_hint = NULL;
}

void config_profiles_done(struct svd_config *c)
{
        strv_free(c->profiles);
        free(c->profiles_pos);
        for (size_t i = 0; i < c->n_profile_sets; i++) {
                free(c->profile_sets[i].name);
                strv_free(c->profile_sets[i].profiles);
                free(c->profile_sets[i].pos);
        }
        free(c->profile_sets);
        strv_free(c->selected_profiles);
}

/* A list of profile names (each a valid name). */
static int load_names(struct cload *l, const struct ynode *n, const char *key, char ***out)
{
        char **v = NULL, sub[KEYLEN + 32];

        if (n->kind != YNODE_SEQUENCE) {
                cp_err(l, n, key, "expected a list");
                return -EINVAL;
        }
        if (cp_strv(l, n, key, &v) < 0)
                return -EINVAL;
        for (size_t i = 0; v && v[i]; i++)
                if (!config_name_valid(v[i])) {
                        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
                        cp_err(l, n->items[i], sub, "invalid profile name '%s'", v[i]);
                        strv_free(v);
                        return -EINVAL;
                }
        *out = v;
        return 0;
}

/* The same for cron:, whose runs need not be evenly apart: a delay beyond
 * every gap between them is an error, as with every:; beyond the shortest
 * only (a monthly run on the 31st and the 1st, working hours) a warning, as
 * some runs there may be put off past the next, which is then not made. */
static void check_cron_delay(struct cload *l, const struct ynode *v, const struct schedule_config *sc)
{
        time_t lo, hi;
        char a[32], b[32];

        cron_gaps(&sc->cron, &lo, &hi);
        if (sc->random_delay > (usec_t)hi * USEC_PER_SEC) {
                cp_err(l, v, "schedule.random_delay",
                       "%s exceeds the time between any two runs of cron '%s' (at most %s): a run could be "
                       "put off past the next one",
                       format_duration(sc->random_delay, a, sizeof a), sc->cron_text,
                       format_duration((usec_t)hi * USEC_PER_SEC, b, sizeof b));
        } else if (sc->random_delay > (usec_t)lo * USEC_PER_SEC) {
                struct cfg_pos pos = { l->file, v->line, v->col };
                cfg_warn(l->errs, &pos, "schedule.random_delay",
                         "%s exceeds the shortest time between runs of cron '%s' (%s): a run put off past "
                         "the next one makes that next one not run",
                         format_duration(sc->random_delay, a, sizeof a), sc->cron_text,
                         format_duration((usec_t)lo * USEC_PER_SEC, b, sizeof b));
        }
}

void cp_schedule(struct cload *l, const struct ynode *n, struct svc_config *s)
{
        struct schedule_config *sc = &s->schedule;
        const struct ynode *v, *every, *cron;

        if (cp_expect_map(l, n, "schedule") < 0)
                return;
        cp_check_keys(l, n, "schedule", schedule_keys);
        sc->pos = (struct cfg_pos){ l->file, n->line, n->col };
        every = ynode_get(n, "every");
        cron = ynode_get(n, "cron");
        if (every && cron) {
                cp_err(l, cron, "schedule.cron", "give either every: or cron:, not both");
                return;
        }
        if (!every && !cron) {
                cp_err(l, n, "schedule", "needs every: (e.g. 6h) or cron: (e.g. \"0 3 * * *\")");
                return;
        }
        if (every) {
                /* a cron: line runs at least yearly too */
                if (cp_duration_in(l, every, "schedule.every", USEC_PER_SEC, 366 * CP_DAY, false,
                                   &sc->every) < 0)
                        return;
        } else {
                char err[200];
                if (!cp_is_scalar(cron)) {
                        cp_err(l, cron, "schedule.cron", "expected a cron expression (e.g. \"0 3 * * *\")");
                        return;
                }
                if (cron_parse(cron->value, &sc->cron, err, sizeof(err)) < 0) {
                        cp_err(l, cron, "schedule.cron", "%s", err);
                        return;
                }
                /* as cron_parse read it: without the white space around
                 * (a block scalar's newline) in status and messages */
                const char *text = cron->value + strspn(cron->value, " \t\n\r\v\f");
                size_t len = strlen(text);
                while (len && strchr(" \t\n\r\v\f", text[len - 1]))
                        len--;
                if (cron_next(&sc->cron, 0) < 0) {
                        cp_err(l, cron, "schedule.cron", "'%.*s' never matches", (int)len, text);
                        return;
                }
                if (!(sc->cron_text = strndup(text, len))) {
                        l->oom = true;
                        return;
                }
        }
        if ((v = ynode_get(n, "persistent")))
                cp_bool(l, v, "schedule.persistent", &sc->persistent);
        /* A delay beyond the period would put a run off past the next due
         * time: runs bunch up or are skipped, not spread out. */
        if ((v = ynode_get(n, "random_delay")) &&
            cp_duration_in(l, v, "schedule.random_delay", 0, CP_DAY, false, &sc->random_delay) >= 0 &&
            sc->every && sc->random_delay > sc->every) {
                char a[32], b[32];

                cp_err(l, v, "schedule.random_delay",
                       "%s exceeds every (%s): a run could be put off past the next one",
                       format_duration(sc->random_delay, a, sizeof a), format_duration(sc->every, b, sizeof b));
        } else if (v && sc->cron_text && sc->random_delay)
                check_cron_delay(l, v, sc);
        /* 0: none (the default); up to a year, like every */
        if ((v = ynode_get(n, "timeout")))
                cp_duration_in(l, v, "schedule.timeout", USEC_PER_SEC, 366 * CP_DAY, true, &sc->timeout);
        if (s->type != SVC_ONESHOT) {
                cp_err(l, n, "schedule", "needs type: oneshot (a scheduled job runs to completion)");
                return;
        }
        sc->set = true;
}

void cp_profiles(struct cload *l, const struct ynode *root, struct svc_config *s)
{
        const struct ynode *v;

        if ((v = ynode_get(root, "profiles")))
                load_names(l, v, "profiles", &s->profiles);
        if ((v = ynode_get(root, "install_hint")))
                cp_text(l, v, "install_hint", &s->install_hint);
}

void cp_main_profiles(struct cload *l, const struct ynode *root)
{
        struct svd_config *c = l->c;
        const struct ynode *v;
        char key[KEYLEN];

        if ((v = ynode_get(root, "profiles")) && load_names(l, v, "profiles", &c->profiles) >= 0 && v->n) {
                /* one position per name (load_names took each item) */
                if (!(c->profiles_pos = calloc(v->n, sizeof(*c->profiles_pos))))
                        l->oom = true;
                for (size_t i = 0; c->profiles_pos && i < v->n; i++)
                        c->profiles_pos[i] = (struct cfg_pos){ l->file, v->items[i]->line, v->items[i]->col };
        }
        if (!(v = ynode_get(root, "profile_sets")) || cp_expect_map(l, v, "profile_sets") < 0)
                return;
        if (!(c->profile_sets = calloc(v->n ? v->n : 1, sizeof(*c->profile_sets)))) {
                l->oom = true;
                return;
        }
        for (size_t i = 0; i < v->n; i++) {
                const struct ynode *k = v->items[i];
                struct profile_set *ps = &c->profile_sets[c->n_profile_sets];

                if (!config_name_valid(k->value)) {
                        cp_err(l, k, "profile_sets", "invalid profile set name '%s'", k->value);
                        continue;
                }
                if (load_names(l, v->values[i], cp_key(key, "profile_sets", k->value), &ps->profiles) < 0)
                        continue;
                size_t n = strv_length(ps->profiles);
                /* Selects nothing, as a name that is no profile does (a
                 * warning in profile.c): may be meant (a built-in set
                 * emptied), so not refused, but said where it is. */
                if (!n)
                        cfg_warn(l->errs,
                                 &(struct cfg_pos){ l->file, v->values[i]->line, v->values[i]->col }, key,
                                 "empty list: selects no service");
                if (!(ps->name = strdup(k->value)) || !(ps->pos = calloc(n ? n : 1, sizeof(*ps->pos)))) {
                        l->oom = true;
                        free(ps->name);
                        strv_free(ps->profiles);
                        *ps = (struct profile_set){ 0 };
                        return;
                }
                /* load_names took each item */
                for (size_t j = 0; j < n; j++)
                        ps->pos[j] = (struct cfg_pos){ l->file, v->values[i]->items[j]->line,
                                                       v->values[i]->items[j]->col };
                c->n_profile_sets++;
        }
}
