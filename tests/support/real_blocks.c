/* real_blocks.c: real Bitcoin blocks with all their transactions, and a strict parser of the
 * block serialization (the fake node's check of submitted blocks uses it too).
 *
 * Where the bytes come from (each block's hash, proof of work, merkle root and witness
 * commitment are checked by tests/unit/test_real_blocks.c, so a wrong byte cannot pass):
 * - mainnet 100000: the raw block in SoftwareVerde/bitcoin-verde,
 *   src/test/java/com/softwareverde/bitcoin/block/merkleroot/MerkleTreeTests.java.
 * - mainnet 542213 and 553724: serialized here from the transactions (version, inputs with
 *   their scripts and witnesses, outputs, lock time) and header fields listed in
 *   keep-starknet-strange/raito, tests/data/full_542212.json and full_553723.json (each file
 *   holds the block after the named height; its prev hash is the file's best_block_hash and the
 *   hash we record is the file's expected best_block_hash).
 */
#include "support/real_blocks.h"

#include <stdlib.h>
#include <string.h>

#include "precompute/sha256.h"

/* Block 100000 (2010): four transactions, none with a witness; a version 1 coinbase without a
 * BIP 34 height. */
static const char block_100000[] =
    "0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200"
    "000000006657a9252aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac"
    "4247e9f337221b4d4c86041b0f2b571004010000000100000000000000000000"
    "00000000000000000000000000000000000000000000ffffffff08044c86041b"
    "020602ffffffff0100f2052a010000004341041b0e8c2567c12536aa13357b79"
    "a073dc4444acb83c4ec7a0e2f99dd7457516c5817242da796924ca4e99947d08"
    "7fedf9ce467cb9f7c6287078f801df276fdf84ac000000000100000001032e38"
    "e9c0a84c6046d687d10556dcacc41d275ec55fc00779ac88fdf357a187000000"
    "008c493046022100c352d3dd993a981beba4a63ad15c209275ca9470abfcd57d"
    "a93b58e4eb5dce82022100840792bc1f456062819f15d33ee7055cf7b5ee1af1"
    "ebcc6028d9cdb1c3af7748014104f46db5e9d61a9dc27b8d64ad23e7383a4e6c"
    "a164593c2527c038c0857eb67ee8e825dca65046b82c9331586c82e0fd1f633f"
    "25f87c161bc6f8a630121df2b3d3ffffffff0200e32321000000001976a914c3"
    "98efa9c392ba6013c5e04ee729755ef7f58b3288ac000fe208010000001976a9"
    "14948c765a6914d43f2a7ac177da2c2f6b52de3d7c88ac000000000100000001"
    "c33ebff2a709f13d9f9a7569ab16a32786af7d7e2de09265e41c61d078294ecf"
    "010000008a4730440220032d30df5ee6f57fa46cddb5eb8d0d9fe8de6b342d27"
    "942ae90a3231e0ba333e02203deee8060fdc70230a7f5b4ad7d7bc3e628cbe21"
    "9a886b84269eaeb81e26b4fe014104ae31c31bf91278d99b8377a35bbce5b27d"
    "9fff15456839e919453fc7b3f721f0ba403ff96c9deeb680e5fd341c0fc3a7b9"
    "0da4631ee39560639db462e9cb850fffffffff0240420f00000000001976a914"
    "b0dcbf97eabf4404e31d952477ce822dadbe7e1088acc060d211000000001976"
    "a9146b1281eec25ab4e1e0793ff4e08ab1abb3409cd988ac0000000001000000"
    "010b6072b386d4a773235237f64c1126ac3b240c84b917a3909ba1c43ded5f51"
    "f4000000008c493046022100bb1ad26df930a51cce110cf44f7a48c3c561fd97"
    "7500b1ae5d6b6fd13d0b3f4a022100c5b42951acedff14abba2736fd574bdb46"
    "5f3e6f8da12e2c5303954aca7f78f3014104a7135bfe824c97ecc01ec7d7e336"
    "185c81e2aa2c41ab175407c09484ce9694b44953fcb751206564a9c24dd094d4"
    "2fdbfdd5aad3e063ce6af4cfaaea4ea14fbbffffffff0140420f000000000019"
    "76a91439aa3d569e06a1d7926dc4be1193c99bf2eb9ee088ac00000000";

/* Block 542213 (2018, AntPool): coinbase with witness commitment, one P2SH-P2WPKH spend, and two
 * legacy transactions (one of ten inputs). */
