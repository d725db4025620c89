/* preimage64_workload.c: the preimage64 workload: payload, reference, CPU scan and kernels. */
#include "preimage64_workload.h"

#include <string.h>

#include <synth/error.h>

#include "preimage64_cl.h"   /* generated from preimage64.cl: preimage64_cl_source */
#include "preimage64_comp.h" /* generated from preimage64.comp: preimage64_spirv */

/* One roll's payload, as the kernels read it: 32-bit words, each 64-bit value low word first,
 * so the layout does not depend on the host's byte order. The roll only enters through seed,
 * which prepare_roll computes once, so a nonce costs two rounds, not three. */
struct preimage64_payload {
  uint32_t seed[2]; /* mix64(key + roll * GAMMA) */
  uint32_t key[2];
  uint32_t target[2]; /* masked */
  uint32_t mask[2];
};
_Static_assert(sizeof(struct preimage64_payload) % 16 == 0, "payload must be uvec4-sized");

#define GAMMA 0x9e3779b97f4a7c15ull

/* splitmix64's finalizer: a bijection, so within a roll no two nonces share a hash. */
static uint64_t mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t seed_of(uint64_t key, uint32_t roll)
{
  return mix64(key + roll * GAMMA);
}

/* The two rounds every nonce costs. */
static uint64_t rounds(uint64_t seed, uint64_t key, uint32_t nonce)
{
  return mix64(mix64(seed ^ nonce) ^ key);
}

uint64_t preimage64_hash(uint64_t key, uint64_t index)
{
  return rounds(seed_of(key, (uint32_t)(index >> 32)), key, (uint32_t)index);
}

uint64_t preimage64_mask(unsigned bits)
{
  return bits == 0 ? 0 : bits >= 64 ? UINT64_MAX : ~(UINT64_MAX >> bits);
}

uint64_t preimage64_verdict_hash(const struct synth_verdict *verdict)
{
  uint64_t h = 0;
  for (int i = 7; i >= 0; i--)
    h = h << 8 | verdict->hash[i];
  return h;
}

static void put64(uint32_t w[2], uint64_t v)
{
  w[0] = (uint32_t)v;
  w[1] = (uint32_t)(v >> 32);
}

static uint64_t get64(const uint32_t w[2])
{
  return (uint64_t)w[1] << 32 | w[0];
}

static int prepare_roll(const void *job_data, size_t data_size, uint32_t roll, void *payload)
{
  const struct preimage64_job *job = job_data;
  if (data_size != sizeof *job)
    return SYNTH_EINVAL;
  struct preimage64_payload *p = payload;
  put64(p->seed, seed_of(job->key, roll));
  put64(p->key, job->key);
  put64(p->target, job->target & job->mask);
  put64(p->mask, job->mask);
  return 0;
}

static void verify(const void *payload, uint32_t nonce, struct synth_verdict *out)
{
  const struct preimage64_payload *p = payload;
  uint64_t h = rounds(get64(p->seed), get64(p->key), nonce);
  memset(out->hash, 0, sizeof out->hash);
  for (int i = 0; i < 8; i++)
    out->hash[i] = (uint8_t)(h >> 8 * i);
  out->hash_size = 8;
  out->meets_target = (h & get64(p->mask)) == get64(p->target);
}

/* The portable scan: a look at the stop flag every SYNTH_SCAN_POLL_NONCES nonces. */
static uint32_t scan(const void *payload, uint32_t start, uint32_t count,
                     struct synth_scan_ctl *ctl)
{
  const struct preimage64_payload *p = payload;
  const uint64_t seed = get64(p->seed), key = get64(p->key);
  const uint64_t target = get64(p->target), mask = get64(p->mask);
  uint32_t done = 0;
  while (done < count) {
    uint32_t n = count - done < SYNTH_SCAN_POLL_NONCES ? count - done : SYNTH_SCAN_POLL_NONCES;
    for (uint32_t k = 0; k < n; k++) {
      uint32_t nonce = start + done + k;
      if ((rounds(seed, key, nonce) & mask) == target)
        synth_scan_report(ctl, nonce);
    }
    done += n;
    if (synth_scan_should_stop(ctl))
      break;
  }
  return done;
}

/* The self-test every device runs when it opens: the hash of a planted nonce near the end of a
 * roll, its top 48 bits as the target (so both words' masking counts), and a range that is no
 * multiple of any vector width. Exactly one hit: nonce -> hash is a bijection within a roll, and
 * no other nonce of the range matches those 48 bits. The target and the hit were found by an
 * independent reference (a few lines of Python, whose splitmix64 gives 0xe220a8397b1dcdaf as
 * the first output for seed 0); the example's --check confirms them with the C one. */
#define KA_KEY 0x6a09e667f3bcc908ull
#define KA_ROLL 7u
#define KA_TARGET 0x2528c5a200b50000ull /* hash of nonce 0xfffff9c3: 0x2528c5a200b59b68 */
#define KA_MASK 0xffffffffffff0000ull
static const uint32_t ka_hits[] = {0xfffff9c3u};

static void known_answer(void *payload, struct synth_known_answer *ka)
{
  const struct preimage64_job job = {.key = KA_KEY, .target = KA_TARGET, .mask = KA_MASK};
  prepare_roll(&job, sizeof job, KA_ROLL, payload);
  ka->nonce_start = 0xffffe000u;
  ka->count = 0x2000u - 3; /* ends 3 nonces short of the roll's end */
  ka->expect = ka_hits;
  ka->n_expect = sizeof ka_hits / sizeof ka_hits[0];
}

static const struct synth_cpu_core cores[] = {{"portable", scan, NULL}, {NULL, NULL, NULL}};

static const struct synth_opencl_kernel opencl_kernel = {
    .source = preimage64_cl_source,
    .entry = "preimage64_scan",
    .options = NULL,
};

static const struct synth_vulkan_kernel vulkan_kernel = {
    .spirv = preimage64_spirv,
    .spirv_size = sizeof preimage64_spirv,
    .entry = "main",
};

static const struct synth_workload workload = {
    .name = "preimage64",
    .payload_size = sizeof(struct preimage64_payload),
    .prepare_roll = prepare_roll,
    .verify = verify,
    .cpu_cores = cores,
    .opencl = &opencl_kernel,
    .vulkan = &vulkan_kernel,
    .known_answer = known_answer,
};

const struct synth_workload *preimage64_workload(void)
{
  return &workload;
}
