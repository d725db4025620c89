/* solo_rpc.c: JSON-RPC 1.0 calls to a Bitcoin node over HTTP/1.1 POST (TCP or TLS). */
#include "pool/solo_rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "base/clock.h"

static int fail(char *why, size_t size, const char *url, const char *what)
{
  return stratum_fail(why, size, "%s: %s", url, what);
}

int synth__rpc_url_parse(const char *url, struct synth__rpc_node *n, char *why, size_t why_size)
{
  memset(n, 0, sizeof *n);
  const char *rest;
  if (strncmp(url, "http://", 7) == 0) {
    rest = url + 7;
    n->ep.port = 8332;
  } else if (strncmp(url, "https://", 8) == 0) {
    rest = url + 8;
    n->ep.tls = true;
    n->ep.port = 443;
  } else {
    return fail(why, why_size, url, "expected http://HOST[:PORT] or https://HOST[:PORT]");
  }
  if (strchr(rest, '@'))
    return fail(why, why_size, url, "put credentials in -u/-p or --rpc-cookie, not the URL");
  const char *slash = strchr(rest, '/');
  const char *hostport_end = slash ? slash : rest + strlen(rest);
  const char *host = rest, *port = NULL;
  size_t hlen;
  if (*rest == '[') {
    const char *close = memchr(rest, ']', (size_t)(hostport_end - rest));
    if (!close || (close + 1 != hostport_end && close[1] != ':'))
      return fail(why, why_size, url, "bad IPv6 address");
    host = rest + 1;
    hlen = (size_t)(close - host);
    port = close + 1 < hostport_end ? close + 2 : NULL;
  } else {
    const char *colon = memchr(rest, ':', (size_t)(hostport_end - rest));
    hlen = (size_t)((colon ? colon : hostport_end) - rest);
    port = colon ? colon + 1 : NULL;
  }
  if (hlen == 0 || hlen >= sizeof n->ep.host)
    return fail(why, why_size, url, "bad host");
  for (size_t i = 0; i < hlen; i++)
    if (!strchr(".-:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", host[i]))
      return fail(why, why_size, url, "bad host");
  memcpy(n->ep.host, host, hlen);
  if (port) {
    char *end;
    long p = strtol(port, &end, 10);
    if (port == hostport_end || end != hostport_end || p < 1 || p > 65535)
      return fail(why, why_size, url, "bad port");
    n->ep.port = (unsigned)p;
  }
  const char *path = slash ? slash : "/";
  if (strlen(path) >= sizeof n->path || strpbrk(path, " \r\n?#"))
    return fail(why, why_size, url, "bad path");
  snprintf(n->path, sizeof n->path, "%s", path);
  return 0;
}

int synth__rpc_set_auth(struct synth__rpc_node *n, const char *userpass)
{
  size_t len = strlen(userpass);
  if (6 + 4 * ((len + 2) / 3) + 1 > sizeof n->auth)
    return -1;
  memcpy(n->auth, "Basic ", 6);
  EVP_EncodeBlock((unsigned char *)n->auth + 6, (const unsigned char *)userpass, (int)len);
  return 0;
}

