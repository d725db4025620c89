/* fixtures.c: real Bitcoin block headers and helpers to build reference data with OpenSSL. */
#include "support/fixtures.h"

#include <openssl/sha.h>
#include <string.h>

#include "precompute/sha256.h"
#include "support/harness.h"

/* Headers as serialized on the wire; each meets the target of its own nbits. Versions cover
 * v1, v2, BIP9 (0x20000000) and version-rolling bits (0x2a960000, 0x20800000). */
const struct synth_test_block synth_test_blocks[] = {
    {"genesis",
     "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72"
     "c"
     "3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
     "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"},
    {"block 1",
     "010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe6"
     "8"
     "0e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299",
     "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"},
    {"block 100000",
     "0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a9252aacd5c0b2940"
     "9"
     "96ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710",
     "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506"},
    {"block 125552",
     "0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d750423d"
     "b"
     "8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695",
     "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d"},
    {"version 2 block of November 2014",
     "02000000b6ff0b1b1680a2862a30ca44d346d9e8910d334beb48ca0c00000000000000009d10aa52ee949386ca938"
     "5"
     "695f04ede270dda20810decd12bc9b048aaab3147124d95a5430c31b18fe9f0864",
     "000000000000000009a11b3972c8e532fe964de937c9e0096b43814e67af3728"},
    {"block 491133",
     "00000020790dfd29a6eab5667c8bb42511b3c370d19b03fe9070c1000000000000000000ed32efbfafeb50a29fa29"
     "f"
     "7838cb3019af23d5623d6e310bce43d50b8b9623776e86ec5930eb001884adf6b3",
     "000000000000000000185aaf82c613176413c407c061ba254f7ef5713d82078d"},
    {"block 794143",
     "000080200e102b98a160f4416c8ff0198db9b177523525c9de8a000000000000000000003b9b941003024e1afa901"
     "9"
     "9732fdb1366a122ab0a5cacd3f7bcb8cb8815a811b560e8864697e051767c0c9fd",
     "0000000000000000000293bf6e86820d867cc4ca13cd98326af85bb3bebab9ac"},
    {"block 839900",
     "0060962aa39b4310863947efd282b30ff755d3ab247c76ee7e5d010000000000000000004c4577aff36cdfdb0613e"
     "e"
     "3dc73c46e349da802849ec4f4995f9de8df5838008df1b226619420317178560d2",
     "000000000000000000023dfafae2b6e6b5ecf9d1365fafa075dec49625721f37"},
};

const size_t synth_test_block_count = sizeof synth_test_blocks / sizeof synth_test_blocks[0];

void synth_test_block_decode(const struct synth_test_block *b, uint8_t header[80],
                             uint8_t digest[32])
{
  uint8_t shown[32];
  synth_test_unhex(b->header_hex, header, 80);
  synth_test_unhex(b->hash_hex, shown, 32);
  for (int i = 0; i < 32; i++)
    digest[i] = shown[31 - i];
}

void synth_test_ref_sha256d(const void *data, size_t len, uint8_t out[32])
{
  uint8_t first[32];
  SHA256(data, len, first);
  SHA256(first, sizeof first, out);
}

int synth_test_ref_meets(const uint8_t hash[32], const uint8_t target[32])
{
  for (int i = 31; i >= 0; i--) {
    if (hash[i] != target[i])
      return hash[i] < target[i];
  }
  return 1;
}

void synth_test_easy_target(uint32_t top_word, uint8_t target[32])
{
  memset(target, 0xff, 32);
  target[28] = (uint8_t)top_word;
  target[29] = (uint8_t)(top_word >> 8);
  target[30] = (uint8_t)(top_word >> 16);
  target[31] = (uint8_t)(top_word >> 24);
}

void synth_test_target_minus_one(uint8_t target[32])
{
  int byte = 0;
  while (byte < 31 && target[byte] == 0)
    byte++;
  target[byte]--;
  for (int i = 0; i < byte; i++)
    target[i] = 0xff;
}

uint32_t synth_test_plant(uint8_t header[80], uint8_t target[32])
{
  synth_test_fill(header, 80);
  uint32_t nonce = (uint32_t)synth_test_rand();
  synth__store_le32(header + 76, nonce);
  synth_test_ref_sha256d(header, 80, target);
  return nonce;
}

uint32_t synth_test_ref_hits(const uint8_t header_in[80], const uint8_t target[32], uint32_t start,
                             uint32_t count, uint32_t *hits, uint32_t max)
{
  uint8_t header[80], hash[32];
  memcpy(header, header_in, 80);
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; i++) {
    header[76] = (uint8_t)(start + i);
    header[77] = (uint8_t)((start + i) >> 8);
    header[78] = (uint8_t)((start + i) >> 16);
    header[79] = (uint8_t)((start + i) >> 24);
    synth_test_ref_sha256d(header, 80, hash);
    if (synth_test_ref_meets(hash, target) && n < max)
      hits[n++] = start + i;
  }
  return n;
}
