/* hashcash_workload.c: the hashcash workload's descriptor: per-roll payload, CPU scan,
 * reference verify, known answer and the two device kernels. */
#include "hashcash_workload.h"

#include <string.h>

#include <synth/error.h>

#include "hashcash_cl.h"   /* hashcash.cl as text, generated at build time */
#include "hashcash_comp.h" /* hashcash.comp as SPIR-V words, generated at build time */
#include "hashcash_payload.h"
#include "hashcash_sha256.h"

_Static_assert(sizeof(struct hashcash_payload) % 16 == 0, "payload must be vec4-sized");
_Static_assert(sizeof(struct hashcash_payload) <= SYNTH_PAYLOAD_MAX, "payload too large");

bool hashcash_job_init(struct hashcash_job *job, const char *data, unsigned bits)
{
  size_t len = strlen(data);
  if (len > HASHCASH_DATA_MAX || bits > HASHCASH_BITS_MAX)
    return false;
  memset(job, 0, sizeof *job);
  job->bits = bits;
  job->len = (uint32_t)len;
  memcpy(job->data, data, len);
  return true;
}

static uint32_t top_bits(unsigned n)
{
  return n == 0 ? 0 : n >= 32 ? 0xffffffffu : 0xffffffffu << (32 - n);
}

static int prepare_roll(const void *job_data, size_t data_size, uint32_t roll, void *out)
{
  const struct hashcash_job *job = job_data;
  if (data_size != sizeof *job || job->len > HASHCASH_DATA_MAX || job->bits > HASHCASH_BITS_MAX)
    return SYNTH_EINVAL; /* submit returns it; for a later roll the work ends with it */
  struct hashcash_payload *p = out;
  memset(p, 0, sizeof *p);
  /* The padded message, nonce bytes zero. */
  uint8_t msg[HASHCASH_DATA_MAX + 8 + 9 + 63] = {0};
  size_t len = job->len + 8, padded = (len + 9 + 63) / 64 * 64;
  memcpy(msg, job->data, job->len);
  for (int i = 0; i < 4; i++)
    msg[job->len + i] = (uint8_t)(roll >> (24 - 8 * i));
  msg[len] = 0x80;
  for (int i = 0; i < 8; i++)
    msg[padded - 1 - i] = (uint8_t)((uint64_t)len * 8 >> (8 * i));
  size_t nonce_at = job->len + 4, first = nonce_at / 64;
  uint32_t state[8], w[16];
  memcpy(state, hashcash_sha256_iv, sizeof state);
  for (size_t b = 0; b < first; b++) {
    hashcash_sha256_words(msg + 64 * b, w);
    hashcash_sha256_compress(state, w);
  }
  memcpy(p->w + HC_MID, state, sizeof state);
  p->w[HC_BLOCKS] = (uint32_t)(padded / 64 - first);
  for (uint32_t b = 0; b < p->w[HC_BLOCKS]; b++)
    hashcash_sha256_words(msg + 64 * (first + b), p->w + HC_TAIL + 16 * b);
  p->w[HC_WORD] = (uint32_t)(nonce_at % 64 / 4);
  p->w[HC_SHIFT] = (uint32_t)(nonce_at % 4 * 8);
  p->w[HC_MASK0] = top_bits(job->bits);
  p->w[HC_MASK1] = job->bits > 32 ? top_bits(job->bits - 32) : 0;
  return 0;
}

/* SHA-256 state after the tail with this nonce in it: the scan's inner loop. */
static void hash_nonce(const struct hashcash_payload *p, uint32_t nonce, uint32_t state[8])
{
  uint32_t tail[32], shift = p->w[HC_SHIFT], word = p->w[HC_WORD];
  memcpy(tail, p->w + HC_TAIL, sizeof tail);
  tail[word] |= nonce >> shift;
  if (shift)
    tail[word + 1] |= nonce << (32 - shift);
  memcpy(state, p->w + HC_MID, sizeof(uint32_t) * 8);
  for (uint32_t b = 0; b < p->w[HC_BLOCKS]; b++)
    hashcash_sha256_compress(state, tail + 16 * b);
}

static bool hit(const struct hashcash_payload *p, const uint32_t state[8])
{
  return (state[0] & p->w[HC_MASK0]) == 0 && (state[1] & p->w[HC_MASK1]) == 0;
}

static void verify(const void *payload, uint32_t nonce, struct synth_verdict *out)
{
  uint32_t state[8];
  hash_nonce(payload, nonce, state);
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++)
      out->hash[4 * i + j] = (uint8_t)(state[i] >> (24 - 8 * j));
  out->hash_size = 32;
  out->meets_target = hit(payload, state);
}

static uint32_t scan(const void *payload, uint32_t nonce_start, uint32_t count,
                     struct synth_scan_ctl *ctl)
{
  const struct hashcash_payload *p = payload;
  uint32_t done = 0;
  while (done < count) {
    if (synth_scan_should_stop(ctl))
      break; /* a new job or a stop: what was hashed so far counts */
    uint32_t n = count - done < SYNTH_SCAN_POLL_NONCES ? count - done : SYNTH_SCAN_POLL_NONCES;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t state[8], nonce = nonce_start + done + i;
      hash_nonce(p, nonce, state);
      if (hit(p, state))
        synth_scan_report(ctl, nonce);
    }
    done += n;
  }
  return done;
}

void hashcash_hash(const struct hashcash_job *job, uint64_t index, uint8_t digest[32])
{
  uint8_t msg[HASHCASH_DATA_MAX + 8];
  memcpy(msg, job->data, job->len);
  for (int i = 0; i < 8; i++)
    msg[job->len + i] = (uint8_t)(index >> (56 - 8 * i));
  hashcash_sha256(msg, job->len + 8, digest);
}

bool hashcash_meets(const struct hashcash_job *job, const uint8_t digest[32])
{
  unsigned bits = job->bits;
  for (unsigned i = 0; i < 32 && bits; i++) {
    unsigned take = bits < 8 ? bits : 8;
    if (digest[i] >> (8 - take))
      return false;
    bits -= take;
  }
  return true;
}

/* "synth known answer" with 16 zero bits, roll 0: the hits below 2^18, found by the reference
 * (hashcash_hash) and fixed here so that every device must reproduce them when it opens. */
static const uint32_t known_hits[] = {28156, 90536};

static void known_answer(void *payload, struct synth_known_answer *ka)
{
  struct hashcash_job job;
  hashcash_job_init(&job, "synth known answer", 16);
  prepare_roll(&job, sizeof job, 0, payload);
  ka->nonce_start = 0;
  ka->count = 1u << 18;
  ka->expect = known_hits;
  ka->n_expect = sizeof known_hits / sizeof known_hits[0];
}

static const struct synth_cpu_core cores[] = {{"portable", scan, NULL}, {NULL, NULL, NULL}};
static const struct synth_opencl_kernel opencl = {hashcash_cl, "hashcash_scan", NULL};
static const struct synth_vulkan_kernel vulkan = {hashcash_spirv, sizeof hashcash_spirv, "main"};

static const struct synth_workload workload = {
    .name = "hashcash",
    .payload_size = sizeof(struct hashcash_payload),
    .prepare_roll = prepare_roll,
    .verify = verify,
    .cpu_cores = cores,
    .opencl = &opencl,
    .vulkan = &vulkan,
    .known_answer = known_answer,
};

const struct synth_workload *hashcash_workload(void)
{
  return &workload;
}
