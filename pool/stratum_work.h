/* stratum_work.h: what a pool session says becomes a synth_job; a share becomes mining.submit. */
#ifndef SYNTH_RUNTIME_STRATUM_WORK_H
#define SYNTH_RUNTIME_STRATUM_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stratum_msg.h"
#include "synth/job.h"

/* The session parameters a job is cut with. */
struct stratum_session {
  uint8_t extranonce1[SYNTH_EXTRANONCE_MAX];
  size_t extranonce1_len;
  size_t extranonce2_size;
  double difficulty;     /* the latest mining.set_difficulty (pools' default: 1) */
  uint32_t version_mask; /* negotiated by mining.configure, changed by set_version_mask */
};

/*
 * Fills job from a notify cut with session; job points into notify (coinbase, branches) and
 * session (extranonce1), which must outlive its use. clean: the notify's clean_jobs, or forced
 * when the session changed under it (a new extranonce1 makes old shares invalid). Returns 0, or
 * -1 when the difficulty gives no target.
 */
int stratum_job_from_notify(const struct stratum_notify *notify,
                            const struct stratum_session *session, bool clean,
                            struct synth_job *job);

/*
 * The mining.submit request for share of the pool's job job_id, as one line with its newline:
 * params [user, job_id, extranonce2 hex, ntime hex, nonce hex], plus the header version's bits
 * under mask (the session's negotiated mask; 0: not rolling) as hex: the whole masked part,
 * the job's own bits there included, so that OR and replace readings agree. Returns the length
 * written, or -1 when it does not fit.
 */
int stratum_submit_line(char *buf, size_t size, int64_t id, const char *user, const char *job_id,
                        const struct synth_share *share, uint32_t mask);

/* A JSON string literal of s, quotes included, with ", \\ and control characters escaped.
 * Returns the length written, or -1 when it does not fit. */
int stratum_json_string(char *buf, size_t size, const char *s);

#endif