static const char block_542213[] =
    "000000208980ebb11236bacc66c447d5ad961bc546c0f9cc385a080000000000"
    "00000000135e9b653aee9a70028aff2db53d4f43f4484ad52558c3ae300410b7"
    "9cb6a864df50a35ba11928171396e30104010000000001010000000000000000"
    "000000000000000000000000000000000000000000000000ffffffff50030546"
    "08174d696e656420627920416e74506f6f6c393b205ba350dffabe6d6d3a3e92"
    "d9efff857664de632e89fa3182f1e793d00be2e71a117b273145945a81040000"
    "0000000000db250000acba0500ffffffff028a8f814a000000001976a914edf1"
    "0a7fac6b32e24daa5305c723f3de58db1bc888ac0000000000000000266a24aa"
    "21a9ed4a657fcaa2149342376247e2e283a55a6b92dcc35d4d89e4ac7b74488c"
    "b63be20120000000000000000000000000000000000000000000000000000000"
    "0000000000000000000100000001b898273f98d49399ecb5194ffdb1ed15c2fb"
    "37cf6d7696b4389bc7d1b76b63db010000006b483045022100e2e9bc1f6bae2d"
    "eed086e935bb49fd6ac1e13dc3a44c36cd8b9a6f4257efb70d022076537c7021"
    "f12d761e1202796029f13798503bc22ab8c2ee8cb98207cbfeb414012102071c"
    "2c88e4560b47a03c033c736149a2ddd6071aea54ab85c5169cee156712f8ffff"
    "ffff02b0710b00000000001976a914849a95fc65eeaa2ac47b6b6fc1f1883edb"
    "2c6c9788ace6b62501000000001976a9142964198f7ae9f7b920a2ab7c0b96b9"
    "0e4ec9b14d88ac000000000100000000010152405e2660055b3540f63424a1b0"
    "b3b7bb9bbef10ceec970cd18f6f86f84a7880000000017160014dde2f1a9a4bf"
    "da011ba9ec4062990c7e1a531585ffffffff0266d418000000000017a914adc5"
    "ec550548f087371e645047170864d5fbdc03877e0400000000000016001441f6"
    "746110cc0fec102e83053d4c0ae56fab1bdd02483045022100f93bd5d3529418"
    "f60dddd477f169c32ea5ab340c99573438ee7c40d705db9ba20220323f1b4d88"
    "40098b1271c95365cdc7e8f81d0bf1fcc568c68fc7de8b871b4bee012103211d"
    "047d92547bca4aa116bc51ec4b09188e5991f69f0432fe1b5dfd894785970000"
    "0000010000000ac1a19854e5b92792ae96d08eb9f7fc016fb57c51a9047161c3"
    "42e6b8de8ce721000000006b483045022100fa00a6651015ac807b03d8d54559"
    "831db40d80329f46a886b93ca6b3996daf9b02201d0fafccc88c4654a9c3d205"
    "ef0828e32376ecb42f79587615203f23fc8f2d42012102a2cda42f6954605e40"
    "cbc5601f65673621c057f8c12f16149fbbf632e8be8ed8ffffffffda16ff4a73"
    "24f78f16d5e5d4a740168de9df426cf53df569c9a33d1b94e2c25f000000006a"
    "4730440220167b4777a23db304f50ac75febfae5db0b1578c90d85769bc76e0f"
    "5458484319022023f763e95ea7771c15ea0df91c17519014b2223cd726a3b0a8"
    "b1a6f67f99b2bf012103b9492a823f03b70a1750e0fac44f58f5c81e09f4c18d"
    "0b28755b44c911ffab5ffffffffff1533f2ea34b859d2be05bbb6859d6105ad4"
    "389c911545487187437acae21b70000000006b483045022100be0b8dc174f413"
    "6e3fb4f3ccf1a2be67a44d2086179c5726c61a1af010d5232f02205c0fb4cdd7"
    "c9cb8698ceed05e688e10a0cbdd0ee5db1a0a2ef92f322e1a60e9f0121020b9f"
    "404317cc6ab5a699f607a9bb0acd0bf5588777672f8f7f4c1a13304e9f76ffff"
    "ffff1395191837aa5b1cfa4cc2a79d6d6bda7d198e8a795a0f7a85f556c44611"
    "9572000000006b483045022100ef3c61b5ba155b94fd02a96bf788e9a9be2de0"
    "ee53e3fe1fa6c24dd9d9aaee12022044c07be54a9c59fed96dfb778da0079f67"
    "53ab634d1920bf0fac25ebf7ac49d0012103f93e29be8b393773228f70415196"
    "4662a91df4c1a3e15364e4cfb38a8cacbda9ffffffff55120f684d5fbb845fd0"
    "198cd734e46fc29f40dc8f906bf36743d7f740f5fd7c000000006a4730440220"
    "421aef290bbd39a18d1281ecfbb420b43daf2cc1c315b6bb44c895f88cb3cfcc"
    "022007a512c65b7768b1505f789b6d78479063d04ffb243072f2061eeb66fb1a"
    "de81012102712eea19c72fd644b2698c5480ebe77ce6face0bed64238a34a320"
    "85567f2f8efffffffff3553d19ce3156464e9cfa06a5260f9d9d01b16ccad6e2"
    "ebaab233ba10472ba6000000006b483045022100a29aea775d2c46028f40dceb"
    "1707b23e720bb314cef455854313569200c83162022009d0cdcef2e1f0a92177"
    "94991fa838fe6ce2bdc6e3c04ad490343c7e4a0ee7d3012102ed59ec6d98f9c2"
    "a4dd1324d46d74c56ff7e15935925f69799e547969a523ea98ffffffff530ab6"
    "d95f0d83669bfb12cbe983febe6ca638255139ce2ba0e35887f2fe3db6000000"
    "006b483045022100fad9f10989ab4ab019da4f6e430f9fe9ebe76941a9200d73"
    "46447358e93b1dce0220756c864b029a64ed9d6eedc13cf8b7d602572fcd7a3d"
    "3cb528350bb032d7e3ec012102e3e0c78d034627b1616cf196aa69bfaf20009b"
    "a9ebf09cf069453cc0423239e2ffffffff4b8e70824941d965df99703cacadfa"
    "bcf79bc040029e528ff931e9ba4a7ee4d8000000006b48304502210095f37fb2"
    "700c9f96d5e5c02d4b043a7cd804f79dd071d8b221b7ae781f0f5b4e02200ae3"
    "135b8bebf813449956ae19e7c02db5eff2472da023afa8b8d4e9baba0cdd0121"
    "0226cc53dfc0a41cc0cf7117dfd406db2b87161e89e2bab9908a2382173fc6db"
    "e1ffffffff5262129e9881722b217f7e4882ed2b83ee53d9e23b9bc647494c94"
    "87ae9fabdf000000006a473044022032361f724fe006079cf37b3df61cb6c51c"
    "b0c5fd77f29b61a318134ca4948d0e02202fbe6d484a78730899230244f3662f"
    "d5578b87e9eaaccdf9bf8f05d23917de8301210254e84223b3d7f7cfd14315be"
    "8fa0c7d7eb1a1a34a672f08e2b8ec134472a66d4ffffffff067040e03288282e"
    "be5db7b705130849c9984458b13ea7ca3c755f07b9d1b9f4000000006b483045"
    "022100b78b9c24f5f3e950aba637b827d5b11615c17ae2f43105941d172cc4a8"
    "b73c80022064998c17becd06abbcfde47c91b9d87da5ac67873ed9a412010b08"
    "b954e0b5cd01210329a0acc2b0d60dd243eef46073a672ed0caf467c92f63ef7"
    "293f2036a3851a1effffffff02027f0000000000001976a914c6a396ae979670"
    "eeaa6929df3dd1c2d8fba31c3d88ac85a19b020000000017a914409dbd0e9a1a"
    "b27853186367130e6aab2509e47f8700000000";

