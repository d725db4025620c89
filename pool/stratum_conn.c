/* stratum_conn.c: one connection to a pool, TCP or TLS, read a line at a time with timeouts. */
#include "stratum_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/clock.h"

struct stratum_conn {
  int fd;
  SSL_CTX *ctx;
  SSL *ssl;
  size_t start, end; /* unread bytes are buf[start..end) */
  char buf[STRATUM_LINE_MAX + 4096];
};

int stratum_endpoint_parse(const char *url, struct stratum_endpoint *ep, char *why, size_t why_size)
{
  memset(ep, 0, sizeof *ep);
  static const struct {
    const char *scheme;
    bool tls;
  } schemes[] = {{"stratum+tcp://", false}, {"stratum+ssl://", true}, {"stratum+tls://", true}};
  const char *rest = NULL;
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0] && !rest; i++) {
    size_t n = strlen(schemes[i].scheme);
    if (strncmp(url, schemes[i].scheme, n) == 0) {
      rest = url + n;
      ep->tls = schemes[i].tls;
    }
  }
  if (!rest)
    return stratum_fail(why, why_size,
                        "%s: expected stratum+tcp://HOST:PORT or stratum+ssl://HOST:PORT", url);
  const char *host = rest, *colon;
  size_t hlen;
  if (*rest == '[') { /* [IPv6]:port */
    const char *close = strchr(rest, ']');
    if (!close || close[1] != ':')
      return stratum_fail(why, why_size, "%s: bad IPv6 address", url);
    host = rest + 1;
    hlen = (size_t)(close - host);
    colon = close + 1;
  } else {
    colon = strrchr(rest, ':');
    if (!colon)
      return stratum_fail(why, why_size, "%s: no port", url);
    hlen = (size_t)(colon - rest);
  }
  if (hlen == 0 || hlen >= sizeof ep->host)
    return stratum_fail(why, why_size, "%s: bad host", url);
  memcpy(ep->host, host, hlen);
  ep->host[hlen] = 0;
  for (size_t i = 0; i < hlen; i++) {
    char ch = ep->host[i];
    if (!(ch == '.' || ch == '-' || ch == ':' || (ch >= '0' && ch <= '9') ||
          (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
      return stratum_fail(why, why_size, "%s: bad host", url);
  }
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (!colon[1] || (*end && strcmp(end, "/") != 0) || port < 1 || port > 65535)
    return stratum_fail(why, why_size, "%s: bad port", url);
  ep->port = (unsigned)port;
  return 0;
}

static long long now_ms(void)
{
  return (long long)(synth__now_ns() / 1000000u);
}

/* Waits until fd is ready for events, up to ms. Returns > 0 ready, 0 timeout, < 0 error. */
static int wait_fd(int fd, short events, long long ms)
{
  struct pollfd p = {fd, events, 0};
  int rc;
  do
    rc = poll(&p, 1, ms < 0 ? 0 : (int)ms);
  while (rc < 0 && errno == EINTR);
  return rc;
}

static int tcp_connect(const struct stratum_endpoint *ep, unsigned timeout_ms, char *why, size_t ws)
{
  char port[8];
  snprintf(port, sizeof port, "%u", ep->port);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
  int rc = getaddrinfo(ep->host, port, &hints, &res);
  if (rc != 0)
    return stratum_fail(why, ws, "%s: %s", ep->host, gai_strerror(rc));
  long long deadline = now_ms() + timeout_ms;
  int fd = -1, err = 0;
  for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      err = 0;
    } else if (errno != EINPROGRESS) {
      err = errno;
    } else if (wait_fd(fd, POLLOUT, deadline - now_ms()) <= 0) {
      err = ETIMEDOUT;
    } else {
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0)
    return stratum_fail(why, ws, "cannot connect to %s:%u: %s", ep->host, ep->port, strerror(err));
  int one = 1; /* submits are small and latency matters */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  return fd;
}

/* Drives a TLS call that may want to read or write until it completes or the deadline. */
static int ssl_wait(struct stratum_conn *c, int rc, long long deadline)
{
  int e = SSL_get_error(c->ssl, rc);
  if (e == SSL_ERROR_WANT_READ)
    return wait_fd(c->fd, POLLIN, deadline - now_ms()) > 0 ? 0 : -1;
  if (e == SSL_ERROR_WANT_WRITE)
    return wait_fd(c->fd, POLLOUT, deadline - now_ms()) > 0 ? 0 : -1;
  return -1;
}

static int tls_start(struct stratum_conn *c, const struct stratum_endpoint *ep,
                     const struct stratum_tls_options *tls, unsigned timeout_ms, char *why,
                     size_t ws)
{
  c->ctx = SSL_CTX_new(TLS_client_method());
  if (!c->ctx)
    return stratum_fail(why, ws, "TLS: cannot create a context");
  SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
  if (!tls->insecure) {
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    int ok = tls->ca_file ? SSL_CTX_load_verify_locations(c->ctx, tls->ca_file, NULL)
                          : SSL_CTX_set_default_verify_paths(c->ctx);
    if (ok != 1)
      return stratum_fail(why, ws, "TLS: cannot load CA certificates%s%s",
                          tls->ca_file ? " from " : "", tls->ca_file ? tls->ca_file : "");
  }
  c->ssl = SSL_new(c->ctx);
  if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
    return stratum_fail(why, ws, "TLS: cannot set up the connection");
  SSL_set_tlsext_host_name(c->ssl, ep->host);
  if (!tls->insecure) {
    /* The certificate must name the host we asked for (an IP address matches its SAN). */
    X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, ep->host) != 1)
      SSL_set1_host(c->ssl, ep->host);
  }
  long long deadline = now_ms() + timeout_ms;
  int rc;
  while ((rc = SSL_connect(c->ssl)) != 1) {
    if (ssl_wait(c, rc, deadline) != 0) {
      long v = SSL_get_verify_result(c->ssl);
      if (v != X509_V_OK)
        return stratum_fail(why, ws,
                            "TLS: certificate of %s not trusted: %s (use --tls-insecure for a "
                            "self-signed pool)",
                            ep->host, X509_verify_cert_error_string(v));
      unsigned long e = ERR_get_error();
      return stratum_fail(why, ws, "TLS handshake with %s failed: %s", ep->host,
                          e ? ERR_reason_error_string(e) : "timed out or closed");
    }
  }
  return 0;
}

