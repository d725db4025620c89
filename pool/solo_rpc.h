/* solo_rpc.h: JSON-RPC 1.0 calls to a Bitcoin node over HTTP/1.1 POST (TCP or TLS), one
 * connection per call, with Basic auth, deadlines and a stop flag. */
#ifndef SYNTH_POOL_SOLO_RPC_H
#define SYNTH_POOL_SOLO_RPC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pool/stratum_conn.h"

/* The largest answer read: a template of a full 4 MWU block is about 9 MB of JSON. */
#define SYNTH__RPC_BODY_MAX (64u << 20)

struct synth__rpc_node {
  struct stratum_endpoint ep;
  char path[256];
  char auth[512]; /* "Basic <base64 of user:password>", or "" for none; secret */
  struct stratum_tls_options tls;
  unsigned connect_ms;
};

/* "http://HOST[:PORT][/PATH]" or "https://..." ("[::1]" for IPv6; port 8332 for http and 443
 * for https when none is given) into @n, with no credentials yet. Returns 0 or -1 with the
 * reason in @why. */
int synth__rpc_url_parse(const char *url, struct synth__rpc_node *n, char *why, size_t why_size);

/* Sets the Basic credentials from "user:password" (@userpass, as a cookie file holds it).
 * Returns 0, or -1 when it is too long. */
int synth__rpc_set_auth(struct synth__rpc_node *n, const char *userpass);

enum synth__rpc_status {
  SYNTH__RPC_OK,        /* result set (JSON null included) */
  SYNTH__RPC_CONNECT,   /* no connection was made: nothing reached the node */
  SYNTH__RPC_IO,        /* the connection broke or a deadline passed after the request went */
  SYNTH__RPC_AUTH,      /* HTTP 401 or 403 */
  SYNTH__RPC_ERROR,     /* the node's JSON-RPC error: code and message */
  SYNTH__RPC_MALFORMED, /* an answer that is not HTTP/1.x, JSON-RPC, or too big */
  SYNTH__RPC_STOPPED    /* *stop became true while waiting */
};

struct synth__rpc_answer {
  enum synth__rpc_status status;
  int http_status;
  int64_t code;         /* SYNTH__RPC_ERROR */
  char message[192];    /* the node's words, or what failed */
  json_t *result;       /* SYNTH__RPC_OK: a new reference; the caller json_decref()s it */
  uint64_t answered_ns; /* when the answer's status line came (synth__now_ns), or 0 */
};

/* Calls @method with @params (an array, stolen; NULL for []) with id @id. The request must be
 * sent and answered within @timeout_ms (a long poll passes a long one); *@stop is looked at
 * every 100 ms. Fills @out and returns its status. Thread-safe. */
enum synth__rpc_status synth__rpc_call(const struct synth__rpc_node *n, const char *method,
                                       json_t *params, int64_t id, unsigned timeout_ms,
                                       const atomic_bool *stop, struct synth__rpc_answer *out);

/* The answer's status as a word: "ok", "cannot connect", ... */
const char *synth__rpc_status_name(enum synth__rpc_status s);

#endif