/* Block 553724 (2018, AntPool): coinbase with witness commitment, a P2SH-P2WPKH and a native
 * P2WPKH spend, and a legacy version 2 transaction with a lock time. */
static const char block_553724[] =
    "000000200ed724966f56fb37f91a984ad254e9f824bb766ea967050000000000"
    "0000000007a37d467322dc8409fbaae49d1e4d418dbdd740590f6b77f14350c6"
    "f4145b0e7008135c7cd931177831ae1904010000000001010000000000000000"
    "000000000000000000000000000000000000000000000000ffffffff5403fc72"
    "081b4d696e656420627920416e74506f6f6c31384e00a103205c130870fabe6d"
    "6d0782f935d81e4948c75d613779fe7c53eab4c35616d073755df5fe49f3cdb1"
    "6d0400000000000000cc050000d38d0200ffffffff039590814a000000001976"
    "a914edf10a7fac6b32e24daa5305c723f3de58db1bc888ac0000000000000000"
    "266a24aa21a9ed6502e8637ba29cd8a820021915339c7341223d571e5e8d66ed"
    "d83786d387e71500000000000000002952534b424c4f434b3abcb062d40bf073"
    "e3eac877f2b1bad4eddc4f8d882ab014a8d2278563f832e95b01200000000000"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "000000000101d5e952cd14859215e51e8e3117ddd2528cb396a4935cc6c8a77b"
    "5e541ab5a6bc000000001716001473e8ab17ce626fc190105f583f0073c76a6b"
    "37d9ffffffff028754030000000000160014d3421512c645bcfa2af9743a1873"
    "1001f0173904a0636f000000000017a914379056a3f6d10caa54ee8ef27131c3"
    "48a7ccf31f870247304402200fd489534abd79ef87d0c2a3e5db3d3e77b91c2c"
    "19d76421f7b61ce6cf3789e202206fa79d2e723462694880b37a93e4155a11b4"
    "a533c3a2c82f5d917f9cb30b13410121034d12143057d8154b0a0044548861a2"
    "9fb93ec1e1da607c9661c46a1dfef6bf6f0000000001000000000101892566a3"
    "71164774c8b2b74b0e1274ae4ba3a6cbd925c0ac0376f4624284c53400000000"
    "00ffffffff028809250000000000160014bed752ca565818fee0c7be61713dec"
    "3b9b4841e237aeb7000000000017a9144c13003630a952f25cfc24728b69e5b6"
    "5dc7fc6787024730440220212ed58e54c2fbf219fb6db8c4ea4854e62d56667f"
    "f1a74da91cd27fc62e10c4022018923a537ba525f68e64ce0b70a36b4839b55a"
    "ecd791dab8d85052c69594f1f50121034e6622f089ad175ab1aca77487577e35"
    "0fb00413a7420250d60422a2e0cc40a90000000002000000016fecfb516620f1"
    "2e95907780828df66e27b7cebc80254ccb2e60dca44b7bcc13000000006b4830"
    "45022100da31f58b0e2ec9da2e8fadaa38e7b1d0084433fc62160e02c7b7016e"
    "6e31477f02206a0462df44e82869798337f5523286972c93d66d523f137c0db5"
    "a4baa6e6930d0121034b11147333a38bfb9466c60bec7ce3dc608a4fd2315227"
    "fae928a7c10556e9a5feffffff02c0d401000000000017a91401f7b90f5653e8"
    "c2a45093c3b2168cfa7e46811e87f7461300000000001976a914b95067af2d4e"
    "bef77ddeae544963fa04df66bb0a88acfa720800";

