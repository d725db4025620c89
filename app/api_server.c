/* api_server.c: the local HTTP API of `synthminer run` (JSON and Prometheus), on its own thread. */
#include "api_server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api_host.h"
#include "api_metrics.h"

struct api_server {
  struct MHD_Daemon *daemon;
  struct api_server_config cfg;
  unsigned port;
  struct sockaddr_storage bound; /* what the Host header may name besides loopback */
  bool wildcard;                 /* 0.0.0.0 or ::: the connection's own address instead */
};

#define JSON_TYPE "application/json"
#define DEVICE_PREFIX "/api/devices/"
#define BODY_MAX 4096 /* a control request's JSON body, at most */

/* One request's body, gathered as MHD hands it over. */
struct request {
  char body[BODY_MAX + 1];
  size_t len;
  bool too_big;
};

/* ---- addresses ---- */

static int parse_bind(const char *bind, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *len = sizeof *v4;
    return 0;
  }
  if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *len = sizeof *v6;
    return 0;
  }
  return API_SERVER_EADDR;
}

bool api_bind_is_loopback(const char *bind)
{
  struct sockaddr_storage ss;
  socklen_t len;
  return parse_bind(bind, 0, &ss, &len) == 0 && api_addr_is_loopback(&ss);
}

/* "127.0.0.1:4077" or "[::1]:4077", for messages. */
static void where(const char *bind, unsigned port, char *buf, size_t size)
{
  snprintf(buf, size, strchr(bind, ':') ? "[%s]:%u" : "%s:%u", bind, port);
}

/* Our own socket rather than MHD's, so "in use" can be told apart from other failures. */
static int open_listener(const struct api_server_config *cfg, unsigned *port, char *msg,
                         size_t msg_size)
{
  struct sockaddr_storage ss;
  socklen_t len;
  char at[80];
  where(cfg->bind, cfg->port, at, sizeof at);
  if (parse_bind(cfg->bind, cfg->port, &ss, &len) != 0) {
    snprintf(msg, msg_size, "--api-bind '%s': expected an IPv4 or IPv6 address", cfg->bind);
    return API_SERVER_EADDR;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(msg, msg_size, "cannot open a socket for %s: %s", at, strerror(errno));
    return API_SERVER_ESYS;
  }
  int one = 1;
  /* A restart may bind while the last run's connections linger in TIME_WAIT; Linux still
   * refuses a second listener on the same address and port. */
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (ss.ss_family == AF_INET6) /* "::" means IPv6 only, so the flag says what it says */
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 16) != 0) {
    int err = errno;
    close(fd);
    char reason[128];
    snprintf(reason, sizeof reason, "%s", strerror(err));
    reason[0] = (char)tolower((unsigned char)reason[0]); /* "address already in use" */
    snprintf(msg, msg_size, "cannot listen on %s: %s", at, reason);
    return err == EADDRINUSE ? API_SERVER_EBUSY : API_SERVER_ESYS;
  }
  len = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &len);
  *port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
  return fd;
}

/* ---- responses ---- */

static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, char *body, size_t len,
                                 const char *type, const char *allow)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (allow)
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
  if (status == MHD_HTTP_UNAUTHORIZED)
    MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"synthminer\"");
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

/* v (borrowed) as indented JSON and a newline. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *v,
                                 const char *allow)
{
  char *text = json_dumps(v, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
  size_t len = text ? strlen(text) : 0;
  char *body = text ? realloc(text, len + 2) : NULL;
  if (!body) {
    free(text);
    return MHD_NO;
  }
  body[len++] = '\n';
  body[len] = '\0';
  return send_body(c, status, body, len, JSON_TYPE, allow);
}

/* {"error": message, "status": status}: every failure has a small JSON body. */
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *message,
                                  const char *allow)
{
  json_t *e = json_pack("{s:s, s:i}", "error", message, "status", (int)status);
  enum MHD_Result ok = e ? send_json(c, status, e, allow) : MHD_NO;
  json_decref(e);
  return ok;
}

