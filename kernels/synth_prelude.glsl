/* synth_prelude.glsl: what every Vulkan compute shader of a synth workload shares: the
 * interface the Vulkan backend binds (synth/workload.h) but for the payload, whose size is the
 * workload's (set 0, binding 0, a uniform block of the shader's own), SHA-256's round constants,
 * leaving an aborted launch, and reporting a hit. Include it after
 * `#extension GL_GOOGLE_include_directive : require` with `#include "synth_prelude.glsl"`
 * (synth_embed_spirv passes its folder to glslangValidator). */
#include "sha256_k.h"

layout(std430, set = 0, binding = 1) buffer Results
{
  uint count;
  uint nonce[];
} results;

layout(std430, set = 0, binding = 2) coherent volatile readonly buffer Abort
{
  uint epoch;
} abort_word;

layout(push_constant) uniform Launch
{
  uint nonce_base;
  uint count;
  uint max_hits;
  uint epoch;
} launch;

const uint synth_sha256_k[64] = uint[](SYNTH_SHA256_K);

/* Leaves main() at once when the job moved on since this launch was queued (wrap-safe), saying
 * so in bit 31 of the hit count. The first statement of main(). */
#define SYNTH_LEAVE_IF_ABORTED()                                                                 \
  if (int(abort_word.epoch - launch.epoch) > 0) {                                                \
    if (gl_LocalInvocationIndex == 0u)                                                           \
      atomicOr(results.count, 0x80000000u);                                                      \
    return;                                                                                      \
  }

/* Reports one hit: counted even past max_hits, so the host sees the overflow. */
void synth_report_hit(uint nonce)
{
  uint slot = atomicAdd(results.count, 1u);
  if (slot < launch.max_hits)
    results.nonce[slot] = nonce;
}
