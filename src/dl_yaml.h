/* dl_yaml: libyaml: reading configuration files, loaded on demand (dynlib.h).
 * Include instead of yaml.h: its function names then call through
 * the loaded table. */
#ifndef SVD_DL_YAML_H
#define SVD_DL_YAML_H

#include <yaml.h>

#include "dynlib.h"

#define DL_YAML_FUNCS(X) \
        X(yaml_parser_initialize) \
        X(yaml_parser_delete) \
        X(yaml_parser_set_input_string) \
        X(yaml_parser_parse) \
        X(yaml_event_delete)

struct dl_yaml_fns {
#define DL_X(f) __typeof__(f) *f;
        DL_YAML_FUNCS(DL_X)
#undef DL_X
};

extern struct dynlib dl_yaml;
extern struct dl_yaml_fns dl_yaml_fns;

static inline struct dl_yaml_fns *dl_yaml_get(void) {
        if (!dl_yaml.handle)
                dynlib_need(&dl_yaml);
        return &dl_yaml_fns;
}

#ifndef DL_LIBS_IMPL
#define yaml_parser_initialize (dl_yaml_get()->yaml_parser_initialize)
#define yaml_parser_delete (dl_yaml_get()->yaml_parser_delete)
#define yaml_parser_set_input_string (dl_yaml_get()->yaml_parser_set_input_string)
#define yaml_parser_parse (dl_yaml_get()->yaml_parser_parse)
#define yaml_event_delete (dl_yaml_get()->yaml_event_delete)
#endif

#endif