/* ---- requests ---- */

/* Equal in time that depends on the expected token's length only, not on where they differ. */
static bool token_equal(const char *given, const char *want)
{
  size_t given_len = strlen(given), want_len = strlen(want);
  unsigned char diff = given_len != want_len;
  for (size_t i = 0; i < want_len; i++)
    diff |= (unsigned char)(want[i] ^ (i < given_len ? given[i] : 0));
  return diff == 0;
}

static bool authorized(struct MHD_Connection *c, const char *token)
{
  const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  if (!h || strncasecmp(h, "Bearer ", 7) != 0)
    return false;
  h += 7;
  while (*h == ' ')
    h++;
  return token_equal(h, token);
}

static enum MHD_Result post_stop(struct api_server *s, struct MHD_Connection *c, const char *method)
{
  if (!s->cfg.token)
    return send_error(c, MHD_HTTP_FORBIDDEN,
                      "write endpoints are off: start synthminer run with --api-token", NULL);
  if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
    return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", "POST");
  s->cfg.stop_fn(s->cfg.stop_user);
  json_t *ok = json_pack("{s:b}", "stopping", 1);
  enum MHD_Result r = ok ? send_json(c, MHD_HTTP_OK, ok, NULL) : MHD_NO;
  json_decref(ok);
  return r;
}

bool api_is_control_path(const char *url)
{
  static const char *const paths[] = {"/api/reload", "/api/pause", "/api/resume",
                                      "/api/pool/switch"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    if (strcmp(url, paths[i]) == 0)
      return true;
  if (strncmp(url, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) != 0)
    return false;
  const char *id = url + strlen(DEVICE_PREFIX), *slash = strchr(id, '/');
  if (!slash || slash == id)
    return false;
  static const char *const actions[] = {"pause", "resume", "target-latency", "power-limit"};
  for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
    if (strcmp(slash + 1, actions[i]) == 0)
      return true;
  return false;
}

/* A control endpoint: POST with the token, a JSON object body or none. */
static enum MHD_Result post_control(struct api_server *s, struct MHD_Connection *c, const char *url,
                                    const char *method, struct request *rq)
{
  if (!s->cfg.token)
    return send_error(c, MHD_HTTP_FORBIDDEN,
                      "write endpoints are off: start synthminer run with --api-token", NULL);
  if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
    return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", "POST");
  if (!s->cfg.control_fn)
    return send_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL);
  if (rq->too_big)
    return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the body is over 4096 bytes", NULL);
  json_t *body = NULL;
  if (rq->len) {
    json_error_t e;
    body = json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(body)) {
      json_decref(body);
      return send_error(c, MHD_HTTP_BAD_REQUEST, "the body is not a JSON object", NULL);
    }
  }
  char msg[512] = "";
  unsigned status =
      s->cfg.control_fn(s->cfg.control_user, url + strlen("/api/"), body, msg, sizeof msg);
  json_decref(body);
  if (status != MHD_HTTP_OK)
    return send_error(c, status, msg, NULL);
  json_t *ok = json_pack("{s:b, s:s}", "ok", 1, "message", msg);
  enum MHD_Result r = ok ? send_json(c, MHD_HTTP_OK, ok, NULL) : MHD_NO;
  json_decref(ok);
  return r;
}

