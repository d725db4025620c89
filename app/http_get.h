/* http_get.h: a small blocking HTTP/1.1 GET over TCP, for `synthminer stats`. */
#ifndef SYNTH_CLI_HTTP_GET_H
#define SYNTH_CLI_HTTP_GET_H

#include <stddef.h>

/* An http:// URL taken apart. */
struct http_url {
  char host[256]; /* "127.0.0.1", "::1" (no brackets), "localhost" */
  char port[8];   /* "4077"; "80" when the URL names none */
  char path[512]; /* "/" when the URL names none */
};

/* Parses "http://HOST[:PORT][/PATH]" (an IPv6 host in brackets). Returns 0, or -1 for anything
 * else: another scheme, user info, an empty host, a bad port, a query or fragment. */
int http_parse_url(const char *url, struct http_url *out);

struct http_response {
  int status; /* 200, 404, ... */
  char *body; /* malloc'd and NUL-terminated; free with http_response_free() */
  size_t body_len;
  char content_type[128];
};

enum http_error {
  HTTP_ERESOLVE = -1, /* the host name does not resolve */
  HTTP_ECONNECT = -2, /* nothing answers: refused, unreachable, timed out connecting */
  HTTP_EIO = -3,      /* the connection failed or timed out after it was made */
  HTTP_EPROTO = -4,   /* not an HTTP/1.x response we can read (chunked, malformed) */
  HTTP_ETOOBIG = -5,  /* more than max_body bytes */
  HTTP_ENOMEM = -6,
};

/*
 * GETs path from the URL's host and port, with "Authorization: Bearer <token>" when token is
 * not NULL, waiting at most timeout_ms for each step. Reads a Content-Length or a
 * close-delimited body of at most max_body bytes. Returns 0 and *out (any status), or an
 * http_error with a short reason ("connection refused") in reason. Thread-safe.
 */
int http_get(const struct http_url *url, const char *path, const char *token, int timeout_ms,
             size_t max_body, struct http_response *out, char *reason, size_t reason_size);

void http_response_free(struct http_response *r);

#endif