const char *synth__rpc_status_name(enum synth__rpc_status s)
{
  static const char *const names[] = {"ok",
                                      "cannot connect",
                                      "connection failed",
                                      "refused the credentials",
                                      "error",
                                      "malformed answer",
                                      "stopped"};
  return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* What one call reads: the deadline, the stop flag, the connection. */
struct reader {
  struct stratum_conn *c;
  uint64_t deadline_ns;
  const atomic_bool *stop;
  uint64_t answered_ns; /* when the status line came */
};

/* The milliseconds of the next wait: at most 100, so that the stop flag is seen. Returns -1
 * past the deadline, -2 when stopping. */
static long slice_ms(const struct reader *r)
{
  if (r->stop && atomic_load(r->stop))
    return -2;
  uint64_t now = synth__now_ns();
  if (now >= r->deadline_ns)
    return -1;
  uint64_t left = (r->deadline_ns - now) / 1000000u + 1;
  return left < 100 ? (long)left : 100;
}

/* A header line; returns its length, or an rpc status (negated) when none came. */
static int read_line(struct reader *r, char **line)
{
  for (;;) {
    long ms = slice_ms(r);
    if (ms < 0)
      return ms == -2 ? -SYNTH__RPC_STOPPED : -SYNTH__RPC_IO;
    int n = stratum_conn_read_line(r->c, line, (unsigned)ms);
    if (n >= 0)
      return n;
    if (n == STRATUM_CONN_TOO_LONG)
      return -SYNTH__RPC_MALFORMED;
    if (n == STRATUM_CONN_CLOSED)
      return -SYNTH__RPC_IO;
  }
}

/* Exactly @n bytes into @dst (0), or until the peer closes when @to_close (then *got). */
static int read_bytes(struct reader *r, char *dst, size_t n, bool to_close, size_t *got)
{
  size_t off = 0;
  while (off < n) {
    long ms = slice_ms(r);
    if (ms < 0)
      return ms == -2 ? SYNTH__RPC_STOPPED : SYNTH__RPC_IO;
    long k = stratum_conn_read(r->c, dst + off, n - off, (unsigned)ms);
    if (k == STRATUM_CONN_CLOSED) {
      if (to_close) {
        *got = off;
        return 0;
      }
      return SYNTH__RPC_IO;
    }
    if (k > 0)
      off += (size_t)k;
  }
  if (got)
    *got = off;
  return to_close ? SYNTH__RPC_MALFORMED : 0; /* a close-delimited body past the limit */
}

/* A body grown as it is read. */
struct body {
  char *p;
  size_t len, cap;
};

static int body_room(struct body *b, size_t more)
{
  if (more > SYNTH__RPC_BODY_MAX - b->len)
    return SYNTH__RPC_MALFORMED;
  if (b->len + more + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more + 1)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p)
    return SYNTH__RPC_MALFORMED;
  b->p = p;
  b->cap = cap;
  return 0;
}

static int read_chunked(struct reader *r, struct body *b)
{
  for (;;) {
    char *line;
    int n = read_line(r, &line);
    if (n < 0)
      return -n;
    char *end;
    unsigned long long size = strtoull(line, &end, 16);
    if (end == line || (*end && *end != ';'))
      return SYNTH__RPC_MALFORMED;
    if (size == 0) { /* trailers, then the empty line */
      while ((n = read_line(r, &line)) > 0) {
      }
      return n < 0 ? -n : 0;
    }
    int rc = body_room(b, size);
    if (rc == 0)
      rc = read_bytes(r, b->p + b->len, (size_t)size, false, NULL);
    if (rc != 0)
      return rc;
    b->len += (size_t)size;
    if ((n = read_line(r, &line)) != 0) /* the chunk's CRLF */
      return n < 0 ? -n : SYNTH__RPC_MALFORMED;
  }
}

/* Status line, headers and body into @b; returns an rpc status. */
static int read_response(struct reader *r, int *http_status, struct body *b)
{
  char *line;
  int n = read_line(r, &line);
  if (n < 0)
    return -n;
  r->answered_ns = synth__now_ns();
  int major, minor, status;
  if (sscanf(line, "HTTP/%d.%d %d", &major, &minor, &status) != 3 || major != 1 || status < 100 ||
      status > 599)
    return SYNTH__RPC_MALFORMED;
  *http_status = status;
  long long length = -1;
  bool chunked = false;
  unsigned headers = 0;
  while ((n = read_line(r, &line)) > 0) {
    if (++headers > 100)
      return SYNTH__RPC_MALFORMED;
    if (strncasecmp(line, "Content-Length:", 15) == 0) {
      char *end;
      length = strtoll(line + 15, &end, 10);
      if (length < 0 || (*end && *end != ' '))
        return SYNTH__RPC_MALFORMED;
    } else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0) {
      chunked = strstr(line + 18, "chunked") != NULL;
    }
  }
  if (n < 0)
    return -n;
  int rc;
  if (chunked) {
    rc = read_chunked(r, b);
  } else if (length >= 0) {
    if ((unsigned long long)length > SYNTH__RPC_BODY_MAX)
      return SYNTH__RPC_MALFORMED;
    rc = body_room(b, (size_t)length);
    if (rc == 0 && (rc = read_bytes(r, b->p, (size_t)length, false, NULL)) == 0)
      b->len = (size_t)length;
  } else {
    size_t got = 0;
    rc = body_room(b, SYNTH__RPC_BODY_MAX / 64);
    while (rc == 0) {
      rc = read_bytes(r, b->p + b->len, b->cap - b->len - 1, true, &got);
      b->len += got;
      if (rc == SYNTH__RPC_MALFORMED) /* the buffer is full: grow it, go on */
        rc = body_room(b, b->cap);
      else
        break;
    }
  }
  if (rc == 0 && b->p)
    b->p[b->len] = 0;
  return rc;
}

