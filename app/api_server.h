/* api_server.h: the local HTTP API of `synthminer run` (JSON and Prometheus), on its own thread. */
#ifndef SYNTH_CLI_API_SERVER_H
#define SYNTH_CLI_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "api_snapshot.h"

#define API_DEFAULT_BIND "127.0.0.1"
#define API_DEFAULT_PORT 4077

struct api_server;

struct api_server_config {
  const char *bind; /* an IPv4 or IPv6 literal */
  unsigned port;    /* 0: an ephemeral port */
  /* NULL: reads are open, writes refused (403). Else every request must carry
   * "Authorization: Bearer <token>" (401 otherwise) and POST /api/stop exists. */
  const char *token;
  struct api_state *state;
  void (*stop_fn)(void *user); /* what POST /api/stop calls, from the server's thread */
  void *stop_user;
  /* The control endpoints (POST, with the token only): path is what follows "/api/" (see
   * api_is_control_path), body the request's JSON object or NULL; returns the HTTP status, with
   * one line in msg. NULL: no control endpoints (404). */
  unsigned (*control_fn)(void *user, const char *path, json_t *body, char *msg, size_t size);
  void *control_user;
};

/* Whether url is a control endpoint: /api/reload, /api/pause, /api/resume, /api/pool/switch,
 * /api/devices/ID/pause, /api/devices/ID/resume, /api/devices/ID/target-latency,
 * /api/devices/ID/power-limit. */
bool api_is_control_path(const char *url);

enum api_server_error {
  API_SERVER_EADDR = -1,  /* bind is not an IPv4 or IPv6 literal */
  API_SERVER_ETOKEN = -2, /* a non-loopback address without a token */
  API_SERVER_EBUSY = -3,  /* the address and port are in use */
  API_SERVER_ESYS = -4,   /* anything else: permission, no such address, out of memory */
};

/* Whether bind is a loopback literal (127.0.0.0/8, ::1, ::ffff:127.x.x.x). */
bool api_bind_is_loopback(const char *bind);

/* Checks what can be refused before binding: an address that is not an IPv4 or IPv6 literal,
 * a non-loopback one without a token. Returns 0, or an api_server_error with a line in msg. */
int api_server_check(const struct api_server_config *cfg, char *msg, size_t msg_size);

/*
 * Binds, listens and starts serving on a thread of its own. Returns 0 and *out, or an
 * api_server_error with one line of reason (no trailing newline) in msg. The state and the
 * token must outlive the server.
 */
int api_server_start(struct api_server **out, const struct api_server_config *cfg, char *msg,
                     size_t msg_size);

/* The port it listens on (the one chosen when 0 was asked). */
unsigned api_server_port(const struct api_server *s);

/* Stops serving, waiting for the requests in progress. NULL is ignored. */
void api_server_stop(struct api_server *s);

#endif
