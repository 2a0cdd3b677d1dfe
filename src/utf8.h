/* utf8: the one UTF-8 checker of svd and svctl. Text a service or a config
 * file supplies (STATUS=, probe output, log lines, descriptions, names and
 * paths echoed in errors) goes through here before it reaches the control
 * protocol, a log line or a terminal. Strict RFC 3629: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing past U+10FFFF, no truncated sequence.
 * Control characters are C0 (U+0000..U+001F), DEL (U+007F) and C1
 * (U+0080..U+009F, encoded as two bytes). Nothing here allocates or logs. */
#ifndef SVD_UTF8_H
#define SVD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* utf8_clean and utf8_bad flags. */
enum {
        UTF8_KEEP_CTRL = 1 << 0, /* keep control characters but NUL (JSON text: cJSON escapes them) */
        UTF8_KEEP_NL = 1 << 1,   /* keep '\n' (multi-line output) */
        UTF8_KEEP_TAB = 1 << 2,  /* keep '\t' */
};

/* The bytes of the one valid character at the start of s[0..len) (1..4), or 0
 * when they are not one (len 0 included). *ret_cp, if given, gets its code
 * point. */
size_t utf8_char(const char *s, size_t len, uint32_t *ret_cp);

/* Whether s[0..len) is valid UTF-8 (NUL bytes are valid characters here). */
bool utf8_valid(const char *s, size_t len);

/* Whether the code point is a control character (C0, DEL, C1). */
bool utf8_is_ctrl(uint32_t cp);

/* Whether the code point shows as nothing or as a plain space, or reorders
 * the text around it on a terminal: the format characters (Unicode category
 * Cf: a byte-order mark, zero-width space and joiners, soft hyphen, bidi
 * controls, tag characters), the spaces other than U+0020 (a no-break space,
 * U+2000..U+200A, U+3000), line and paragraph separators and the Hangul
 * fillers. Such a character pasted from a web page or a chat is not seen in
 * the text it makes wrong. */
bool utf8_is_invisible(uint32_t cp);

/* The offset of the first invisible character (utf8_is_invisible) in valid
 * UTF-8 s[0..len), len if there is none; *ret_cp, if given, gets it. */
size_t utf8_invisible(const char *s, size_t len, uint32_t *ret_cp);

/* The offset of the first invalid sequence, NUL or control character in
 * s[0..len) (the controls flags allows excepted), len if there is none. */
size_t utf8_bad(const char *s, size_t len, unsigned flags);

/* The longest prefix of s[0..len) of at most max bytes that does not end in
 * the middle of a character: where to cut. An invalid byte counts as one
 * character of its own. */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* Copies s[0..len) into out[0..outlen) (outlen >= 1) as valid UTF-8 without
 * NUL or control characters, NUL-terminated: each invalid byte (and NUL)
 * becomes U+FFFD, each control character flags does not keep becomes \xHH
 * (its code point: "\x1b", "\x9b"). When out is too small the copy stops
 * before the first character that does not fit whole. Returns the bytes
 * written (the NUL excluded). UTF8_CLEAN_MAX(len) is always room enough. */
size_t utf8_clean(const char *s, size_t len, char *out, size_t outlen, unsigned flags);
#define UTF8_CLEAN_MAX(len) (4 * (len) + 1)
/* The bytes utf8_clean would write for all of s[0..len) (the NUL
 * excluded): whether a bounded copy is whole. */
size_t utf8_clean_len(const char *s, size_t len, unsigned flags);

#endif
