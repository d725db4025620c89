/* hashcash.comp: the hashcash workload's scan for Vulkan devices (see hashcash_payload.h).
 *
 * The runtime's interface (synth/workload.h): binding 0 the payload (uniform), binding 1 the
 * results {count; nonce[]} (count bumped atomically for every hit), binding 2 the abort word;
 * push constants nonce_base, count, max_hits, epoch; constant 0 the workgroup size, constant 1
 * nonces per invocation (constant 2, a tuning knob, this kernel does not use).
 */
#version 450
#extension GL_GOOGLE_include_directive : require
#include "synth_prelude.glsl" /* the interface but the payload, leave_if_aborted, report_hit */

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint NONCES = 1;

layout(std140, set = 0, binding = 0) uniform Payload
{
  uvec4 words[12];
} payload;


const uint HC_MID = 0u, HC_TAIL = 8u, HC_BLOCKS = 40u, HC_WORD = 41u, HC_SHIFT = 42u,
           HC_MASK0 = 43u, HC_MASK1 = 44u;

uint P(uint i)
{
  return payload.words[i >> 2][i & 3u];
}

#define K synth_sha256_k /* the prelude's table */

uint rotr(uint x, uint n)
{
  return (x >> n) | (x << (32u - n));
}

void compress(inout uint st[8], inout uint w[16])
{
  uint a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
  for (uint i = 0u; i < 64u; i++) {
    if (i >= 16u) {
      uint x = w[(i - 15u) & 15u], y = w[(i - 2u) & 15u];
      w[i & 15u] += (rotr(x, 7u) ^ rotr(x, 18u) ^ (x >> 3u)) + w[(i - 7u) & 15u] +
                    (rotr(y, 17u) ^ rotr(y, 19u) ^ (y >> 10u));
    }
    uint t1 = h + (rotr(e, 6u) ^ rotr(e, 11u) ^ rotr(e, 25u)) + ((e & f) ^ (~e & g)) + K[i] +
              w[i & 15u];
    uint t2 = (rotr(a, 2u) ^ rotr(a, 13u) ^ rotr(a, 22u)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  st[0] += a;
  st[1] += b;
  st[2] += c;
  st[3] += d;
  st[4] += e;
  st[5] += f;
  st[6] += g;
  st[7] += h;
}

/* Tail block `block` with the nonce's bytes in place. */
void load_block(uint block, uint nonce, out uint w[16])
{
  uint word = P(HC_WORD), shift = P(HC_SHIFT);
  uint hi = nonce >> shift, lo = shift != 0u ? nonce << (32u - shift) : 0u;
  for (uint k = 0u; k < 16u; k++) {
    uint j = block * 16u + k;
    w[k] = P(HC_TAIL + j) | (j == word ? hi : 0u) | (j == word + 1u ? lo : 0u);
  }
}

bool meets(uint nonce)
{
  uint st[8], w[16];
  for (uint i = 0u; i < 8u; i++)
    st[i] = P(HC_MID + i);
  load_block(0u, nonce, w);
  compress(st, w);
  if (P(HC_BLOCKS) == 2u) {
    load_block(1u, nonce, w);
    compress(st, w);
  }
  return (st[0] & P(HC_MASK0)) == 0u && (st[1] & P(HC_MASK1)) == 0u;
}

void main()
{
  /* The job moved on since this launch was queued: hash nothing, and say so. */
  SYNTH_LEAVE_IF_ABORTED();
  uint invocation = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x +
                    gl_LocalInvocationID.x;
  for (uint k = 0u; k < NONCES; k++) {
    uint i = invocation * NONCES + k;
    if (i >= launch.count)
      return;
    uint nonce = launch.nonce_base + i;
    if (meets(nonce)) {
      synth_report_hit(nonce);
    }
  }
}
