/* envmerge: many variables into an environment at once (envmerge.h): the
 * variables are sorted by NAME, then by where they came, so each NAME's
 * first place and last value are found without comparing every pair. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "envmerge.h"
#include "util.h"

struct env_ent {
        const char *kv;
        size_t klen, pos; /* length of NAME; place: *env's entries, then add's */
};

static int ent_cmp(const void *a, const void *b)
{
        const struct env_ent *x = a, *y = b;
        int c = memcmp(x->kv, y->kv, x->klen < y->klen ? x->klen : y->klen);

        if (c == 0 && x->klen != y->klen)
                c = x->klen < y->klen ? -1 : 1;
        if (c == 0)
                c = x->pos < y->pos ? -1 : 1;
        return c;
}

static void wipe_free(char *s)
{
        explicit_bzero(s, strlen(s));
        free(s);
}

int env_merge(char ***env, char *const *add, size_t n)
{
        size_t n0 = strv_length(*env), total = n0 + n, k = 0;
        _cleanup_(freep) struct env_ent *ents = calloc(total ? total : 1, sizeof *ents);
        /* slot[pos]: the string that stands there, NULL for a NAME that came earlier */
        _cleanup_(freep) const char **slot = calloc(total ? total : 1, sizeof *slot);
        _cleanup_(freep) bool *copied = calloc(total ? total : 1, sizeof *copied);
        char **out = calloc(total + 1, sizeof *out);

        if (!ents || !slot || !copied || !out) {
                free(out);
                return -ENOMEM;
        }
        for (size_t i = 0; i < total; i++) {
                const char *kv = i < n0 ? (*env)[i] : add[i - n0];

                ents[i] = (struct env_ent){ .kv = kv, .klen = strcspn(kv, "="), .pos = i };
        }
        qsort(ents, total, sizeof *ents, ent_cmp);
        for (size_t i = 0, j; i < total; i = j) {
                for (j = i + 1; j < total && ents[j].klen == ents[i].klen &&
                                memcmp(ents[j].kv, ents[i].kv, ents[i].klen) == 0;
                     j++)
                        ;
                slot[ents[i].pos] = ents[j - 1].kv;
        }
        for (size_t i = 0; i < total; i++) {
                if (!slot[i])
                        continue;
                if (i < n0 && slot[i] == (*env)[i]) {
                        out[k++] = (*env)[i]; /* kept as it is */
                        continue;
                }
                if (!(out[k] = strdup(slot[i]))) {
                        for (size_t q = 0; q < k; q++)
                                if (copied[q])
                                        wipe_free(out[q]);
                        free(out);
                        return -ENOMEM;
                }
                copied[k++] = true;
        }
        for (size_t i = 0; i < n0; i++)
                if (slot[i] != (*env)[i])
                        wipe_free((*env)[i]);
        free(*env);
        *env = out;
        return 0;
}