const struct synth_test_real_block synth_test_real_blocks[] = {
    {"mainnet 100000", "main", 100000,
     "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506", block_100000, 4, 0},
    {"mainnet 542213", "main", 542213,
     "000000000000000000143a2c56c0214236dadfd30df41d4a0345492ad6d861ec", block_542213, 4, 1},
    {"mainnet 553724", "main", 553724,
     "0000000000000000002849bd7ea6df81fa2f07652af0600ffa0f2b0bc47d736c", block_553724, 4, 1},
};
const size_t synth_test_real_block_count =
    sizeof synth_test_real_blocks / sizeof synth_test_real_blocks[0];

/* The parser. Every length is checked against the bytes left before it is used, so a count
 * near 2^64 is refused rather than multiplied or added. */
struct rd {
  const uint8_t *p;
  size_t len, pos;
};

static size_t left(const struct rd *r)
{
  return r->len - r->pos;
}

static int take(struct rd *r, size_t n, const uint8_t **at)
{
  if (n > left(r))
    return -1;
  if (at)
    *at = r->p + r->pos;
  r->pos += n;
  return 0;
}

static int le32(struct rd *r, uint32_t *v)
{
  const uint8_t *b;
  if (take(r, 4, &b) != 0)
    return -1;
  *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  return 0;
}

/* A canonical CompactSize no larger than the bytes left divided by @unit (the least bytes each
 * counted item takes). */
static int count(struct rd *r, size_t unit, size_t *n)
{
  const uint8_t *b;
  if (take(r, 1, &b) != 0)
    return -1;
  uint64_t v = b[0], min = 0;
  size_t width = b[0] == 0xfd ? 2 : b[0] == 0xfe ? 4 : b[0] == 0xff ? 8 : 0;
  if (width) {
    if (take(r, width, &b) != 0)
      return -1;
    v = 0;
    for (size_t i = width; i-- > 0;)
      v = v << 8 | b[i];
    min = width == 2 ? 0xfd : width == 4 ? 0x10000 : 0x100000000u;
  }
  if (v < min || v > left(r) / unit)
    return -1;
  *n = (size_t)v;
  return 0;
}

