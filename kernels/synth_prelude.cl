/* synth_prelude.cl: what every OpenCL kernel of a synth workload shares. The OpenCL backend
 * builds each workload's source after this text (and sha256_k.h before it), so a kernel uses
 * these without including anything.
 *
 * The argument convention (synth/workload.h): (__constant const uint *payload, uint nonce_base,
 * uint count, __global uint *results, uint max_hits, volatile __global const uint *abort_word,
 * uint epoch); results[0] counts hits, results[1 + j] is hit j's nonce.
 */

/* SHA-256's round constants, for workloads that hash with it. */
__constant uint synth_sha256_k[64] = {SYNTH_SHA256_K};

/* Leaves the kernel at once when the job moved on since this launch was queued (the host
 * raised the abort word past the launch's epoch; wrap-safe), saying so in bit 31 of the hit
 * count. The first statement of a kernel. */
#define SYNTH_LEAVE_IF_ABORTED(abort_word, epoch, results)                                       \
  do {                                                                                           \
    if ((int)(*(abort_word) - (epoch)) > 0) {                                                    \
      if (get_local_id(0) == 0)                                                                  \
        atomic_or(&(results)[0], 0x80000000u);                                                   \
      return;                                                                                    \
    }                                                                                            \
  } while (0)

/* Reports one hit: counted even past max_hits, so the host sees the overflow. */
static inline void synth_report_hit(__global uint *results, uint max_hits, uint nonce)
{
  uint slot = atomic_inc(&results[0]);
  if (slot < max_hits)
    results[1 + slot] = nonce;
}
