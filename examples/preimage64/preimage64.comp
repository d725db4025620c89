/* preimage64.comp: the preimage64 scan for Vulkan devices: the OpenCL kernel's hash, in GLSL. */
#version 450
#extension GL_GOOGLE_include_directive : require
#include "synth_prelude.glsl" /* the interface but the payload, leave_if_aborted, report_hit */

/*
 * The interface every synth Vulkan kernel has (runtime/include/synth/workload.h): binding 0 the
 * roll's payload, binding 1 the hit count (bumped past max_hits too) and hit nonces, binding 2
 * the host's abort word; push constants nonce_base, count, max_hits, epoch; constant_id 0 the
 * workgroup size, 1 nonces per invocation, 2 a knob of the kernel's own. The dispatch may be
 * two-dimensional.
 *
 * GLSL has no 64-bit integers: every value is a pair of uints (hi, lo), as in preimage64.cl,
 * with umulExtended for the low words' whole product.
 */

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint NONCES = 1;
layout(constant_id = 2) const uint KNOB = 0; /* unused: this kernel has nothing to tune */

/* Payload (preimage64_workload.c), low word first: words[0] = seed, key; words[1] = target,
 * mask. */
layout(std140, set = 0, binding = 0) uniform Payload
{
  uvec4 words[2];
} payload;


/* x ^= x >> s, for 0 < s < 32. */
void xorshift(inout uint hi, inout uint lo, const uint s)
{
  lo ^= (lo >> s) | (hi << (32u - s));
  hi ^= hi >> s;
}

/* x *= c, mod 2^64. */
void mul64(inout uint hi, inout uint lo, const uint chi, const uint clo)
{
  uint carry, low;
  umulExtended(lo, clo, carry, low);
  hi = carry + lo * chi + hi * clo;
  lo = low;
}

/* splitmix64's finalizer. */
void mix64(inout uint hi, inout uint lo)
{
  xorshift(hi, lo, 30u);
  mul64(hi, lo, 0xbf58476du, 0x1ce4e5b9u);
  xorshift(hi, lo, 27u);
  mul64(hi, lo, 0x94d049bbu, 0x133111ebu);
  xorshift(hi, lo, 31u);
}

void main()
{
  /* The work moved on since this launch was queued: leave at once (wrap-safe comparison). */
  SYNTH_LEAVE_IF_ABORTED();
  uint invocation = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x +
                    gl_LocalInvocationID.x;
  const uvec4 seed_key = payload.words[0], target_mask = payload.words[1];
  for (uint k = 0u; k < NONCES; k++) {
    uint i = invocation * NONCES + k;
    if (i >= launch.count)
      return;
    uint nonce = launch.nonce_base + i;
    uint hi = seed_key.y, lo = seed_key.x ^ nonce;
    mix64(hi, lo);
    hi ^= seed_key.w;
    lo ^= seed_key.z;
    mix64(hi, lo);
    if ((hi & target_mask.w) == target_mask.y && (lo & target_mask.z) == target_mask.x) {
      synth_report_hit(nonce);
    }
  }
}
