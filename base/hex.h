/* hex.h: hex digits to bytes and back, for the Stratum and node messages and the tests. */
#ifndef SYNTH_BASE_HEX_H
#define SYNTH_BASE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit @c (either case), or -1. */
static inline int synth__hex_digit(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The @n bytes spelled by the 2 * @n hex digits at @hex into @out. Returns 0, or -1 at the first
 * character that is not a hex digit (a NUL included: @hex is that long). */
static inline int synth__unhex(const char *hex, uint8_t *out, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    int hi = synth__hex_digit(hex[2 * i]);
    if (hi < 0)
      return -1;
    int lo = synth__hex_digit(hex[2 * i + 1]);
    if (lo < 0)
      return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

/* The @n bytes at @b as 2 * @n lowercase hex digits and a NUL at @out. */
static inline void synth__hex_encode(const uint8_t *b, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = '\0';
}

#endif