static enum MHD_Result send_index(struct MHD_Connection *c, bool writable)
{
  json_t *paths = json_pack("[s,s,s,s,s,s]", "/api/summary", "/api/devices", "/api/devices/<id>",
                            "/api/job", "/api/pool", "/metrics");
  static const char *const writes[] = {"POST /api/stop",
                                       "POST /api/reload",
                                       "POST /api/pause",
                                       "POST /api/resume",
                                       "POST /api/pool/switch",
                                       "POST /api/devices/<id>/pause",
                                       "POST /api/devices/<id>/resume",
                                       "POST /api/devices/<id>/target-latency",
                                       "POST /api/devices/<id>/power-limit"};
  for (size_t i = 0; paths && writable && i < sizeof writes / sizeof writes[0]; i++)
    json_array_append_new(paths, json_string(writes[i]));
  json_t *o = paths ? json_pack("{s:s, s:o}", "service", "synthminer", "endpoints", paths) : NULL;
  enum MHD_Result r = o ? send_json(c, MHD_HTTP_OK, o, NULL) : MHD_NO;
  json_decref(o);
  return r;
}

static enum MHD_Result send_metrics(struct MHD_Connection *c, json_t *snap)
{
  size_t len;
  char *text = api_metrics_render(snap, &len);
  return text ? send_body(c, MHD_HTTP_OK, text, len, API_METRICS_CONTENT_TYPE, NULL) : MHD_NO;
}

/* A read endpoint, answered from a snapshot taken for this request. */
static enum MHD_Result get_read(struct api_server *s, struct MHD_Connection *c, const char *url)
{
  json_t *snap = api_snapshot(s->cfg.state);
  if (!snap)
    return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
  enum MHD_Result r;
  if (strcmp(url, "/metrics") == 0) {
    r = send_metrics(c, snap);
  } else if (strcmp(url, "/api/summary") == 0) {
    r = send_json(c, MHD_HTTP_OK, snap, NULL);
  } else if (strncmp(url, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) == 0) {
    json_t *d = api_snapshot_device(snap, url + strlen(DEVICE_PREFIX));
    r = d ? send_json(c, MHD_HTTP_OK, d, NULL)
          : send_error(c, MHD_HTTP_NOT_FOUND, "no such device", NULL);
  } else {
    /* "/api/devices" -> "devices", "/api/job" -> "job", "/api/pool" -> "pool" */
    r = send_json(c, MHD_HTTP_OK, json_object_get(snap, url + strlen("/api/")), NULL);
  }
  json_decref(snap);
  return r;
}

