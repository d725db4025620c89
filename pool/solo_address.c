/* solo_address.c: bech32 / bech32m (BIP 173, 350) and base58check addresses to scriptPubKeys. */
#include "pool/solo_address.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "precompute/sha256.h"
#include "synth/error.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

#define BECH32_CONST 1u
#define BECH32M_CONST 0x2bc830a3u
#define BASE58_MAX_LEN 64 /* a 25-byte payload is at most 35 characters */

static int fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_len, const char *fmt, ...)
{
  if (err && err_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
  }
  return SYNTH_EINVAL;
}

int synth__solo_chain_parse(const char *name, enum synth__solo_chain *out)
{
  static const char *const names[] = {"main", "test", "testnet4", "signet", "regtest"};
  for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i]) == 0) {
      *out = (enum synth__solo_chain)i;
      return 0;
    }
  return SYNTH_EINVAL;
}

static const char *chain_name(enum synth__solo_chain c)
{
  static const char *const names[] = {"main", "test", "testnet4", "signet", "regtest"};
  return (unsigned)c < 5 ? names[c] : "an unknown chain";
}

static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
  static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t top = chk >> 25;
  chk = (chk & 0x1ffffff) << 5 ^ v;
  for (int i = 0; i < 5; i++)
    if (top >> i & 1)
      chk ^= gen[i];
  return chk;
}

static int value_of(char c)
{
  const char *p = c ? strchr(charset, c) : NULL;
  return p ? (int)(p - charset) : -1;
}

/* The checks on the characters themselves; the length of the string to *@len_out. */
static int check_chars(const char *s, size_t *len_out, char *err, size_t err_len)
{
  size_t len = strnlen(s, SYNTH__BECH32_MAX_LEN + 1);
  if (len > SYNTH__BECH32_MAX_LEN)
    return fail(err, err_len, "bech32 string longer than %d characters", SYNTH__BECH32_MAX_LEN);
  if (len < 8)
    return fail(err, err_len, "bech32 string shorter than 8 characters");
  bool lower = false, upper = false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 33 || c > 126)
      return fail(err, err_len, "bech32 character %zu out of range (0x%02x)", i, c);
    lower |= c >= 'a' && c <= 'z';
    upper |= c >= 'A' && c <= 'Z';
  }
  if (lower && upper)
    return fail(err, err_len, "bech32 string of mixed case");
  *len_out = len;
  return 0;
}

