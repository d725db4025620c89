/* http_get.c: a small blocking HTTP/1.1 GET over TCP, for `synthminer stats`. */
#include "http_get.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <synth/version.h>

#define HEADER_MAX 16384 /* status line and headers together */

/* ---- URLs ---- */

static bool host_chars_ok(const char *s, size_t n, bool ipv6)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    bool ok =
        ipv6 ? isxdigit(c) || c == ':' || c == '.' : isalnum(c) || c == '-' || c == '.' || c == '_';
    if (!ok)
      return false;
  }
  return n > 0;
}

static int parse_port(const char *s, size_t n, char *out, size_t out_size)
{
  if (n == 0 || n > 5)
    return -1;
  unsigned v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -1;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  if (v == 0 || v > 65535)
    return -1;
  snprintf(out, out_size, "%u", v);
  return 0;
}

int http_parse_url(const char *url, struct http_url *out)
{
  memset(out, 0, sizeof *out);
  if (strncasecmp(url, "http://", 7) != 0)
    return -1;
  const char *auth = url + 7, *slash = strchr(auth, '/');
  size_t auth_len = slash ? (size_t)(slash - auth) : strlen(auth);
  const char *path = slash ? slash : "/";
  if (strlen(path) >= sizeof out->path || strpbrk(url, "?#@ \t\r\n"))
    return -1;
  const char *host = auth, *colon;
  size_t host_len;
  bool ipv6 = auth_len > 0 && auth[0] == '[';
  if (ipv6) {
    const char *close = memchr(auth, ']', auth_len);
    if (!close)
      return -1;
    host = auth + 1;
    host_len = (size_t)(close - host);
    colon = close + 1 < auth + auth_len ? close + 1 : NULL;
    if (colon && *colon != ':')
      return -1;
  } else {
    colon = memchr(auth, ':', auth_len);
    host_len = colon ? (size_t)(colon - auth) : auth_len;
  }
  if (!host_chars_ok(host, host_len, ipv6) || host_len >= sizeof out->host)
    return -1;
  memcpy(out->host, host, host_len);
  if (colon) {
    if (parse_port(colon + 1, (size_t)(auth + auth_len - colon - 1), out->port, sizeof out->port) !=
        0)
      return -1;
  } else {
    snprintf(out->port, sizeof out->port, "80");
  }
  snprintf(out->path, sizeof out->path, "%s", path);
  return 0;
}

/* ---- the exchange ---- */

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline. Returns 1 when ready, 0 on timeout, -1 on error. */
static int wait_fd(int fd, short events, long long deadline)
{
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0)
      return 0;
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, (int)left);
    if (n >= 0 || errno != EINTR)
      return n > 0 ? 1 : n;
  }
}

static void say(char *reason, size_t size, int err)
{
  if (err == ECONNREFUSED)
    snprintf(reason, size, "connection refused");
  else if (err == ETIMEDOUT)
    snprintf(reason, size, "timed out");
  else
    snprintf(reason, size, "%s", strerror(err));
  reason[0] = (char)tolower((unsigned char)reason[0]); /* part of a sentence */
}

/* One connected, non-blocking socket to the first address that answers, or an http_error. */
static int connect_to(const struct http_url *url, long long deadline, char *reason, size_t size)
{
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *list;
  int rc = getaddrinfo(url->host, url->port, &hints, &list);
  if (rc != 0) {
    snprintf(reason, size, "cannot resolve %s: %s", url->host, gai_strerror(rc));
    return HTTP_ERESOLVE;
  }
  int err = ECONNREFUSED;
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      freeaddrinfo(list);
      return fd;
    }
    err = errno;
    if (err == EINPROGRESS) {
      int ready = wait_fd(fd, POLLOUT, deadline);
      socklen_t len = sizeof err;
      if (ready <= 0)
        err = ready == 0 ? ETIMEDOUT : errno;
      else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
      if (err == 0) {
        freeaddrinfo(list);
        return fd;
      }
    }
    close(fd);
  }
  freeaddrinfo(list);
  say(reason, size, err);
  return HTTP_ECONNECT;
}

/* Returns 0, or the errno value that stopped it (ETIMEDOUT past the deadline). */
static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
  while (len > 0) {
    int ready = wait_fd(fd, POLLOUT, deadline);
    if (ready <= 0)
      return ready == 0 ? ETIMEDOUT : errno;
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR && errno != EAGAIN)
      return errno;
    if (n > 0) {
      buf += n;
      len -= (size_t)n;
    }
  }
  return 0;
}

/* What the head of a response says. */
struct head {
  size_t len; /* bytes up to and including the blank line */
  int status;
  long long content_length; /* -1: until the connection closes */
  bool chunked;
  char content_type[128];
};

/* Trims spaces and tabs around a header value of n bytes into out. */
static void header_value(const char *v, size_t n, char *out, size_t size)
{
  while (n > 0 && (*v == ' ' || *v == '\t'))
    v++, n--;
  while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
    n--;
  snprintf(out, size, "%.*s", (int)n, v);
}

/* Parses buf[0..len) once it holds the whole head. Returns 1 when parsed, 0 when more is
 * needed, -1 when it is not an HTTP/1.x response. */
