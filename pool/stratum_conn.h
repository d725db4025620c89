/* stratum_conn.h: one connection to a pool, TCP or TLS, read a line at a time with timeouts. */
#ifndef SYNTH_RUNTIME_STRATUM_CONN_H
#define SYNTH_RUNTIME_STRATUM_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "stratum_msg.h"

struct stratum_conn;

struct stratum_endpoint {
  char host[STRATUM_HOST_MAX];
  unsigned port;
  bool tls;
};

/* "stratum+tcp://host:port" or "stratum+ssl://host:port" ("stratum+tls" too; "[::1]:3333" for
 * IPv6). Returns 0, or -1 with the reason in why. */
int stratum_endpoint_parse(const char *url, struct stratum_endpoint *ep, char *why,
                           size_t why_size);

struct stratum_tls_options {
  bool insecure;       /* accept any certificate (self-signed test pools) */
  const char *ca_file; /* NULL: the system's CA store */
};

/* Connects within connect_ms, then for TLS shakes hands within tls_ms (certificate and host
 * name checked unless insecure). Returns the connection, or NULL with the reason in why. */
struct stratum_conn *stratum_conn_open(const struct stratum_endpoint *ep,
                                       const struct stratum_tls_options *tls, unsigned connect_ms,
                                       unsigned tls_ms, char *why, size_t why_size);

/* Sends all of buf within timeout_ms. Returns 0 or -1 (the connection is then broken). */
int stratum_conn_send(struct stratum_conn *c, const char *buf, size_t len, unsigned timeout_ms);

/*
 * The next line, without its newline and NUL-terminated in the connection's buffer, valid
 * until the next call. Returns its length (>= 0) and *line; STRATUM_CONN_TIMEOUT when none
 * came within timeout_ms; STRATUM_CONN_CLOSED when the pool closed or the connection broke;
 * STRATUM_CONN_TOO_LONG for a line over STRATUM_LINE_MAX (the connection must be dropped).
 */
#define STRATUM_CONN_TIMEOUT (-1)
#define STRATUM_CONN_CLOSED (-2)
#define STRATUM_CONN_TOO_LONG (-3)
int stratum_conn_read_line(struct stratum_conn *c, char **line, unsigned timeout_ms);

/* Up to @n bytes into @dst: what the buffer holds first, then one read. Returns the count (> 0),
 * STRATUM_CONN_TIMEOUT when nothing came within timeout_ms, or STRATUM_CONN_CLOSED. */
long stratum_conn_read(struct stratum_conn *c, void *dst, size_t n, unsigned timeout_ms);

void stratum_conn_close(struct stratum_conn *c);

#endif