struct stratum_conn *stratum_conn_open(const struct stratum_endpoint *ep,
                                       const struct stratum_tls_options *tls, unsigned connect_ms,
                                       unsigned tls_ms, char *why, size_t why_size)
{
  struct stratum_conn *c = calloc(1, sizeof *c);
  if (!c) {
    stratum_fail(why, why_size, "out of memory");
    return NULL;
  }
  c->fd = tcp_connect(ep, connect_ms, why, why_size);
  if (c->fd < 0 || (ep->tls && tls_start(c, ep, tls, tls_ms, why, why_size) != 0)) {
    stratum_conn_close(c);
    return NULL;
  }
  return c;
}

int stratum_conn_send(struct stratum_conn *c, const char *buf, size_t len, unsigned timeout_ms)
{
  long long deadline = now_ms() + timeout_ms;
  size_t off = 0;
  while (off < len) {
    if (c->ssl) {
      size_t wrote = 0;
      int rc = SSL_write_ex(c->ssl, buf + off, len - off, &wrote);
      if (rc == 1) {
        off += wrote;
        continue;
      }
      if (ssl_wait(c, rc, deadline) != 0)
        return -1;
      continue;
    }
    ssize_t n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += (size_t)n;
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (wait_fd(c->fd, POLLOUT, deadline - now_ms()) <= 0)
        return -1;
    } else {
      return -1;
    }
  }
  return 0;
}

/* Reads what is there into the buffer. Returns > 0 bytes, 0 timeout, -1 closed or broken. */
static int fill(struct stratum_conn *c, long long deadline)
{
  if (c->start > 0) { /* keep the partial line at the front */
    memmove(c->buf, c->buf + c->start, c->end - c->start);
    c->end -= c->start;
    c->start = 0;
  }
  size_t room = sizeof c->buf - c->end;
  for (;;) {
    if (c->ssl) {
      size_t got = 0;
      int rc = SSL_read_ex(c->ssl, c->buf + c->end, room, &got);
      if (rc == 1) {
        c->end += got;
        return (int)got;
      }
      int e = SSL_get_error(c->ssl, rc);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
        return -1;
      int w = wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline - now_ms());
      if (w <= 0)
        return w < 0 ? -1 : 0;
      continue;
    }
    ssize_t n = recv(c->fd, c->buf + c->end, room, 0);
    if (n > 0) {
      c->end += (size_t)n;
      return (int)n;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR))
      return -1;
    int w = wait_fd(c->fd, POLLIN, deadline - now_ms());
    if (w <= 0)
      return w < 0 ? -1 : 0;
  }
}

int stratum_conn_read_line(struct stratum_conn *c, char **line, unsigned timeout_ms)
{
  long long deadline = now_ms() + timeout_ms;
  for (;;) {
    char *nl = memchr(c->buf + c->start, '\n', c->end - c->start);
    if (nl) {
      char *s = c->buf + c->start;
      size_t len = (size_t)(nl - s);
      if (len > STRATUM_LINE_MAX)
        return STRATUM_CONN_TOO_LONG;
      if (len > 0 && s[len - 1] == '\r')
        len--;
      s[len] = 0;
      c->start = (size_t)(nl - c->buf) + 1;
      *line = s;
      return (int)len;
    }
    if (c->end - c->start > STRATUM_LINE_MAX)
      return STRATUM_CONN_TOO_LONG;
    int got = fill(c, deadline);
    if (got < 0)
      return STRATUM_CONN_CLOSED;
    if (got == 0)
      return STRATUM_CONN_TIMEOUT;
  }
}

long stratum_conn_read(struct stratum_conn *c, void *dst, size_t n, unsigned timeout_ms)
{
  if (c->end == c->start) {
    int got = fill(c, now_ms() + timeout_ms);
    if (got <= 0)
      return got < 0 ? STRATUM_CONN_CLOSED : STRATUM_CONN_TIMEOUT;
  }
  size_t take = c->end - c->start < n ? c->end - c->start : n;
  memcpy(dst, c->buf + c->start, take);
  c->start += take;
  return (long)take;
}

void stratum_conn_close(struct stratum_conn *c)
{
  if (!c)
    return;
  if (c->ssl) {
    SSL_shutdown(c->ssl); /* best effort: the socket is non-blocking */
    SSL_free(c->ssl);
  }
  SSL_CTX_free(c->ctx);
  if (c->fd >= 0)
    close(c->fd);
  free(c);
}
