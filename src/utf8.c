/* utf8: strict UTF-8 validation, cutting on a character boundary and
 * cleaning for display (see utf8.h). One decoder, utf8_char, under all of
 * them, so svd, svctl and svd-probe cannot disagree on what a character is. */
#include <string.h>

#include "utf8.h"

size_t utf8_char(const char *s, size_t len, uint32_t *ret_cp)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n;
        uint32_t cp, min;

        if (len == 0)
                return 0;
        if (p[0] < 0x80) {
                n = 1;
                cp = p[0];
                min = 0;
        } else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
                n = 2;
                cp = p[0] & 0x1f;
                min = 0x80;
        } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
                n = 3;
                cp = p[0] & 0x0f;
                min = 0x800;
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
                n = 4;
                cp = p[0] & 0x07;
                min = 0x10000;
        } else
                return 0; /* a continuation byte, 0xc0/0xc1 (always overlong) or past 0xf4 */
        if (len < n)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        if (ret_cp)
                *ret_cp = cp;
        return n;
}

bool utf8_valid(const char *s, size_t len)
{
        for (size_t i = 0; i < len;) {
                /* ASCII runs are the common case: no decoding */
                if ((unsigned char)s[i] < 0x80) {
                        i++;
                        continue;
                }
                size_t n = utf8_char(s + i, len - i, NULL);
                if (n == 0)
                        return false;
                i += n;
        }
        return true;
}

bool utf8_is_ctrl(uint32_t cp)
{
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool utf8_is_invisible(uint32_t cp)
{
        if (cp < 0xa0)
                return false;
        /* Cf, as of Unicode 15.1 */
        if (cp == 0xad || (cp >= 0x600 && cp <= 0x605) || cp == 0x61c || cp == 0x6dd || cp == 0x70f ||
            cp == 0x890 || cp == 0x891 || cp == 0x8e2 || cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
            (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
            (cp >= 0x2066 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
            cp == 0x110bd || cp == 0x110cd || (cp >= 0x13430 && cp <= 0x1343f) ||
            (cp >= 0x1bca0 && cp <= 0x1bca3) || (cp >= 0x1d173 && cp <= 0x1d17a) || cp == 0xe0001 ||
            (cp >= 0xe0020 && cp <= 0xe007f))
                return true;
        /* a space that is not U+0020, line and paragraph separators, the
         * combining grapheme joiner and the Hangul fillers: blank too */
        return cp == 0xa0 || cp == 0x34f || cp == 0x115f || cp == 0x1160 || (cp >= 0x2000 && cp <= 0x200a) ||
               cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
               cp == 0x3164 || cp == 0xffa0;
}

size_t utf8_invisible(const char *s, size_t len, uint32_t *ret_cp)
{
        for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t n = utf8_char(s + i, len - i, &cp);

                if (n == 0) { /* (not valid UTF-8: skipped, that is text_ok's concern) */
                        i++;
                        continue;
                }
                if (utf8_is_invisible(cp)) {
                        if (ret_cp)
                                *ret_cp = cp;
                        return i;
                }
                i += n;
        }
        return len;
}

static bool ctrl_kept(uint32_t cp, unsigned flags)
{
        if (cp == 0)
                return false;
        return (flags & UTF8_KEEP_CTRL) || (cp == '\n' && (flags & UTF8_KEEP_NL)) ||
               (cp == '\t' && (flags & UTF8_KEEP_TAB));
}

size_t utf8_bad(const char *s, size_t len, unsigned flags)
{
        for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t n = utf8_char(s + i, len - i, &cp);
                if (n == 0 || (utf8_is_ctrl(cp) && !ctrl_kept(cp, flags)))
                        return i;
                i += n;
        }
        return len;
}

/* The length a lead byte announces (1 for anything that is not one). */
static size_t lead_len(unsigned char c)
{
        return c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 1;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
        if (len <= max)
                return len;
        size_t i = 0;
        while (i < max) {
                size_t n = utf8_char(s + i, len - i, NULL);
                /* An invalid lead byte still announces a length: s itself may
                 * end inside the character (a vsnprintf cut), so whatever
                 * could be part of one that crosses max is left out. */
                if (i + (n ? n : lead_len((unsigned char)s[i])) > max)
                        break;
                i += n ? n : 1;
        }
        return i;
}

size_t utf8_clean_len(const char *s, size_t len, unsigned flags)
{
        size_t o = 0;

        for (size_t i = 0; i < len;) {
                uint32_t cp = 0;
                size_t n = utf8_char(s + i, len - i, &cp);
                if (n == 0 || cp == 0) {
                        o += 3;
                        n = 1;
                } else if (utf8_is_ctrl(cp) && !ctrl_kept(cp, flags))
                        o += 4;
                else
                        o += n;
                i += n;
        }
        return o;
}

size_t utf8_clean(const char *s, size_t len, char *out, size_t outlen, unsigned flags)
{
        static const char hex[] = "0123456789abcdef";
        size_t o = 0;

        if (outlen == 0)
                return 0;
        for (size_t i = 0; i < len;) {
                uint32_t cp = 0;
                size_t n = utf8_char(s + i, len - i, &cp);
                char esc[4];
                const char *w;
                size_t wn;

                if (n == 0 || cp == 0) {
                        w = "\xef\xbf\xbd"; /* U+FFFD */
                        wn = 3;
                        n = 1;
                } else if (utf8_is_ctrl(cp) && !ctrl_kept(cp, flags)) {
                        esc[0] = '\\';
                        esc[1] = 'x';
                        esc[2] = hex[cp >> 4];
                        esc[3] = hex[cp & 0xf];
                        w = esc;
                        wn = 4;
                } else {
                        w = s + i;
                        wn = n;
                }
                if (o + wn >= outlen)
                        break;
                memcpy(out + o, w, wn);
                o += wn;
                i += n;
        }
        out[o] = '\0';
        return o;
}
