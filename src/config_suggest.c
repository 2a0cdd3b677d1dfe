/* config_suggest: when a name the configuration does not know (a key, a
 * service, a slice) is close enough to a known one for a "did you mean"
 * (config.h). A few edits are a typo only where they leave most of the word:
 * an absolute bound alone made "zzz" suggest a service "a" and "name:" the
 * key "type", a lead worse than none. Two letters swapped count as one edit
 * ("wbe" for "web"), the commonest slip in a short name. */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "util.h"

#define MAX_EDITS 3

/* Edits (insert, delete, replace, swap two neighbours) from a to b, the
 * "optimal string alignment" distance; SIZE_MAX when the lengths alone
 * differ by more than MAX_EDITS (a key of 100 KB is not compared with
 * each known one letter by letter) or without memory. */
static size_t edits(const char *a, size_t la, const char *b, size_t lb)
{
        if ((la > lb ? la - lb : lb - la) > MAX_EDITS)
                return SIZE_MAX;
        _cleanup_(freep) size_t *rows = calloc(3 * (lb + 1), sizeof *rows);
        if (!rows)
                return SIZE_MAX;
        /* rows i-2, i-1 and i, in turn */
        size_t *pp = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);

        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

                        if (prev[j] + 1 < best)
                                best = prev[j] + 1;
                        if (cur[j - 1] + 1 < best)
                                best = cur[j - 1] + 1;
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                            pp[j - 2] + 1 < best)
                                best = pp[j - 2] + 1;
                        cur[j] = best;
                }
                size_t *t = pp;
                pp = prev;
                prev = cur;
                cur = t;
        }
        return prev[lb];
}

size_t config_typo_distance(const char *typed, const char *known)
{
        size_t la = strlen(typed), lb = strlen(known), longer = la > lb ? la : lb;
        size_t d = edits(typed, la, known, lb);

        /* a few edits, and at most half the longer of the two names:
         * "comand", "restrat", "dv" for "db", "files" for "nofile" pass */
        return d <= MAX_EDITS && 2 * d <= longer ? d : SIZE_MAX;
}
