/* sha256d_workload.c: SHA-256d (Bitcoin proof of work) as a scheduler workload. */
#include "sha256d/sha256d_workload.h"

#include <stdio.h>

#include <string.h>

#include "base/logger.h"
#include "precompute/sha256.h"
#include "sha256d/mining_job.h"
#include "sha256d/sha256d_cl.h"
#include "sha256d/sha256d_comp.h"
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_payload.h"
#include "synth/error.h"
#include "synth/miner.h"
#include "synth/target.h"

struct why {
  char *text;
  size_t size;
};

_Static_assert(sizeof(struct synth__sha256d_payload) % 16 == 0, "payload must be vec4-sized");
_Static_assert(sizeof(struct synth__sha256d_payload) <= SYNTH_PAYLOAD_MAX, "payload too large");

static int prepare_roll(const void *job_data, size_t data_size, uint32_t roll, void *payload)
{
  const struct synth__mining_job *job = job_data;
  (void)data_size; /* the runtime's own: always a whole synth__mining_job */
  uint8_t header[80];
  synth__mining_job_header(job, roll, header);
  synth__sha256d_payload_init(payload, header, job->target);
  return 0;
}

static void verify(const void *payload, uint32_t nonce, struct synth_verdict *out)
{
  const struct synth__sha256d_payload *p = payload;
  uint8_t target[32];
  for (int i = 0; i < 8; i++)
    synth__store_le32(target + 4 * i, p->target[i]);
  synth__sha256d_payload_hash(p, nonce, out->hash, NULL);
  out->hash_size = 32;
  out->meets_target = synth_hash_meets_target(out->hash, target);
}

/* The genesis block's header: its nonce, and no other near it, meets its own target. */
static const uint8_t genesis_header[80] = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2, 0x7a, 0xc7, 0x2c, 0x3e,
    0x67, 0x76, 0x8f, 0x61, 0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32, 0x3a, 0x9f, 0xb8, 0xaa,
    0x4b, 0x1e, 0x5e, 0x4a, 0x29, 0xab, 0x5f, 0x49, 0xff, 0xff, 0x00, 0x1d, 0x1d, 0xac, 0x2b, 0x7c,
};
static const uint32_t genesis_nonce[] = {2083236893u};

static void known_answer(void *payload, struct synth_known_answer *ka)
{
  uint8_t target[32];
  synth_target_from_nbits(0x1d00ffff, target);
  synth__sha256d_payload_init(payload, genesis_header, target);
  ka->nonce_start = genesis_nonce[0] - 3000;
  ka->count = 6000;
  ka->expect = genesis_nonce;
  ka->n_expect = 1;
}

static const struct synth_opencl_kernel opencl_kernel = {
    .source = synth__sha256d_cl_source,
    .entry = "sha256d_scan",
    .options = NULL,
};

static const struct synth_vulkan_kernel vulkan_kernel = {
    .spirv = synth__sha256d_spirv,
    .spirv_size = sizeof synth__sha256d_spirv,
    .entry = "main",
};

/* Captures the mining job's first complaint, for adopt_data's why. */
static void capture(void *user, enum synth_log_level level, const char *message)
{
  struct why *w = user;
  (void)level;
  if (!w->text[0])
    snprintf(w->text, w->size, "%s", message);
}

/* SHA-256d work is a struct synth_job, validated and deep-copied as set_job does; its indexes
 * are the job's search space. */
static int adopt_data(const void *data, size_t size, void **job, size_t *job_size, uint64_t *first,
                      uint64_t *count, char *why, size_t why_size)
{
  if (size != sizeof(struct synth_job) || !data) {
    snprintf(why, why_size, "SHA-256d work takes a struct synth_job as its data");
    return SYNTH_EINVAL;
  }
  if (why_size)
    why[0] = 0;
  struct why w = {why, why_size};
  struct synth__logger log = {capture, &w, SYNTH_LOG_ERROR};
  struct synth__mining_job *mj;
  int rc = synth__mining_job_create(data, why_size ? &log : NULL, &mj);
  if (rc != 0)
    return rc;
  *job = mj;
  *job_size = sizeof *mj;
  *first = synth__mining_job_start(mj);
  *count = synth__mining_job_size(mj);
  return 0;
}

static void free_job(void *job)
{
  synth__mining_job_free(job);
}

const struct synth_workload synth__sha256d_workload = {
    .name = "sha256d",
    .payload_size = sizeof(struct synth__sha256d_payload),
    .prepare_roll = prepare_roll,
    .verify = verify,
    .cpu_cores = synth__sha256d_cpu_cores,
    .opencl = &opencl_kernel,
    .vulkan = &vulkan_kernel,
    .known_answer = known_answer,
    .adopt_data = adopt_data,
    .free_job = free_job,
};

const struct synth_workload *synth_sha256d_workload(void)
{
  return &synth__sha256d_workload;
}

bool synth_scan_should_stop(const struct synth_scan_ctl *ctl)
{
  return synth__scan_should_stop(ctl);
}

void synth_scan_report(struct synth_scan_ctl *ctl, uint32_t nonce)
{
  synth__scan_report(ctl, nonce);
}
