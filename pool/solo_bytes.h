/* solo_bytes.h: a bounded byte writer and Bitcoin's CompactSize, for the solo-mining builders. */
#ifndef SYNTH_POOL_SOLO_BYTES_H
#define SYNTH_POOL_SOLO_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Writes into p[0..cap); a write that does not fit writes nothing and sets over, so a builder
 * checks once at the end instead of after every field. With p NULL it only counts. */
struct synth__solo_w {
  uint8_t *p;
  size_t cap, len;
  bool over;
};

static inline void synth__solo_put(struct synth__solo_w *w, const void *src, size_t n)
{
  if (w->over || n > SIZE_MAX - w->len || (w->p && w->len + n > w->cap)) {
    w->over = true;
    return;
  }
  if (w->p && n)
    memcpy(w->p + w->len, src, n);
  w->len += n;
}

static inline void synth__solo_put_le(struct synth__solo_w *w, uint64_t v, size_t n)
{
  uint8_t b[8];
  for (size_t i = 0; i < n && i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  synth__solo_put(w, b, n < 8 ? n : 8);
}

/* CompactSize: < 0xfd one byte; else 0xfd + 2, 0xfe + 4 or 0xff + 8 bytes, little-endian.
 * Returns how many bytes @v takes (1, 3, 5 or 9) and writes them to @out. */
static inline size_t synth__solo_compact_size(uint64_t v, uint8_t out[9])
{
  size_t n = v < 0xfd ? 0 : v <= 0xffff ? 2 : v <= 0xffffffffu ? 4 : 8;
  if (n == 0) {
    out[0] = (uint8_t)v;
    return 1;
  }
  out[0] = n == 2 ? 0xfd : n == 4 ? 0xfe : 0xff;
  for (size_t i = 0; i < n; i++)
    out[1 + i] = (uint8_t)(v >> (8 * i));
  return n + 1;
}

static inline void synth__solo_put_compact(struct synth__solo_w *w, uint64_t v)
{
  uint8_t b[9];
  synth__solo_put(w, b, synth__solo_compact_size(v, b));
}

#endif
