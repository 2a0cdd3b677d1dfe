/* config_visible: refuses an invisible character (utf8_is_invisible: a
 * byte-order mark, a zero-width space, a soft hyphen, a bidi control, a
 * no-break space...) in a value svd looks up or hands to the kernel as it
 * is: a path, a program (command[0]), a user or group name, a variable
 * name, a service name. Pasted from a web page or a chat, such a character
 * made a file that loaded and then failed at exec or lookup with a name
 * that looks right. Free text a program receives (environment values, the
 * arguments after the program, probe bodies and headers) may mean one and
 * is not checked here. */
#include <errno.h>
#include <string.h>

#include "config_parse.h"
#include "utf8.h"

int cp_visible_len(struct cload *l, const struct ynode *n, size_t len, const char *key, const char *what)
{
        uint32_t cp = 0;
        size_t at;

        if (!cp_is_scalar(n))
                return 0; /* (the reader of the value says what it expected) */
        at = utf8_invisible(n->value, len, &cp);
        if (at == len)
                return 0;
        /* the value is echoed: config_errors shows the character there too */
        cp_err(l, n, key, "invisible character %s%0*X in %s at byte %zu ('%.*s')",
               cp > 0xffff ? "\\U" : "\\u", cp > 0xffff ? 8 : 4, (unsigned)cp, what, at + 1, (int)len,
               n->value);
        return -EINVAL;
}

int cp_visible(struct cload *l, const struct ynode *n, const char *key, const char *what)
{
        return cp_visible_len(l, n, cp_is_scalar(n) ? strlen(n->value) : 0, key, what);
}
