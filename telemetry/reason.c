/* reason.c: a short text one thread writes now and then and any thread reads whole. */
#include "telemetry/reason.h"

#include <sched.h>
#include <string.h>

#define WORDS (SYNTH_REASON_SIZE / 8)

void synth__reason_init(struct synth__reason *r)
{
  atomic_init(&r->stamp, 0);
  for (unsigned i = 0; i < WORDS; i++)
    atomic_init(&r->words[i], 0);
}

void synth__reason_set(struct synth__reason *r, const char *text)
{
  uint64_t w[WORDS] = {0};
  size_t n = strlen(text);
  memcpy(w, text, n < SYNTH_REASON_SIZE - 1 ? n : SYNTH_REASON_SIZE - 1); /* the rest is NUL */
  unsigned stamp = atomic_load_explicit(&r->stamp, memory_order_relaxed); /* its only writer */
  atomic_store_explicit(&r->stamp, stamp + 1, memory_order_relaxed);
  /* Release on each word: a reader that sees a new word also sees the odd stamp after it. */
  for (unsigned i = 0; i < WORDS; i++)
    atomic_store_explicit(&r->words[i], w[i], memory_order_release);
  atomic_store_explicit(&r->stamp, stamp + 2, memory_order_release);
}

void synth__reason_get(const struct synth__reason *r, char *out, size_t size)
{
  uint64_t w[WORDS];
  for (;;) {
    /* Acquire pairs with the writer's last store: the words it wrote before are seen. */
    unsigned before = atomic_load_explicit(&r->stamp, memory_order_acquire);
    if (before & 1) {
      sched_yield(); /* mid-write: a few stores away from done */
      continue;
    }
    for (unsigned i = 0; i < WORDS; i++)
      w[i] = atomic_load_explicit(&r->words[i], memory_order_acquire);
    /* Relaxed: the acquire loads above keep it from moving before them. */
    if (atomic_load_explicit(&r->stamp, memory_order_relaxed) == before)
      break;
  }
  size_t n = strnlen((const char *)w, SYNTH_REASON_SIZE - 1);
  if (n > size - 1)
    n = size - 1;
  memcpy(out, w, n);
  out[n] = '\0';
}
