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

DYNLIB_DECLARE(yaml, DL_YAML_FUNCS)

#ifndef DL_LIBS_IMPL
#define yaml_parser_initialize (dl_yaml_get()->yaml_parser_initialize)
#define yaml_parser_delete (dl_yaml_get()->yaml_parser_delete)
#define yaml_parser_set_input_string (dl_yaml_get()->yaml_parser_set_input_string)
#define yaml_parser_parse (dl_yaml_get()->yaml_parser_parse)
#define yaml_event_delete (dl_yaml_get()->yaml_event_delete)
#endif

#endif
