/* reason.h: a short text one thread writes now and then and any thread reads whole. */
#ifndef SYNTH_TELEMETRY_REASON_H
#define SYNTH_TELEMETRY_REASON_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SYNTH_REASON_SIZE 128 /* bytes, with the NUL: synth_device_stats.health_reason */

/*
 * A seqlock, so the writer (a device thread) never waits for a reader (stats):
 *
 * | who        | does                                       | order                            |
 * | ---------- | ------------------------------------------ | -------------------------------- |
 * | one writer | stamp odd, every word, stamp even          | release on the words and on the  |
 * |            |                                            | even stamp                       |
 * | any reader | stamp, every word, stamp again; again      | acquire on the first stamp and   |
 * |            | while the stamp was odd or has moved       | the words                        |
 *
 * The text is stored as atomic words, so a read racing a write is detected, never undefined
 * (and ThreadSanitizer can check it: no fences).
 */
struct synth__reason {
  atomic_uint stamp;
  atomic_uint_least64_t words[SYNTH_REASON_SIZE / 8];
};

void synth__reason_init(struct synth__reason *r);

/* Writer only: replaces the text (cut to SYNTH_REASON_SIZE - 1 bytes). */
void synth__reason_set(struct synth__reason *r, const char *text);

/* Copies the text, NUL-terminated, into out (size bytes, at least 1). Thread-safe. */
void synth__reason_get(const struct synth__reason *r, char *out, size_t size);

#endif
