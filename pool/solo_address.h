/* solo_address.h: a payout address (bech32, bech32m, base58check) to its scriptPubKey, checked
 * against the node's chain. */
#ifndef SYNTH_POOL_SOLO_ADDRESS_H
#define SYNTH_POOL_SOLO_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

/* The chains as getblockchaininfo's "chain" names them. */
enum synth__solo_chain {
  SYNTH__SOLO_MAIN,
  SYNTH__SOLO_TEST,
  SYNTH__SOLO_TESTNET4,
  SYNTH__SOLO_SIGNET,
  SYNTH__SOLO_REGTEST,
};

/* "main", "test", "testnet4", "signet" or "regtest" to @out. Returns 0, or SYNTH_EINVAL for any
 * other name (NULL included). */
int synth__solo_chain_parse(const char *name, enum synth__solo_chain *out);

enum synth__bech32_kind { SYNTH__BECH32 = 1, SYNTH__BECH32M = 2 };

#define SYNTH__BECH32_MAX_LEN 90
#define SYNTH__BECH32_HRP_MAX 83

/* A bech32 or bech32m string (BIP 173, BIP 350): 8..90 characters of 33..126, not mixed case,
 * the last '1' ending a non-empty HRP, then at least 6 data characters of the checksum.
 * @hrp gets the HRP in lower case (NUL-ended), @data the 5-bit values without the checksum
 * (*@data_len of them), @kind which constant the checksum matched. Returns 0, or SYNTH_EINVAL
 * with what failed in @err (@err_len bytes, NUL-ended; @err may be NULL). */
int synth__solo_bech32_decode(const char *s, char hrp[SYNTH__BECH32_HRP_MAX + 1],
                              uint8_t data[SYNTH__BECH32_MAX_LEN], size_t *data_len,
                              enum synth__bech32_kind *kind, char *err, size_t err_len);

/* The longest scriptPubKey an address makes: OP_n, a push of 40 bytes, the program. */
#define SYNTH__SOLO_SCRIPT_MAX 42

/* @address to its scriptPubKey for a node on @chain: segwit (HRP bc, tb or bcrt; v0 bech32 with
 * a 20- or 32-byte program, v1..v16 bech32m with 2..40 bytes) as OP_n <program>, base58check
 * P2PKH (version 0x00 main, 0x6f else) as OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG and
 * P2SH (0x05, 0xc4) as OP_HASH160 <20> OP_EQUAL. Returns 0 with *@script_len set, or
 * SYNTH_EINVAL with the check that failed in @err ("bad bech32 checksum", "address is for
 * testnet or signet, node is on main", ...). Thread-safe. */
int synth__solo_address_script(const char *address, enum synth__solo_chain chain,
                               uint8_t script[SYNTH__SOLO_SCRIPT_MAX], size_t *script_len,
                               char *err, size_t err_len);

#endif
