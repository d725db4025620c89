/* mine.c: the miner's side of the runtime: SHA-256d mining jobs in (set_job, or work whose data
 * is a struct synth_job), shares out. The generic runtime (runtime.c) knows none of it. */
#include "runtime/mine.h"

#include <string.h>

#include "precompute/sha256.h"
#include "runtime/runtime_internal.h"
#include "scheduler/scheduler.h"
#include "sha256d/mining_job.h"
#include "sha256d/sha256d_payload.h"
#include "sha256d/sha256d_workload.h"
#include "synth/error.h"
#include "synth/target.h"

bool synth__mine_takes(const struct synth_workload *workload)
{
  return workload == &synth__sha256d_workload;
}

/* A verified hit becomes a share: the header and extranonce2 the pool needs. */
void synth__mine_share(synth_runtime *rt, struct synth__job *job, const void *payload,
                       uint32_t roll, uint32_t nonce, const struct synth_verdict *verdict,
                       unsigned device)
{
  if (!rt->share_fn)
    return;
  const struct synth__mining_job *mj = job->data;
  struct synth_share share = {
      .job_id = mj->job_id,
      .extranonce2_size = mj->fixed_root ? 0 : mj->extranonce2_size,
      .ntime = mj->ntime,
      .nonce = nonce,
      .version = synth__mining_job_version(mj, roll),
      .device = device,
  };
  share.version_bits = share.version & mj->version_mask;
  const struct synth__sha256d_payload *p = payload;
  synth__mining_job_extranonce2(mj, roll, share.extranonce2);
  memcpy(share.header, p->header, 76);
  synth__store_le32(share.header + 76, nonce);
  memcpy(share.hash, verdict->hash, 32);
  share.difficulty = synth_target_to_difficulty(share.hash);
  rt->share_fn(rt->share_user, &share);
}

int synth_miner_create(synth_runtime **out, const struct synth_runtime_config *cfg,
                       const struct synth_miner_config *miner)
{
  if (!out || !cfg)
    return SYNTH_EINVAL;
  if (cfg->workload && !synth__mine_takes(cfg->workload)) {
    const struct synth__logger log = {cfg->log_fn, cfg->log_user, cfg->log_level};
    synth__log_error(&log,
                     "synth_miner_create: workload %s is not SHA-256d; leave it NULL, or create "
                     "the runtime with synth_runtime_create()",
                     cfg->workload->name ? cfg->workload->name : "(unnamed)");
    return SYNTH_EINVAL;
  }
  struct synth_runtime_config mine = *cfg;
  mine.workload = &synth__sha256d_workload;
  int rc = synth_runtime_create(out, &mine);
  if (rc == 0 && miner) {
    (*out)->share_fn = miner->share_fn; /* before start: no device thread reads it yet */
    (*out)->share_user = miner->share_user;
  }
  return rc;
}

int synth_runtime_set_job(synth_runtime *rt, const struct synth_job *job)
{
  if (!rt || !job)
    return SYNTH_EINVAL;
  if (!synth__mine_takes(rt->workload)) {
    synth__log_error(&rt->log,
                     "this runtime hashes the %s workload: submit work with "
                     "synth_runtime_submit()",
                     rt->workload->name);
    return SYNTH_EINVAL;
  }
  struct synth__mining_job *mj;
  int rc = synth__mining_job_create(job, &rt->log, &mj);
  if (rc != 0)
    return rc;
  struct synth__job *sj;
  rc = synth__job_create(&sj, rt->workload, mj, synth__mining_job_free, synth__mining_job_start(mj),
                         synth__mining_job_size(mj));
  if (rc != 0) {
    synth__mining_job_free(mj);
    return rc;
  }
  sj->data_size = sizeof *mj;
  synth__work_list_clear(&rt->works); /* a mining job ends submitted work */
  rc = synth__sched_set_job(rt->sched, sj, job->clean != 0);
  if (rc != 0)
    synth__job_put(sj);
  return rc;
}

uint32_t synth_runtime_job_serial(synth_runtime *rt)
{
  return rt ? synth__sched_current_job_id(rt->sched) : 0;
}