static enum synth__rpc_status set(struct synth__rpc_answer *out, enum synth__rpc_status s,
                                  const char *message)
{
  out->status = s;
  snprintf(out->message, sizeof out->message, "%s", message);
  return s;
}

/* The JSON-RPC envelope of a body: result, or the node's error. */
static enum synth__rpc_status take_body(struct synth__rpc_answer *out, const struct body *b)
{
  json_error_t e;
  json_t *root = b->p ? json_loadb(b->p, b->len, 0, &e) : NULL;
  if (!json_is_object(root)) {
    json_decref(root);
    char what[48];
    snprintf(what, sizeof what, "HTTP %d, no JSON-RPC answer", out->http_status);
    return set(out, SYNTH__RPC_MALFORMED, what);
  }
  json_t *err = json_object_get(root, "error"), *result = json_object_get(root, "result");
  enum synth__rpc_status s = SYNTH__RPC_OK;
  if (err && !json_is_null(err)) {
    json_t *code = json_object_get(err, "code"), *msg = json_object_get(err, "message");
    if (!json_is_object(err) || !json_is_integer(code)) {
      s = set(out, SYNTH__RPC_MALFORMED, "an error without an integer code");
    } else {
      out->code = json_integer_value(code);
      s = set(out, SYNTH__RPC_ERROR, json_is_string(msg) ? json_string_value(msg) : "");
    }
  } else if (!result) {
    s = set(out, SYNTH__RPC_MALFORMED, "no \"result\"");
  } else if (out->http_status != 200) {
    s = set(out, SYNTH__RPC_MALFORMED, "a result with an HTTP error status");
  } else {
    out->result = json_incref(result);
  }
  json_decref(root);
  return s;
}

enum synth__rpc_status synth__rpc_call(const struct synth__rpc_node *n, const char *method,
                                       json_t *params, int64_t id, unsigned timeout_ms,
                                       const atomic_bool *stop, struct synth__rpc_answer *out)
{
  memset(out, 0, sizeof *out);
  json_t *req = json_pack("{s:s,s:s,s:o,s:I}", "jsonrpc", "1.0", "method", method, "params",
                          params ? params : json_array(), "id", (json_int_t)id);
  char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
  json_decref(req);
  if (!text)
    return set(out, SYNTH__RPC_MALFORMED, "out of memory");
  size_t body_len = strlen(text);
  char head[1024];
  int hn = snprintf(head, sizeof head,
                    "POST %s HTTP/1.1\r\nHost: %s:%u\r\n%s%s%sContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                    n->path, n->ep.host, n->ep.port, n->auth[0] ? "Authorization: " : "", n->auth,
                    n->auth[0] ? "\r\n" : "", body_len);
  char why[192];
  unsigned connect_ms = n->connect_ms ? n->connect_ms : 5000;
  struct stratum_conn *c =
      stratum_conn_open(&n->ep, &n->tls, connect_ms, connect_ms, why, sizeof why);
  enum synth__rpc_status s;
  if (!c) {
    s = set(out, SYNTH__RPC_CONNECT, why);
  } else if (stratum_conn_send(c, head, (size_t)hn, timeout_ms) != 0 ||
             stratum_conn_send(c, text, body_len, timeout_ms) != 0) {
    s = set(out, SYNTH__RPC_IO, "cannot send the request");
  } else {
    struct reader r = {c, synth__now_ns() + (uint64_t)timeout_ms * 1000000u, stop, 0};
    struct body b = {0};
    int rc = read_response(&r, &out->http_status, &b);
    out->answered_ns = r.answered_ns;
    if (rc == SYNTH__RPC_STOPPED)
      s = set(out, SYNTH__RPC_STOPPED, "stopped");
    else if (rc == SYNTH__RPC_IO)
      s = set(out, SYNTH__RPC_IO, "no answer in time, or the connection closed");
    else if (rc != 0)
      s = set(out, SYNTH__RPC_MALFORMED, "not an HTTP/1.x answer, or over 64 MB");
    else if (out->http_status == 401 || out->http_status == 403)
      s = set(out, SYNTH__RPC_AUTH, "the node refused the RPC credentials");
    else
      s = take_body(out, &b);
    free(b.p);
  }
  explicit_bzero(head, sizeof head);
  stratum_conn_close(c);
  free(text);
  return s;
}