static bool is_read_path(const char *url)
{
  static const char *const paths[] = {"/api/summary", "/api/devices", "/api/job",
                                      "/api/pool",    "/metrics",     "/"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    if (strcmp(url, paths[i]) == 0)
      return true;
  return strncmp(url, DEVICE_PREFIX, strlen(DEVICE_PREFIX)) == 0 && url[strlen(DEVICE_PREFIX)];
}

static enum MHD_Result count_host(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
  (void)kind;
  (void)value;
  *(unsigned *)cls += strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0;
  return MHD_YES;
}

/*
 * Whether the request names this API (api_host.h). Returns 0, or the status to refuse it
 * with and its reason: 400 for no Host in HTTP/1.1 or more than one (RFC 9112, 3.2), 421 for
 * one that names another host. HTTP/1.0 may leave it out.
 */
static unsigned check_host(const struct api_server *s, struct MHD_Connection *c,
                           const char *version, const char **why)
{
  unsigned hosts = 0;
  MHD_get_connection_values(c, MHD_HEADER_KIND, count_host, &hosts);
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
  if (hosts > 1 || (!host && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)) {
    *why = "bad request: an HTTP/1.1 request has exactly one Host header";
    return MHD_HTTP_BAD_REQUEST;
  }
  struct sockaddr_storage local, *at = NULL;
  if (host && s->wildcard) { /* only then does the address it came in on matter */
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    socklen_t len = sizeof local;
    if (ci && getsockname(ci->connect_fd, (struct sockaddr *)&local, &len) == 0)
      at = &local;
  }
  if (api_host_allowed(host, &s->bound, at))
    return 0;
  *why = "misdirected request: the Host header names neither this API's address nor localhost "
         "(DNS rebinding protection)";
  return MHD_HTTP_MISDIRECTED_REQUEST;
}

static enum MHD_Result respond(struct api_server *s, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, struct request *rq)
{
  /* First, before the token: a page rebinding its name to us learns nothing, stops nothing. */
  const char *why;
  unsigned refused = check_host(s, c, version, &why);
  if (refused)
    return send_error(c, refused, why, NULL);
  if (s->cfg.token && !authorized(c, s->cfg.token))
    return send_error(c, MHD_HTTP_UNAUTHORIZED, "unauthorized: send Authorization: Bearer <token>",
                      NULL);
  if (strcmp(url, "/api/stop") == 0)
    return post_stop(s, c, method);
  if (api_is_control_path(url))
    return post_control(s, c, url, method, rq);
  if (!is_read_path(url))
    return send_error(c, MHD_HTTP_NOT_FOUND, "not found", NULL);
  if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
    return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", "GET, HEAD");
  if (strcmp(url, "/") == 0)
    return send_index(c, s->cfg.token != NULL);
  return get_read(s, c, url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req)
{
  /* MHD calls once with the headers, then with each piece of a body, then once more. */
  if (!*req) {
    struct request *rq = calloc(1, sizeof *rq);
    if (!rq)
      return MHD_NO;
    *req = rq;
    return MHD_YES;
  }
  struct request *rq = *req;
  if (*upload_size) { /* kept up to BODY_MAX; past it only noted */
    if (rq->len + *upload_size > BODY_MAX)
      rq->too_big = true;
    else
      memcpy(rq->body + rq->len, upload, *upload_size), rq->len += *upload_size;
    *upload_size = 0;
    return MHD_YES;
  }
  return respond(cls, c, url, method, version, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req,
                         enum MHD_RequestTerminationCode why)
{
  (void)cls;
  (void)c;
  (void)why;
  free(*req);
  *req = NULL;
}

/* ---- lifecycle ---- */

int api_server_check(const struct api_server_config *cfg, char *msg, size_t msg_size)
{
  struct sockaddr_storage ss;
  socklen_t len;
  if (parse_bind(cfg->bind, 0, &ss, &len) != 0) {
    snprintf(msg, msg_size, "--api-bind '%s': expected an IPv4 or IPv6 address", cfg->bind);
    return API_SERVER_EADDR;
  }
  if (!api_bind_is_loopback(cfg->bind) && (!cfg->token || !*cfg->token)) {
    snprintf(msg, msg_size,
             "--api-bind %s is not a loopback address: refusing to serve it without --api-token",
             cfg->bind);
    return API_SERVER_ETOKEN;
  }
  return 0;
}

int api_server_start(struct api_server **out, const struct api_server_config *cfg, char *msg,
                     size_t msg_size)
{
  *out = NULL;
  int rc = api_server_check(cfg, msg, msg_size);
  if (rc != 0)
    return rc;
  struct api_server *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(msg, msg_size, "out of memory");
    return API_SERVER_ESYS;
  }
  s->cfg = *cfg;
  socklen_t len;
  parse_bind(cfg->bind, cfg->port, &s->bound, &len); /* checked above */
  s->wildcard = api_addr_is_wildcard(&s->bound);
  int fd = open_listener(cfg, &s->port, msg, msg_size);
  if (fd < 0) {
    free(s);
    return fd;
  }
  s->daemon =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, on_request, s,
                       MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_NOTIFY_COMPLETED,
                       on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
                       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
  if (!s->daemon) {
    /* The socket is MHD's from the call on (it may have closed it already): left alone. */
    snprintf(msg, msg_size, "cannot start the API server on port %u", s->port);
    free(s);
    return API_SERVER_ESYS;
  }
  *out = s;
  return 0;
}

unsigned api_server_port(const struct api_server *s)
{
  return s->port;
}

void api_server_stop(struct api_server *s)
{
  if (!s)
    return;
  MHD_stop_daemon(s->daemon); /* joins its thread and closes the listening socket */
  free(s);
}
