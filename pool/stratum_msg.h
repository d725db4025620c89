/* stratum_msg.h: one line from a Stratum V1 pool, checked field by field into a typed message. */
#ifndef SYNTH_RUNTIME_STRATUM_MSG_H
#define SYNTH_RUNTIME_STRATUM_MSG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synth/job.h"

/* Longest line accepted from a pool: a notify with 32 branches and a 4 KiB coinbase is about
 * 11 KiB of hex. */
#define STRATUM_LINE_MAX 16384
#define STRATUM_MESSAGE_MAX 512 /* client.show_message text kept */
#define STRATUM_HOST_MAX 256

enum stratum_kind {
  STRATUM_RESPONSE,         /* an answer to one of our requests: id, result, error */
  STRATUM_NOTIFY,           /* mining.notify */
  STRATUM_SET_DIFFICULTY,   /* mining.set_difficulty */
  STRATUM_SET_EXTRANONCE,   /* mining.set_extranonce */
  STRATUM_SET_VERSION_MASK, /* mining.set_version_mask */
  STRATUM_RECONNECT,        /* client.reconnect */
  STRATUM_SHOW_MESSAGE,     /* client.show_message */
  STRATUM_GET_VERSION,      /* client.get_version: answer with our version */
  STRATUM_UNKNOWN,          /* a well-formed request we do not know: ignored */
};

/* mining.notify, decoded: byte strings in the order they are hashed. */
struct stratum_notify {
  char job_id[SYNTH_JOB_ID_MAX + 1];
  uint8_t prevhash[32]; /* header order (Stratum sends each 4-byte word reversed) */
  uint8_t coinb1[SYNTH_COINBASE_MAX];
  size_t coinb1_len;
  uint8_t coinb2[SYNTH_COINBASE_MAX];
  size_t coinb2_len;
  uint8_t branches[SYNTH_MERKLE_BRANCHES_MAX][32];
  size_t nbranches;
  uint32_t version, nbits, ntime;
  bool clean;
};

struct stratum_msg {
  enum stratum_kind kind;
  /* Requests and responses carry an id: a number (ours are) or a string, or null. */
  bool has_id;
  int64_t id;
  char method[64]; /* for STRATUM_UNKNOWN and requests */
  /* STRATUM_RESPONSE: borrowed from root until stratum_msg_free. error is NULL when null. */
  json_t *result;
  json_t *error;
  union {
    struct stratum_notify *notify; /* STRATUM_NOTIFY, owned */
    double difficulty;             /* STRATUM_SET_DIFFICULTY */
    struct {
      uint8_t extranonce1[SYNTH_EXTRANONCE_MAX];
      size_t extranonce1_len;
      size_t extranonce2_size;
    } extranonce;          /* STRATUM_SET_EXTRANONCE */
    uint32_t version_mask; /* STRATUM_SET_VERSION_MASK */
    struct {
      char host[STRATUM_HOST_MAX]; /* "" means the same host */
      unsigned port;               /* 0 means the same port */
      unsigned wait_s;
    } reconnect;                       /* STRATUM_RECONNECT */
    char message[STRATUM_MESSAGE_MAX]; /* STRATUM_SHOW_MESSAGE, printable ASCII only */
  } u;
  json_t *root;
};

/*
 * Parses one line (without its newline). Anything not exactly of the expected shape is
 * refused: returns 0 and fills msg, or -1 with a one-line reason in why (msg then needs no
 * freeing). Never reads outside line[0..len).
 */
int stratum_msg_parse(const char *line, size_t len, struct stratum_msg *msg, char *why,
                      size_t why_size);
void stratum_msg_free(struct stratum_msg *msg);

/* A mining.subscribe result: [subscriptions, extranonce1 hex, extranonce2_size]. Returns 0 or
 * -1 with the reason. */
int stratum_subscribe_result(json_t *result, uint8_t extranonce1[SYNTH_EXTRANONCE_MAX],
                             size_t *extranonce1_len, size_t *extranonce2_size, char *why,
                             size_t why_size);

/* A mining.configure result: whether version rolling is on, and its mask. Returns 0 or -1. */
int stratum_configure_result(json_t *result, bool *rolling, uint32_t *mask, char *why,
                             size_t why_size);

/* Writes the reason for a refusal into why (one line) and returns -1. */
__attribute__((format(printf, 3, 4))) int stratum_fail(char *why, size_t size, const char *fmt,
                                                       ...);

/* Hex string of exactly 2 * n digits into n bytes. Returns 0 or -1. */
int stratum_unhex(const char *hex, uint8_t *out, size_t n);

#endif