/* A length-prefixed byte string (script or witness item). */
static int bytes_field(struct rd *r)
{
  size_t n;
  return count(r, 1, &n) == 0 ? take(r, n, NULL) : -1;
}

/* One transaction at r->pos: its extent, and its txid and wtxid. */
static int parse_tx(struct rd *r, struct synth_test_parsed_tx *tx)
{
  size_t start = r->pos, nin, nout, body, body_end;
  uint32_t version;
  if (le32(r, &version) != 0)
    return -1;
  int witness = 0;
  if (left(r) >= 1 && r->p[r->pos] == 0x00) {
    const uint8_t *mf;
    if (take(r, 2, &mf) != 0 || mf[1] != 0x01)
      return -1;
    witness = 1;
  }
  body = r->pos;
  if (count(r, 41, &nin) != 0 || nin == 0)
    return -1;
  for (size_t i = 0; i < nin; i++)
    if (take(r, 36, NULL) != 0 || bytes_field(r) != 0 || take(r, 4, NULL) != 0)
      return -1;
  if (count(r, 9, &nout) != 0)
    return -1;
  for (size_t i = 0; i < nout; i++)
    if (take(r, 8, NULL) != 0 || bytes_field(r) != 0)
      return -1;
  body_end = r->pos;
  if (witness) {
    int some = 0;
    for (size_t i = 0; i < nin; i++) {
      size_t items;
      if (count(r, 1, &items) != 0)
        return -1;
      some |= items != 0;
      for (size_t j = 0; j < items; j++)
        if (bytes_field(r) != 0)
          return -1;
    }
    if (!some) /* BIP 144: the flag says witnesses follow, so one must not be empty */
      return -1;
  }
  if (take(r, 4, NULL) != 0)
    return -1;
  size_t raw_len = r->pos - start, base_len = 4 + (body_end - body) + 4;
  tx->raw = malloc(raw_len);
  uint8_t *base = malloc(base_len);
  if (!tx->raw || !base) {
    free(base);
    return -1;
  }
  memcpy(tx->raw, r->p + start, raw_len);
  tx->raw_len = raw_len;
  memcpy(base, r->p + start, 4);
  memcpy(base + 4, r->p + body, body_end - body);
  memcpy(base + 4 + (body_end - body), r->p + r->pos - 4, 4);
  synth__sha256d(base, base_len, tx->txid);
  synth__sha256d(tx->raw, raw_len, tx->wtxid);
  tx->has_witness = witness;
  free(base);
  return 0;
}

static uint32_t get_le32(const uint8_t *b)
{
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int synth_test_parse_block(const uint8_t *bytes, size_t len, struct synth_test_parsed_block *out)
{
  memset(out, 0, sizeof *out);
  if (!bytes)
    return -1;
  struct rd r = {bytes, len, 0};
  const uint8_t *h;
  size_t ntx;
  /* The smallest transaction: version, one input, no output, lock time (4 + 1 + 41 + 1 + 4). */
  if (take(&r, 80, &h) != 0 || count(&r, 51, &ntx) != 0 || ntx == 0)
    return -1;
  memcpy(out->header, h, 80);
  out->version = get_le32(h);
  memcpy(out->prev, h + 4, 32);
  memcpy(out->merkle, h + 36, 32);
  out->time = get_le32(h + 68);
  out->bits = get_le32(h + 72);
  out->nonce = get_le32(h + 76);
  out->tx = calloc(ntx, sizeof *out->tx);
  if (!out->tx)
    return -1;
  out->ntx = ntx;
  for (size_t i = 0; i < ntx; i++)
    if (parse_tx(&r, &out->tx[i]) != 0) {
      synth_test_parsed_block_free(out);
      return -1;
    }
  if (left(&r) != 0) {
    synth_test_parsed_block_free(out);
    return -1;
  }
  return 0;
}

void synth_test_parsed_block_free(struct synth_test_parsed_block *b)
{
  if (!b)
    return;
  for (size_t i = 0; b->tx && i < b->ntx; i++)
    free(b->tx[i].raw);
  free(b->tx);
  memset(b, 0, sizeof *b);
}
