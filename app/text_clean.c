/* text_clean.c: text from elsewhere (an API, a pool) made safe to show on a terminal. */
#include "text_clean.h"

#include <stdint.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (its first byte >= 0x80) and its code point,
 * or 0 when it is not one: a stray continuation byte, a cut or overlong sequence, a
 * surrogate, or beyond U+10FFFF. */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
  size_t len;
  uint32_t min;
  if (s[0] >= 0xc2 && s[0] <= 0xdf) {
    len = 2, min = 0x80, *cp = s[0] & 0x1fu;
  } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
    len = 3, min = 0x800, *cp = s[0] & 0x0fu;
  } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
    len = 4, min = 0x10000, *cp = s[0] & 0x07u;
  } else {
    return 0; /* 0x80..0xc1 (continuation, overlong 2-byte lead), 0xf5..0xff */
  }
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) /* the NUL at the end stops here too */
      return 0;
    *cp = *cp << 6 | (s[i] & 0x3fu);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
    return 0;
  return len;
}

size_t text_clean(char *dst, size_t size, const char *src, bool utf8)
{
  const unsigned char *s = (const unsigned char *)src;
  size_t k = 0;
  while (*s) {
    uint32_t cp = 0;
    size_t len = *s < 0x80 || !utf8 ? 1 : utf8_char(s, &cp);
    bool keep = *s < 0x80 ? *s >= 0x20 && *s != 0x7f : utf8 && len > 0 && cp > 0x9f;
    size_t out = keep ? len : 1;
    if (k + out >= size)
      break;
    if (keep)
      memcpy(dst + k, s, len);
    else
      dst[k] = '?';
    k += out;
    s += len ? len : 1;
  }
  dst[k] = '\0';
  return k;
}

size_t text_prefix(const char *s, size_t max)
{
  size_t len = 0;
  while (len < max && s[len])
    len++;
  if (len < max)
    return len;
  /* The cut falls before s[max]: a continuation byte there splits a character, so cut before
   * its lead byte instead (at most 3 back; more is not UTF-8, and any cut is as good). */
  size_t cut = max;
  for (int i = 0; i < 3 && cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80; i++)
    cut--;
  return ((unsigned char)s[cut] & 0xc0) == 0x80 ? max : cut;
}

bool text_same(const char *a, const char *b)
{
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}