static int parse_head(const char *buf, size_t len, struct head *h)
{
  const char *end = memmem(buf, len, "\r\n\r\n", 4);
  if (!end)
    return len > HEADER_MAX ? -1 : 0;
  memset(h, 0, sizeof *h);
  h->len = (size_t)(end - buf) + 4;
  h->content_length = -1;
  if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' ||
      !isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) ||
      !isdigit((unsigned char)buf[11]))
    return -1;
  h->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
  const char *line = (const char *)memmem(buf, (size_t)(end - buf) + 2, "\r\n", 2) + 2;
  while (line < end) {
    const char *eol = memmem(line, (size_t)(end - line) + 2, "\r\n", 2);
    const char *colon = memchr(line, ':', (size_t)(eol - line));
    char value[128];
    if (colon) {
      size_t name_len = (size_t)(colon - line);
      header_value(colon + 1, (size_t)(eol - colon - 1), value, sizeof value);
      if (name_len == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
        char *stop;
        errno = 0;
        h->content_length = strtoll(value, &stop, 10);
        if (errno || *stop || stop == value || h->content_length < 0)
          return -1;
      } else if (name_len == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
        h->chunked = strcasecmp(value, "identity") != 0;
      } else if (name_len == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
        snprintf(h->content_type, sizeof h->content_type, "%s", value);
      }
    }
    line = eol + 2;
  }
  return 1;
}

/* Reads the response into *buf until the body is complete. Returns 0 or an http_error. */
static int read_response(int fd, long long deadline, size_t max_body, char **buf, size_t *len,
                         struct head *h, char *reason, size_t size)
{
  size_t cap = 4096, limit = HEADER_MAX + max_body;
  int parsed = 0;
  *len = 0;
  if (!(*buf = malloc(cap + 1)))
    return HTTP_ENOMEM;
  for (;;) {
    if (parsed == 1 && h->content_length >= 0 && *len >= h->len + (size_t)h->content_length)
      return 0;
    if (*len == cap) {
      size_t want = cap * 2 < limit ? cap * 2 : limit;
      if (want <= cap) {
        snprintf(reason, size, "response larger than %zu bytes", max_body);
        return HTTP_ETOOBIG;
      }
      char *grown = realloc(*buf, want + 1);
      if (!grown)
        return HTTP_ENOMEM;
      *buf = grown;
      cap = want;
    }
    int ready = wait_fd(fd, POLLIN, deadline);
    ssize_t n = ready > 0 ? recv(fd, *buf + *len, cap - *len, 0) : -1;
    if (n < 0 && ready > 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0) {
      say(reason, size, ready == 0 ? ETIMEDOUT : errno);
      return HTTP_EIO;
    }
    if (n == 0) { /* closed: the end of a close-delimited body, or too early */
      if (parsed == 1 && h->content_length < 0)
        return 0;
      snprintf(reason, size, "connection closed before the response ended");
      return HTTP_EIO;
    }
    *len += (size_t)n;
    (*buf)[*len] = '\0';
    if (parsed == 0 && (parsed = parse_head(*buf, *len, h)) < 0) {
      snprintf(reason, size, "not an HTTP response");
      return HTTP_EPROTO;
    }
    if (parsed == 1 && h->chunked) {
      snprintf(reason, size, "chunked responses are not supported");
      return HTTP_EPROTO;
    }
    if (parsed == 1 && h->content_length > (long long)max_body) {
      snprintf(reason, size, "response larger than %zu bytes", max_body);
      return HTTP_ETOOBIG;
    }
  }
}

static int format_request(char *req, size_t size, const struct http_url *url, const char *path,
                          const char *token)
{
  bool ipv6 = strchr(url->host, ':') != NULL;
  int n =
      snprintf(req, size,
               "GET %s HTTP/1.1\r\nHost: %s%s%s:%s\r\nUser-Agent: synthminer/%s\r\n"
               "Accept: */*\r\nConnection: close\r\n%s%s%s\r\n",
               path, ipv6 ? "[" : "", url->host, ipv6 ? "]" : "", url->port, synth_version_string(),
               token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
  return n > 0 && (size_t)n < size ? n : -1;
}

int http_get(const struct http_url *url, const char *path, const char *token, int timeout_ms,
             size_t max_body, struct http_response *out, char *reason, size_t reason_size)
{
  memset(out, 0, sizeof *out);
  char req[2048];
  int req_len = format_request(req, sizeof req, url, path, token);
  if (req_len < 0 || strpbrk(path, " \r\n") || (token && strpbrk(token, "\r\n"))) {
    snprintf(reason, reason_size, "request too long or malformed");
    return HTTP_EPROTO;
  }
  long long deadline = now_ms() + timeout_ms;
  int fd = connect_to(url, deadline, reason, reason_size);
  if (fd < 0)
    return fd;
  char *buf = NULL;
  size_t len = 0;
  struct head h;
  int rc = 0;
  int err = send_all(fd, req, (size_t)req_len, deadline);
  if (err != 0) {
    say(reason, reason_size, err);
    rc = HTTP_EIO;
  } else {
    rc = read_response(fd, deadline, max_body, &buf, &len, &h, reason, reason_size);
  }
  close(fd);
  if (rc != 0) {
    free(buf);
    return rc;
  }
  /* The body moves to the front of the buffer, so out->body is the malloc'd block. */
  out->status = h.status;
  out->body_len = h.content_length >= 0 ? (size_t)h.content_length : len - h.len;
  memmove(buf, buf + h.len, out->body_len);
  buf[out->body_len] = '\0';
  out->body = buf;
  snprintf(out->content_type, sizeof out->content_type, "%s", h.content_type);
  return 0;
}

void http_response_free(struct http_response *r)
{
  free(r->body);
  memset(r, 0, sizeof *r);
}