int synth__solo_bech32_decode(const char *s, char hrp[SYNTH__BECH32_HRP_MAX + 1],
                              uint8_t data[SYNTH__BECH32_MAX_LEN], size_t *data_len,
                              enum synth__bech32_kind *kind, char *err, size_t err_len)
{
  size_t len = 0;
  if (!s)
    return fail(err, err_len, "no address");
  int rc = check_chars(s, &len, err, err_len);
  if (rc)
    return rc;
  const char *sep = strrchr(s, '1');
  if (!sep)
    return fail(err, err_len, "bech32 string without a '1' separator");
  size_t hrp_len = (size_t)(sep - s), dlen = len - hrp_len - 1;
  if (hrp_len == 0)
    return fail(err, err_len, "bech32 string with an empty human-readable part");
  if (dlen < 6)
    return fail(err, err_len, "bech32 checksum too short");
  for (size_t i = 0; i < hrp_len; i++)
    hrp[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
  hrp[hrp_len] = '\0';
  uint32_t chk = 1;
  for (size_t i = 0; i < hrp_len; i++)
    chk = polymod_step(chk, (uint8_t)((unsigned char)hrp[i] >> 5));
  chk = polymod_step(chk, 0);
  for (size_t i = 0; i < hrp_len; i++)
    chk = polymod_step(chk, (uint8_t)(hrp[i] & 31));
  for (size_t i = 0; i < dlen; i++) {
    char c = sep[1 + i];
    int v = value_of(c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
    if (v < 0)
      return fail(err, err_len, "invalid bech32 data character '%c'", c);
    chk = polymod_step(chk, (uint8_t)v);
    if (i < dlen - 6)
      data[i] = (uint8_t)v;
  }
  if (chk == BECH32_CONST)
    *kind = SYNTH__BECH32;
  else if (chk == BECH32M_CONST)
    *kind = SYNTH__BECH32M;
  else
    return fail(err, err_len, "bad bech32 checksum");
  *data_len = dlen - 6;
  return 0;
}

/* Which chains an HRP belongs to, or NULL when none. */
static const char *hrp_chains(const char *hrp, enum synth__solo_chain chain, bool *ok)
{
  if (strcmp(hrp, "bc") == 0) {
    *ok = chain == SYNTH__SOLO_MAIN;
    return "main";
  }
  if (strcmp(hrp, "tb") == 0) {
    *ok = chain == SYNTH__SOLO_TEST || chain == SYNTH__SOLO_TESTNET4 || chain == SYNTH__SOLO_SIGNET;
    return "testnet or signet";
  }
  if (strcmp(hrp, "bcrt") == 0) {
    *ok = chain == SYNTH__SOLO_REGTEST;
    return "regtest";
  }
  return NULL;
}

static bool segwit_hrp(const char *s)
{
  const char *sep = strrchr(s, '1');
  size_t n = sep ? (size_t)(sep - s) : 0;
  return (n == 2 && (strncasecmp(s, "bc", 2) == 0 || strncasecmp(s, "tb", 2) == 0)) ||
         (n == 4 && strncasecmp(s, "bcrt", 4) == 0);
}

/* The witness program from 5-bit groups: 8-bit bytes, at most 4 bits of zero padding. */
static int program_of(const uint8_t *d, size_t n, uint8_t prog[40], size_t *prog_len, char *err,
                      size_t err_len)
{
  uint32_t acc = 0;
  unsigned bits = 0;
  size_t out = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 5 | d[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (out == 40)
        return fail(err, err_len, "witness program longer than 40 bytes");
      prog[out++] = (uint8_t)(acc >> bits);
    }
  }
  if (bits >= 5)
    return fail(err, err_len, "bech32 padding of more than 4 bits");
  if (acc & ((1u << bits) - 1))
    return fail(err, err_len, "non-zero bech32 padding");
  *prog_len = out;
  return 0;
}

static int segwit_script(const char *address, enum synth__solo_chain chain, uint8_t *script,
                         size_t *script_len, char *err, size_t err_len)
{
  char hrp[SYNTH__BECH32_HRP_MAX + 1];
  uint8_t data[SYNTH__BECH32_MAX_LEN], prog[40];
  size_t n = 0, plen = 0;
  enum synth__bech32_kind kind;
  int rc = synth__solo_bech32_decode(address, hrp, data, &n, &kind, err, err_len);
  if (rc)
    return rc;
  bool ok;
  const char *for_chain = hrp_chains(hrp, chain, &ok);
  if (!for_chain)
    return fail(err, err_len, "unknown address prefix \"%s\" (bc, tb or bcrt expected)", hrp);
  if (n == 0)
    return fail(err, err_len, "bech32 address without data");
  unsigned ver = data[0];
  if (ver > 16)
    return fail(err, err_len, "witness version %u above 16", ver);
  if ((rc = program_of(data + 1, n - 1, prog, &plen, err, err_len)))
    return rc;
  if (plen < 2)
    return fail(err, err_len, "witness program of %zu bytes (2..40 expected)", plen);
  if (ver == 0 && plen != 20 && plen != 32)
    return fail(err, err_len, "witness v0 program of %zu bytes (20 or 32 expected)", plen);
  if (ver == 0 && kind != SYNTH__BECH32)
    return fail(err, err_len, "witness v0 address with a bech32m checksum (bech32 expected)");
  if (ver > 0 && kind != SYNTH__BECH32M)
    return fail(err, err_len, "witness v%u address with a bech32 checksum (bech32m expected)", ver);
  if (!ok)
    return fail(err, err_len, "address is for %s, node is on %s", for_chain, chain_name(chain));
  script[0] = (uint8_t)(ver ? 0x50 + ver : 0);
  script[1] = (uint8_t)plen;
  memcpy(script + 2, prog, plen);
  *script_len = plen + 2;
  return 0;
}

/* Base58 to exactly 25 bytes (version, 20-byte hash, 4-byte checksum). */
static int base58_25(const char *s, uint8_t out[25], char *err, size_t err_len)
{
  size_t len = strnlen(s, BASE58_MAX_LEN + 1);
  if (len == 0)
    return fail(err, err_len, "empty address");
  if (len > BASE58_MAX_LEN)
    return fail(err, err_len, "address longer than %d characters", BASE58_MAX_LEN);
  memset(out, 0, 25);
  size_t zeros = 0;
  while (zeros < len && s[zeros] == '1')
    zeros++;
  for (size_t i = 0; i < len; i++) {
    const char *p = s[i] ? strchr(b58, s[i]) : NULL;
    unsigned char c = (unsigned char)s[i];
    if (!p && c >= 33 && c <= 126)
      return fail(err, err_len, "invalid base58 character '%c'", c);
    if (!p)
      return fail(err, err_len, "invalid base58 character 0x%02x", c);
    unsigned carry = (unsigned)(p - b58);
    for (int j = 24; j >= 0; j--) {
      carry += 58u * out[j];
      out[j] = (uint8_t)carry;
      carry >>= 8;
    }
    if (carry)
      return fail(err, err_len, "base58 address longer than 25 bytes");
  }
  size_t lead = 0;
  while (lead < 25 && out[lead] == 0)
    lead++;
  if (lead != zeros)
    return fail(err, err_len, "base58 address shorter than 25 bytes");
  uint8_t h[32];
  synth__sha256d(out, 21, h);
  if (memcmp(h, out + 21, 4) != 0)
    return fail(err, err_len, "bad base58 checksum");
  return 0;
}

static int base58_script(const char *address, enum synth__solo_chain chain, uint8_t *script,
                         size_t *script_len, char *err, size_t err_len)
{
  uint8_t raw[25];
  int rc = base58_25(address, raw, err, err_len);
  if (rc)
    return rc;
  bool main = chain == SYNTH__SOLO_MAIN;
  bool p2pkh = raw[0] == 0x00 || raw[0] == 0x6f, p2sh = raw[0] == 0x05 || raw[0] == 0xc4;
  if (!p2pkh && !p2sh)
    return fail(err, err_len, "unknown base58 address version 0x%02x", raw[0]);
  bool for_main = raw[0] == 0x00 || raw[0] == 0x05;
  if (for_main != main)
    return fail(err, err_len, "address is for %s, node is on %s",
                for_main ? "main" : "testnet, signet or regtest", chain_name(chain));
  size_t n = 0;
  if (p2pkh) {
    script[n++] = 0x76; /* OP_DUP */
    script[n++] = 0xa9; /* OP_HASH160 */
  } else {
    script[n++] = 0xa9;
  }
  script[n++] = 20;
  memcpy(script + n, raw + 1, 20);
  n += 20;
  if (p2pkh) {
    script[n++] = 0x88; /* OP_EQUALVERIFY */
    script[n++] = 0xac; /* OP_CHECKSIG */
  } else {
    script[n++] = 0x87; /* OP_EQUAL */
  }
  *script_len = n;
  return 0;
}

int synth__solo_address_script(const char *address, enum synth__solo_chain chain,
                               uint8_t script[SYNTH__SOLO_SCRIPT_MAX], size_t *script_len,
                               char *err, size_t err_len)
{
  if (err && err_len)
    err[0] = '\0';
  if (!address || !script || !script_len)
    return fail(err, err_len, "no address");
  if ((unsigned)chain > SYNTH__SOLO_REGTEST)
    return fail(err, err_len, "unknown chain");
  if (segwit_hrp(address))
    return segwit_script(address, chain, script, script_len, err, err_len);
  /* Another HRP with a valid checksum is a segwit address of some other coin or chain. */
  char hrp[SYNTH__BECH32_HRP_MAX + 1];
  uint8_t data[SYNTH__BECH32_MAX_LEN];
  size_t n;
  enum synth__bech32_kind kind;
  if (synth__solo_bech32_decode(address, hrp, data, &n, &kind, NULL, 0) == 0)
    return fail(err, err_len, "unknown address prefix \"%s\" (bc, tb or bcrt expected)", hrp);
  return base58_script(address, chain, script, script_len, err, err_len);
}
