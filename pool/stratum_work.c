/* stratum_work.c: what a pool session says becomes a synth_job; a share becomes mining.submit. */
#include "stratum_work.h"

#include <stdio.h>
#include <string.h>

#include "synth/target.h"

int stratum_job_from_notify(const struct stratum_notify *notify,
                            const struct stratum_session *session, bool clean,
                            struct synth_job *job)
{
  memset(job, 0, sizeof *job);
  job->job_id = notify->job_id;
  job->version = notify->version;
  memcpy(job->prevhash, notify->prevhash, 32);
  job->ntime = notify->ntime;
  job->nbits = notify->nbits;
  if (synth_target_from_difficulty(session->difficulty, job->share_target) != 0)
    return -1;
  job->coinb1 = notify->coinb1;
  job->coinb1_len = notify->coinb1_len;
  job->coinb2 = notify->coinb2;
  job->coinb2_len = notify->coinb2_len;
  job->extranonce1 = session->extranonce1;
  job->extranonce1_len = session->extranonce1_len;
  job->extranonce2_size = session->extranonce2_size;
  job->merkle_branches = (const uint8_t(*)[32])notify->branches;
  job->merkle_count = notify->nbranches;
  job->clean = clean;
  /* Only the mask bits the job's version leaves 0: pools that OR the submitted bits into the
   * job's version (ckpool) and pools that replace the masked part (BIP 310) then read the same
   * header, as long as the submitted bits are the whole masked part (stratum_submit_line). */
  job->version_mask = session->version_mask & ~notify->version;
  return 0;
}

int stratum_json_string(char *buf, size_t size, const char *s)
{
  size_t k = 0;
  if (size < 3)
    return -1;
  buf[k++] = '"';
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[8];
    int n;
    if (c == '"' || c == '\\')
      n = snprintf(esc, sizeof esc, "\\%c", c);
    else if (c < 0x20 || c == 0x7f)
      n = snprintf(esc, sizeof esc, "\\u%04x", c);
    else
      n = snprintf(esc, sizeof esc, "%c", c);
    if (k + (size_t)n + 2 > size)
      return -1;
    memcpy(buf + k, esc, (size_t)n);
    k += (size_t)n;
  }
  buf[k++] = '"';
  buf[k] = 0;
  return (int)k;
}

int stratum_submit_line(char *buf, size_t size, int64_t id, const char *user, const char *job_id,
                        const struct synth_share *share, uint32_t mask)
{
  char quser[512], en2[2 * SYNTH_EXTRANONCE_MAX + 1];
  if (stratum_json_string(quser, sizeof quser, user) < 0)
    return -1;
  for (size_t i = 0; i < share->extranonce2_size; i++)
    snprintf(en2 + 2 * i, 3, "%02x", share->extranonce2[i]);
  en2[2 * share->extranonce2_size] = 0;
  /* ntime, nonce and version bits: big-endian hex of the numbers, as pools expect. */
  int n;
  if (mask)
    n = snprintf(buf, size,
                 "{\"id\":%lld,\"method\":\"mining.submit\",\"params\":[%s,\"%s\",\"%s\","
                 "\"%08x\",\"%08x\",\"%08x\"]}\n",
                 (long long)id, quser, job_id, en2, share->ntime, share->nonce,
                 share->version & mask);
  else
    n = snprintf(buf, size,
                 "{\"id\":%lld,\"method\":\"mining.submit\",\"params\":[%s,\"%s\",\"%s\","
                 "\"%08x\",\"%08x\"]}\n",
                 (long long)id, quser, job_id, en2, share->ntime, share->nonce);
  return n < 0 || (size_t)n >= size ? -1 : n;
}
