/* text_clean.h: text from elsewhere (an API, a pool) made safe to show on a terminal, and compared.
 */
#ifndef SYNTH_CLI_TEXT_CLEAN_H
#define SYNTH_CLI_TEXT_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Copies src into dst (size > 0; always NUL-terminated, whole characters only, cut where it
 * does not fit) so that a terminal shows it and obeys nothing in it: every C0 control (bytes
 * below 0x20, tab and newline too) and DEL become '?', so an escape sequence shows as "?[31m".
 * With utf8, valid UTF-8 is kept except the C1 controls (U+0080..U+009F), which become '?',
 * and each byte of an invalid sequence becomes '?'; without, every byte from 0x80 on becomes
 * '?' (a terminal in an 8-bit locale reads 0x80..0x9f as C1 controls). Returns the length
 * written. Thread-safe.
 */
size_t text_clean(char *dst, size_t size, const char *src, bool utf8);

/* The length of the longest prefix of s of at most max bytes that does not end inside a
 * UTF-8 sequence, for cutting text at a byte width. */
size_t text_prefix(const char *s, size_t max);

/* Whether a and b are the same text, NULL equal only to NULL. */
bool text_same(const char *a, const char *b);

#endif
