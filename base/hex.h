/* hex.h: hex digits to bytes, for the Stratum messages and the tests' vectors. */
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

#endif
