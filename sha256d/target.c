/* target.c: expands nbits, converts between pool difficulty and targets, compares hashes. */
#include <math.h>
#include <string.h>

#include "synth/error.h"
#include "synth/target.h"

/* Sets bit range of a little-endian 256-bit number from a 64-bit value shifted left by
 * shift bits (shift may be negative); bits that fall off either end are dropped. */
static void put_shifted(uint8_t target[32], uint64_t value, int shift)
{
  for (int bit = 0; bit < 64; bit++) {
    if (!(value >> bit & 1))
      continue;
    int pos = bit + shift;
    if (pos >= 0 && pos < 256)
      target[pos / 8] |= (uint8_t)(1u << (pos % 8));
  }
}

int synth_target_from_nbits(uint32_t nbits, uint8_t target[32])
{
  memset(target, 0, 32);
  uint32_t mantissa = nbits & 0x007fffff;
  int exponent = (int)(nbits >> 24);
  if (mantissa == 0)
    return 0;
  if (nbits & 0x00800000)
    return SYNTH_EINVAL; /* sign bit: a negative target */
  /* target = mantissa * 256^(exponent - 3); it must fit in 256 bits. */
  int shift = 8 * (exponent - 3);
  int top_bit = 31 - __builtin_clz(mantissa);
  if (top_bit + shift >= 256)
    return SYNTH_EINVAL;
  put_shifted(target, mantissa, shift);
  return 0;
}

int synth_target_from_difficulty(double difficulty, uint8_t target[32])
{
  memset(target, 0, 32);
  if (!isfinite(difficulty) || difficulty <= 0)
    return SYNTH_EINVAL;
  /* target = 0xffff * 2^208 / difficulty = f * 2^(e + 208) with f in [0.5, 1). */
  int e;
  double f = frexp(65535.0 / difficulty, &e);
  uint64_t q = (uint64_t)ldexp(f, 64); /* exact: f has 53 significant bits */
  int shift = e + 208 - 64;
  if (shift + 64 > 256) {
    memset(target, 0xff, 32);
    return 0;
  }
  put_shifted(target, q, shift);
  return 0;
}

/* A 256-bit little-endian number as a double (rounded). */
static double as_double(const uint8_t v[32])
{
  double x = 0;
  for (int i = 31; i >= 0; i--)
    x = x * 256.0 + v[i];
  return x;
}

double synth_target_to_difficulty(const uint8_t target[32])
{
  double t = as_double(target);
  if (t == 0)
    return 0;
  return ldexp(65535.0, 208) / t;
}

int synth_hash_meets_target(const uint8_t hash[32], const uint8_t target[32])
{
  for (int i = 31; i >= 0; i--) {
    if (hash[i] != target[i])
      return hash[i] < target[i];
  }
  return 1;
}
