/* dynlib: see dynlib.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "log.h"

static struct dynlib *registered;
static struct ev_loop *unload_loop;
static ev_prepare unload_watch;

/* Closes h and forgets the symbols (a stale pointer must never be called). */
static void unload(struct dynlib *l, void *h) {
        for (size_t i = 0; l->names[i]; i++)
                l->fns[i] = NULL;
        l->handle = NULL;
        dlclose(h);
}

void dynlib_unload_idle(void) {
        for (struct dynlib *l = registered; l; l = l->next)
                if (l->handle && !l->refs)
                        unload(l, l->handle);
}

static void unload_cb(struct ev_loop *loop, ev_prepare *w, int revents) {
        (void)revents;
        ev_prepare_stop(loop, w);
        dynlib_unload_idle();
}

static void schedule_unload(void) {
        if (unload_loop && !ev_is_active(&unload_watch))
                ev_prepare_start(unload_loop, &unload_watch);
}

void dynlib_set_loop(struct ev_loop *loop) {
        if (unload_loop && ev_is_active(&unload_watch))
                ev_prepare_stop(unload_loop, &unload_watch);
        unload_loop = loop;
        if (!loop)
                return;
        ev_prepare_init(&unload_watch, unload_cb);
        for (struct dynlib *l = registered; l; l = l->next)
                if (l->handle && !l->refs)
                        schedule_unload();
}

static int load(struct dynlib *l, char *why, size_t wl) {
        if (l->handle)
                return 0;
        bool known = false;
        for (struct dynlib *r = registered; r; r = r->next)
                known |= r == l;
        if (!known) {
                l->next = registered;
                registered = l;
        }
        void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *e = dlerror();
                snprintf(why, wl, "cannot load %s: %s", l->soname, e ? e : "unknown error");
                return -ELIBACC;
        }
        for (size_t i = 0; l->names[i]; i++) {
                dlerror();
                void *f = dlsym(h, l->names[i]);
                if (!f) {
                        const char *e = dlerror(); /* (NULL: the symbol's value is NULL) */
                        snprintf(why, wl, "%s has no symbol %s%s%s", l->soname, l->names[i], e ? ": " : "",
                                 e ? e : "");
                        unload(l, h);
                        return -ELIBBAD;
                }
                l->fns[i] = f;
        }
        l->handle = h;
        int r = l->on_load ? l->on_load() : 0;
        if (r < 0) {
                snprintf(why, wl, "%s failed to initialise", l->soname);
                unload(l, h);
                return r;
        }
        return 0;
}

int dynlib_acquire(struct dynlib *l, char *why, size_t wl) {
        int r = load(l, why, wl);
        if (r < 0)
                return r;
        l->refs++;
        return 0;
}

void dynlib_release(struct dynlib *l) {
        if (l->refs && --l->refs == 0)
                schedule_unload();
}

void dynlib_need(struct dynlib *l) {
        char why[256];
        if (load(l, why, sizeof why) < 0) {
                log_err("%s", why);
                abort();
        }
        if (!l->refs)
                schedule_unload();
}
