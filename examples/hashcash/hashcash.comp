/* hashcash.comp: the hashcash workload's scan for Vulkan devices (see hashcash_payload.h).
 *
 * The runtime's interface (synth/workload.h): binding 0 the payload (uniform), binding 1 the
 * results {count; nonce[]} (count bumped atomically for every hit), binding 2 the abort word;
 * push constants nonce_base, count, max_hits, epoch; constant 0 the workgroup size, constant 1
 * nonces per invocation (constant 2, a tuning knob, this kernel does not use).
 */
#version 450

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint NONCES = 1;

layout(std140, set = 0, binding = 0) uniform Payload
{
  uvec4 words[12];
} payload;

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

const uint HC_MID = 0u, HC_TAIL = 8u, HC_BLOCKS = 40u, HC_WORD = 41u, HC_SHIFT = 42u,
           HC_MASK0 = 43u, HC_MASK1 = 44u;

uint P(uint i)
{
  return payload.words[i >> 2][i & 3u];
}

const uint K[64] = uint[](
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u);

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
  if (int(abort_word.epoch - launch.epoch) > 0) {
    if (gl_LocalInvocationIndex == 0u)
      atomicOr(results.count, 0x80000000u);
    return;
  }
  uint invocation = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x +
                    gl_LocalInvocationID.x;
  for (uint k = 0u; k < NONCES; k++) {
    uint i = invocation * NONCES + k;
    if (i >= launch.count)
      return;
    uint nonce = launch.nonce_base + i;
    if (meets(nonce)) {
      uint slot = atomicAdd(results.count, 1u);
      if (slot < launch.max_hits)
        results.nonce[slot] = nonce;
    }
  }
}
