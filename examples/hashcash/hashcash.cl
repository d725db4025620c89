/* hashcash.cl: the hashcash workload's scan for OpenCL devices (see hashcash_payload.h).
 *
 * The runtime's argument convention (synth/workload.h): payload, the launch's nonces
 * [nonce_base, nonce_base + count), the results buffer (results[0] counts hits atomically,
 * results[1 + j] holds hit j while j < max_hits), the abort word and the launch's epoch.
 * LANES is set by the runtime: work-item i hashes nonces nonce_base + i * LANES + k. Plain
 * scalar code: a CPU device vectorizes over work-items by itself.
 */
#ifndef LANES
#define LANES 1
#endif

enum { HC_MID = 0, HC_TAIL = 8, HC_BLOCKS = 40, HC_WORD = 41, HC_SHIFT = 42, HC_MASK0 = 43,
       HC_MASK1 = 44 };

#define K synth_sha256_k /* the prelude's table (kernels/synth_prelude.cl) */

#define ROTR(x, n) rotate((x), (uint)(32 - (n)))

/* One compression; w is a 16-word ring that the unrolled loop keeps in registers. */
static void compress(uint *st, uint *w)
{
  uint a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
#pragma unroll
  for (int i = 0; i < 64; i++) {
    if (i >= 16) {
      uint x = w[(i - 15) & 15], y = w[(i - 2) & 15];
      w[i & 15] += (ROTR(x, 7) ^ ROTR(x, 18) ^ (x >> 3)) + w[(i - 7) & 15] +
                   (ROTR(y, 17) ^ ROTR(y, 19) ^ (y >> 10));
    }
    uint t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + bitselect(g, f, e) + K[i] + w[i & 15];
    uint t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + bitselect(a, b, c ^ a);
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  st[0] += a, st[1] += b, st[2] += c, st[3] += d, st[4] += e, st[5] += f, st[6] += g, st[7] += h;
}

/* Tail block `block` with the nonce's bytes in place. */
static void load_block(__constant const uint *p, uint block, uint nonce, uint *w)
{
  uint word = p[HC_WORD], shift = p[HC_SHIFT];
  uint hi = nonce >> shift, lo = shift ? nonce << (32 - shift) : 0;
#pragma unroll
  for (uint k = 0; k < 16; k++) {
    uint j = block * 16 + k;
    w[k] = p[HC_TAIL + j] | (j == word ? hi : 0) | (j == word + 1 ? lo : 0);
  }
}

static bool meets(__constant const uint *p, uint nonce)
{
  uint st[8], w[16];
#pragma unroll
  for (int i = 0; i < 8; i++)
    st[i] = p[HC_MID + i];
  load_block(p, 0, nonce, w);
  compress(st, w);
  if (p[HC_BLOCKS] == 2) {
    load_block(p, 1, nonce, w);
    compress(st, w);
  }
  return (st[0] & p[HC_MASK0]) == 0 && (st[1] & p[HC_MASK1]) == 0;
}

__kernel void hashcash_scan(__constant const uint *payload, const uint nonce_base,
                            const uint count, __global uint *results, const uint max_hits,
                            volatile __global const uint *abort_word, const uint epoch)
{
  SYNTH_LEAVE_IF_ABORTED(abort_word, epoch, results);
  uint first = (uint)get_global_id(0) * LANES;
  for (uint k = 0; k < LANES && first + k < count; k++) {
    uint nonce = nonce_base + first + k;
    if (meets(payload, nonce)) {
      synth_report_hit(results, max_hits, nonce);
    }
  }
}
