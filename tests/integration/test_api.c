/* test_api.c: the local API of `synthminer run` and `synthminer stats`, driven over HTTP. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <locale.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "support/accept_loop.h"
#include "support/child.h"
#include "support/harness.h"
#include "support/spawn.h"

#define TOKEN "t0ken-sekrit-4a8f"
#define API_LINE "synthminer run: API at http://127.0.0.1:"

/* ---- children and HTTP: support/child.h ---- */

static unsigned child_api_port(struct child *c)
{
  return child_api_port_at(c, API_LINE);
}

static size_t lines(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* ---- what the documents must hold ---- */

static void expect_fields(json_t *o, const char *const *keys, int (*is)(const json_t *))
{
  for (; *keys; keys++) {
    json_t *v = json_object_get(o, *keys);
    CU_ASSERT_TRUE(v && is(v));
    if (!v || !is(v))
      fprintf(stderr, "field %s missing or of the wrong type\n", *keys);
  }
}

static int is_string(const json_t *v)
{
  return json_is_string(v);
}
static int is_number(const json_t *v)
{
  return json_is_number(v);
}
static int is_integer(const json_t *v)
{
  return json_is_integer(v);
}
static int is_object(const json_t *v)
{
  return json_is_object(v);
}

static void check_device(json_t *d)
{
  expect_fields(d, (const char *[]){"id", "kind", "name", "engine", "state", "health_reason", NULL},
                is_string);
  expect_fields(d,
                (const char *[]){"hashrate", "hashrate_10s", "hashrate_60s", "hashrate_15m",
                                 "hashrate_ewma", "error_rate", NULL},
                is_number);
  expect_fields(d,
                (const char *[]){"batch_size", "batch_max", "batches", "batch_errors", "nonces",
                                 "accepted", "rejected", "stale", "hw_errors", "sick_count", NULL},
                is_integer);
  json_t *lat = json_object_get(d, "latency_ms");
  CU_ASSERT_TRUE(json_is_object(lat));
  expect_fields(lat, (const char *[]){"last", "p50", "p95", "target", NULL}, is_number);
}

static void check_summary(json_t *s)
{
  expect_fields(s, (const char *[]){"version", NULL}, is_string);
  expect_fields(s, (const char *[]){"uptime_s", NULL}, is_number);
  expect_fields(s, (const char *[]){"total", "job", "pool", NULL}, is_object);
  json_t *devs = json_object_get(s, "devices");
  CU_ASSERT_TRUE_FATAL(json_is_array(devs) && json_array_size(devs) >= 1);
  size_t i;
  json_t *d;
  json_array_foreach(devs, i, d) check_device(d);
  json_t *total = json_object_get(s, "total"), *job = json_object_get(s, "job");
  json_t *pool = json_object_get(s, "pool");
  expect_fields(total, (const char *[]){"hashrate", "hashrate_10s", NULL}, is_number);
  expect_fields(total, (const char *[]){"nonces", "accepted", "rejected", "stale", NULL},
                is_integer);
  expect_fields(job, (const char *[]){"id", "source", NULL}, is_string);
  expect_fields(job, (const char *[]){"difficulty", NULL}, is_number);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(job, "source")), "benchmark");
  CU_ASSERT_TRUE(json_is_null(json_object_get(pool, "url")));
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pool, "state")), "benchmark");
  expect_fields(pool, (const char *[]){"accepted", "rejected", "stale", NULL}, is_integer);
}

/* ---- Prometheus text format 0.0.4 ---- */

struct family {
  char name[128];
  bool help, type;
};

static bool name_char(char c, bool first)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

/* Skips a metric or label name at *p. Returns its length, 0 if there is none. */
static size_t skip_name(const char **p)
{
  const char *s = *p;
  while (name_char(**p, *p == s))
    (*p)++;
  return (size_t)(*p - s);
}

static struct family *family_of(struct family *f, size_t *n, const char *name, size_t len)
{
  for (size_t i = 0; i < *n; i++)
    if (strlen(f[i].name) == len && strncmp(f[i].name, name, len) == 0)
      return &f[i];
  if (*n == 128 || len >= sizeof f->name)
    return NULL;
  memcpy(f[*n].name, name, len);
  return &f[(*n)++];
}

/* Parses {name="value",...} at *p into labels (for the test's look-ups). Returns false if the
 * syntax is wrong. */
static bool parse_labels(const char **p, char *labels, size_t size)
{
  size_t used = 0;
  labels[0] = '\0';
  if (**p != '{')
    return true;
  (*p)++;
  while (**p != '}') {
    const char *ln = *p;
    size_t len = skip_name(p);
    if (!len || *(*p)++ != '=' || *(*p)++ != '"')
      return false;
    used += (size_t)snprintf(labels + used, size - used, "%.*s=", (int)len, ln);
    for (; **p != '"'; (*p)++) {
      if (!**p || **p == '\n')
        return false;
      if (**p == '\\' && (*p)[1] != '\\' && (*p)[1] != '"' && (*p)[1] != 'n')
        return false;
      if (**p == '\\')
        (*p)++;
      if (used + 2 < size)
        labels[used++] = **p;
    }
    (*p)++;
    used += (size_t)snprintf(labels + used, size - used, ";");
    if (**p == ',')
      (*p)++;
    else if (**p != '}')
      return false;
  }
  (*p)++;
  return true;
}

/* Checks every line; true when it saw cpu:0's nonce counter, whose value goes to *nonces. */
static bool check_prometheus(const char *text, double *nonces)
{
  static struct family fams[128];
  size_t nfam = 0;
  bool saw_counter = false;
  memset(fams, 0, sizeof fams);
  for (const char *line = text; *line;) {
    const char *eol = strchr(line, '\n');
    CU_ASSERT_PTR_NOT_NULL_FATAL(eol); /* every line ends with a newline, the last too */
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s", (int)(eol - line), line);
    line = eol + 1;
    const char *p = buf;
    if (strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0) {
      bool help = p[2] == 'H';
      p += 7;
      const char *name = p;
      size_t len = skip_name(&p);
      struct family *f = family_of(fams, &nfam, name, len);
      CU_ASSERT_TRUE_FATAL(len > 0 && f && *p == ' ');
      if (help) {
        f->help = true;
      } else {
        CU_ASSERT_TRUE(strcmp(p + 1, "gauge") == 0 || strcmp(p + 1, "counter") == 0);
        CU_ASSERT_FALSE(f->type); /* one TYPE per family */
        f->type = true;
      }
      continue;
    }
    CU_ASSERT_NOT_EQUAL(p[0], '#'); /* we write no other comments */
    const char *name = p;
    size_t len = skip_name(&p);
    char labels[512];
    struct family *f = family_of(fams, &nfam, name, len);
    bool ok =
        len > 0 && f && f->help && f->type && parse_labels(&p, labels, sizeof labels) && *p == ' ';
    CU_ASSERT_TRUE(ok);
    if (!ok) {
      fprintf(stderr, "bad sample line: %s\n", buf);
      continue;
    }
    char *end;
    double v = strtod(p + 1, &end);
    CU_ASSERT_TRUE(end != p + 1 && *end == '\0');
    CU_ASSERT_EQUAL(strncmp(name, "synthminer_", 11), 0);
    if (len == strlen("synthminer_device_nonces_total") &&
        strncmp(name, "synthminer_device_nonces_total", len) == 0 &&
        strstr(labels, "device=cpu:0;")) {
      CU_ASSERT_FALSE(saw_counter); /* one sample per device */
      saw_counter = true;
      *nonces = v;
    }
  }
  return saw_counter;
}

/* ---- tests ---- */

/* The run's arguments: the API on bind (NULL: the default), token NULL for none. */
static void start_run_at(struct child *c, const char *bind, const char *token)
{
  const char *args[16] = {"run", "--devices",         "cpu", "--threads", "1", "--api-port",
                          "0",   "--status-interval", "0"};
  /* No --duration: it runs until the test stops it, however slow this machine is. */
  size_t n = 9;
  if (bind) {
    args[n++] = "--api-bind";
    args[n++] = bind;
  }
  if (token) {
    args[n++] = "--api-token";
    args[n++] = token;
  }
  child_start(c, SYNTHMINER_PATH, args);
}

static void start_run(struct child *c, const char *token)
{
  start_run_at(c, NULL, token);
}

/* Waits until the device has hashed and its rate says so. */
static json_t *settled_summary(unsigned port, const char *headers)
{
  for (double until = synth_test_now_s() + synth_test_patience_s(); synth_test_now_s() < until;) {
    json_t *s = get_json(port, "/api/summary", headers, 200);
    json_t *d = json_array_get(json_object_get(s, "devices"), 0);
    if (json_integer_value(json_object_get(d, "nonces")) > 0 &&
        json_real_value(json_object_get(d, "hashrate")) > 0)
      return s;
    json_decref(s);
    poll(NULL, 0, 100);
  }
  CU_FAIL("the device never reported a hashrate");
  return NULL;
}

static void test_read_endpoints(void)
{
  static struct child c;
  start_run(&c, NULL);
  unsigned port = child_api_port(&c);
  CU_ASSERT_TRUE_FATAL(port > 0);

  json_t *s = settled_summary(port, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  check_summary(s);
  json_int_t nonces_then = json_integer_value(
      json_object_get(json_array_get(json_object_get(s, "devices"), 0), "nonces"));
  json_t *devs = get_json(port, "/api/devices", NULL, 200);
  CU_ASSERT_EQUAL(json_array_size(devs), json_array_size(json_object_get(s, "devices")));
  json_decref(devs);
  json_decref(s);
  json_t *d = get_json(port, "/api/devices/cpu:0", NULL, 200);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "id")), "cpu:0");
  check_device(d);
  json_decref(d);
  json_t *e = get_json(port, "/api/devices/cpu:99", NULL, 404);
  CU_ASSERT_TRUE(json_is_string(json_object_get(e, "error")));
  json_decref(e);
  json_decref(get_json(port, "/api/nothing-here", NULL, 404));
  json_t *job = get_json(port, "/api/job", NULL, 200);
  CU_ASSERT_TRUE(json_is_string(json_object_get(job, "id")));
  json_decref(job);
  json_t *pool = get_json(port, "/api/pool", NULL, 200);
  CU_ASSERT_TRUE(json_is_null(json_object_get(pool, "url")));
  json_decref(pool);

  struct reply r;
  request(port, "GET", "/metrics", NULL, &r);
  CU_ASSERT_EQUAL(r.status, 200);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.raw, "Content-Type: text/plain; version=0.0.4"));
  double nonces_now = -1;
  CU_ASSERT_TRUE(check_prometheus(r.body, &nonces_now));
  CU_ASSERT(nonces_now >= (double)nonces_then); /* the same counter, read later */
  CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\nsynthminer_up 1\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "synthminer_device_state{device=\"cpu:0\",kind=\"cpu\","));

  request(port, "POST", "/api/summary", NULL, &r);
  CU_ASSERT_EQUAL(r.status, 405);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.raw, "Allow: GET, HEAD"));
  request(port, "DELETE", "/metrics", NULL, &r);
  CU_ASSERT_EQUAL(r.status, 405);
  request(port, "POST", "/api/stop", NULL, &r); /* no token: writes are off */
  CU_ASSERT_EQUAL(r.status, 403);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"error\""));

  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
  struct child st;
  CU_ASSERT_EQUAL(
      run_to_end(&st, SYNTHMINER_PATH, (const char *[]){"stats", "--once", "--url", url, NULL}), 0);
  CU_ASSERT_EQUAL(strncmp(st.out_buf, "synthminer ", 11), 0); /* the header */
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "\nDEVICE "));
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "\ncpu:0 "));
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "\ntotal "));
  CU_ASSERT_EQUAL(lines(st.out_buf), 4); /* header, titles, one device, totals */

  CU_ASSERT_EQUAL(
      run_to_end(&st, SYNTHMINER_PATH, (const char *[]){"stats", "--json", "--url", url, NULL}), 0);
  json_error_t je;
  json_t *snap = json_loads(st.out_buf, 0, &je);
  CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
  json_t *sd = json_array_get(json_object_get(snap, "devices"), 0);
  expect_fields(sd, (const char *[]){"id", "kind", "name", "state", NULL}, is_string);
  expect_fields(sd, (const char *[]){"hashrate", NULL}, is_number);
  expect_fields(sd, (const char *[]){"batch_size", NULL}, is_integer);
  expect_fields(sd, (const char *[]){"latency_ms", NULL}, is_object);
  json_decref(snap);

  kill(c.pid, SIGINT);
  CU_ASSERT_EQUAL(child_wait(&c, patience_ms()), 0);
}

/* A response must never carry the token back, whatever it answers. */
static void expect_status(unsigned port, const char *method, const char *path, const char *headers,
                          int status)
{
  struct reply r;
  request(port, method, path, headers, &r);
  CU_ASSERT_EQUAL(r.status, status);
  CU_ASSERT_PTR_NULL(strstr(r.raw, TOKEN));
  if (r.status != status)
    fprintf(stderr, "%s %s: %.300s\n", method, path, r.raw);
}

static void test_token(void)
{
  static struct child c;
  start_run(&c, TOKEN);
  unsigned port = child_api_port(&c);
  CU_ASSERT_TRUE_FATAL(port > 0);
  const char *good = "Authorization: Bearer " TOKEN "\r\n";
  expect_status(port, "GET", "/api/summary", NULL, 401);
  expect_status(port, "GET", "/metrics", NULL, 401);
  expect_status(port, "GET", "/api/summary", "Authorization: Bearer wrong\r\n", 401);
  expect_status(port, "GET", "/api/summary", "Authorization: Bearer " TOKEN "x\r\n", 401);
  expect_status(port, "GET", "/api/summary", "Authorization: Bearer t0ken\r\n", 401);
  expect_status(port, "GET", "/api/summary", "Authorization: Basic " TOKEN "\r\n", 401);
  expect_status(port, "GET", "/api/summary", good, 200);
  expect_status(port, "GET", "/api/devices/cpu:0", good, 200);
  expect_status(port, "GET", "/api/pool", good, 200);
  expect_status(port, "GET", "/metrics", good, 200);
  expect_status(port, "GET", "/", good, 200);
  expect_status(port, "GET", "/api/stop", good, 405);
  expect_status(port, "POST", "/api/stop", NULL, 401);
  expect_status(port, "POST", "/api/stop", "Authorization: Bearer nope\r\n", 401);
  /* The Host check comes first: a page that rebound its name to us reads nothing and stops
   * nothing, token or not (the run answers below, so this POST did not stop it). */
  struct reply r;
  host_request("127.0.0.1", port, "1.1", "evil.example", "POST", "/api/stop", good, &r);
  CU_ASSERT_EQUAL(r.status, 421);
  host_request("127.0.0.1", port, "1.1", "evil.example", "GET", "/api/summary", good, &r);
  CU_ASSERT_EQUAL(r.status, 421);
  CU_ASSERT_PTR_NULL(strstr(r.raw, "\"devices\""));
  expect_status(port, "GET", "/api/summary", good, 200);

  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
  struct child st;
  CU_ASSERT_EQUAL(
      run_to_end(&st, SYNTHMINER_PATH, (const char *[]){"stats", "--once", "--url", url, NULL}), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.err_buf, "401"));
  CU_ASSERT_EQUAL(lines(st.err_buf), 1);
  CU_ASSERT_EQUAL(
      run_to_end(&st, SYNTHMINER_PATH,
                 (const char *[]){"stats", "--once", "--url", url, "--token", TOKEN, NULL}),
      0);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "\ncpu:0 "));
  CU_ASSERT_PTR_NULL(strstr(st.out_buf, TOKEN));

  expect_status(port, "POST", "/api/stop", good, 200);
  CU_ASSERT_EQUAL(child_wait(&c, patience_ms()),
                  0); /* stops as on SIGINT: exit 0, the final table */
  CU_ASSERT_PTR_NOT_NULL(strstr(c.out_buf, "DEVICE"));
  CU_ASSERT_PTR_NULL(strstr(c.out_buf, TOKEN));
  CU_ASSERT_PTR_NULL(strstr(c.err_buf, TOKEN));
}

/* A socket listening on 127.0.0.1:port (0: any); its port in *bound. -1 if it cannot. */
static int listen_on(unsigned port, unsigned *bound)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    close(fd);
    return -1;
  }
  *bound = ntohs(a.sin_port);
  return fd;
}

/* Bad usage: exit 2 and one line on stderr naming the problem. */
static void expect_usage(const char *const *args, const char *mentions)
{
  struct child c;
  CU_ASSERT_EQUAL(run_to_end(&c, SYNTHMINER_PATH, args), 2);
  CU_ASSERT_EQUAL(lines(c.err_buf), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(c.err_buf, mentions));
  if (c.status != 2 || lines(c.err_buf) != 1 || !strstr(c.err_buf, mentions))
    fprintf(stderr, "%s %s -> %d: %s\n", args[0], args[1], c.status, c.err_buf);
}

static void test_refusals(void)
{
  expect_usage(
      (const char *[]){"run", "--devices", "cpu", "--threads", "1", "--api-bind", "0.0.0.0", NULL},
      "--api-token");
  expect_usage((const char *[]){"run", "--api-bind", "::", NULL}, "not a loopback address");
  expect_usage((const char *[]){"run", "--api-bind", "localhost", NULL}, "IPv4 or IPv6");
  expect_usage((const char *[]){"run", "--api-port", "65536", NULL}, "--api-port");
  expect_usage((const char *[]){"stats", "--url", "ftp://127.0.0.1/", NULL}, "--url");
  expect_usage((const char *[]){"stats", "--url", "http://127.0.0.1:99999/", NULL}, "--url");
  expect_usage((const char *[]){"stats", "--bogus", NULL}, "--bogus");

  unsigned busy;
  int fd = listen_on(0, &busy);
  CU_ASSERT_TRUE_FATAL(fd >= 0);
  char port[16];
  snprintf(port, sizeof port, "%u", busy);
  expect_usage((const char *[]){"run", "--devices", "cpu", "--threads", "1", "--duration", "5",
                                "--status-interval", "0", "--api-port", port, NULL},
               "in use");
  close(fd);

  /* The default port taken (by this test, or by another instance that holds it): a warning,
   * and the run goes on without the API. Skipped when the port is someone else's, since they
   * might let go of it mid-check. */
  unsigned dflt;
  fd = listen_on(4077, &dflt);
  if (fd >= 0) {
    struct child c;
    CU_ASSERT_EQUAL(
        run_to_end(&c, SYNTHMINER_PATH,
                   (const char *[]){"run", "--devices", "cpu", "--threads", "1", "--duration",
                                    "0.5", "--status-interval", "0", NULL}),
        0);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.err_buf, "warning"));
    CU_ASSERT_PTR_NOT_NULL(strstr(c.err_buf, "without the API"));
    CU_ASSERT_PTR_NOT_NULL(strstr(c.out_buf, "DEVICE"));
    close(fd);
  }
}

static void test_stats_without_instance(void)
{
  unsigned port;
  int fd = listen_on(0, &port); /* a port just freed: nothing listens there */
  CU_ASSERT_TRUE_FATAL(fd >= 0);
  close(fd);
  char url[64], want[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
  snprintf(want, sizeof want, "no synthminer instance at %s (connection refused)", url);
  struct child c;
  CU_ASSERT_EQUAL(run_to_end(&c, SYNTHMINER_PATH, (const char *[]){"stats", "--url", url, NULL}),
                  1);
  CU_ASSERT_PTR_NOT_NULL(strstr(c.err_buf, want));
  CU_ASSERT_PTR_NOT_NULL(strstr(c.err_buf, "synthminer run"));
  CU_ASSERT_EQUAL(lines(c.err_buf), 1);
  CU_ASSERT_EQUAL(c.out_len, 0);
}

/* ---- the Host header (DNS rebinding) ---- */

/* pattern with each "{port}" replaced by port. */
static void with_port(char *out, size_t size, const char *pattern, unsigned port)
{
  size_t k = 0;
  for (const char *p = pattern; *p && k + 1 < size;) {
    if (strncmp(p, "{port}", 6) == 0) {
      int n = snprintf(out + k, size - k, "%u", port);
      k += n > 0 ? (size_t)n : 0;
      p += 6;
    } else {
      out[k++] = *p++;
    }
  }
  out[k < size ? k : size - 1] = '\0';
}

/* GET path at addr:port with the Host pattern must get status; a refusal says why in JSON. */
static void expect_host(const char *addr, unsigned port, const char *pattern, const char *path,
                        const char *headers, int status)
{
  char host[256];
  with_port(host, sizeof host, pattern, port);
  struct reply r;
  host_request(addr, port, "1.1", host, "GET", path, headers, &r);
  CU_ASSERT_EQUAL(r.status, status);
  if (r.status != status)
    fprintf(stderr, "\n    Host '%s' at %s: %.300s\n", host, addr, r.raw);
  if (status == 421) {
    json_t *e = json_loads(r.body, 0, NULL);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "status")), 421);
    const char *why = json_string_value(json_object_get(e, "error"));
    CU_ASSERT_TRUE(why && strstr(why, "DNS rebinding"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.raw, "Content-Type: application/json"));
    json_decref(e);
  }
}

static void test_host_header(void)
{
  static struct child c;
  start_run(&c, NULL);
  unsigned port = child_api_port(&c);
  CU_ASSERT_TRUE_FATAL(port > 0);
  /* The bound address, localhost and numeric loopback, with any port or none. */
  static const char *const good[] = {
      "127.0.0.1:{port}", "127.0.0.1",    "localhost", "localhost:{port}", "localhost:4077",
      "LOCALHOST:{port}", "[::1]:{port}", "[::1]",     "127.0.0.2:{port}", "127.1.2.3",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    expect_host("127.0.0.1", port, good[i], "/api/summary", NULL, 200);
  /* Names a rebinding page sends, and what is not a host at all. */
  static const char *const bad[] = {
      "evil.example",
      "evil.example:{port}",
      "127.0.0.1.evil.example",
      "127.0.0.1.evil.example:{port}",
      "localhost.evil.example:{port}",
      "evil.localhost:{port}",
      "::1",
      "[::1]evil",
      "",
      "192.0.2.1:{port}",
      "127.0.0.1:{port}x",
      "2130706433:{port}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    expect_host("127.0.0.1", port, bad[i], "/api/summary", NULL, 421);
  expect_host("127.0.0.1", port, "evil.example", "/metrics", NULL, 421);
  expect_host("127.0.0.1", port, "evil.example", "/", NULL, 421);
  expect_host("127.0.0.1", port, "evil.example", "/api/devices/cpu:0", NULL, 421);
  struct reply r;
  host_request("127.0.0.1", port, "1.1", "evil.example", "HEAD", "/api/summary", NULL, &r);
  CU_ASSERT_EQUAL(r.status, 421);
  /* HTTP/1.0 may leave Host out (no browser does), HTTP/1.1 may not; never two. */
  host_request("127.0.0.1", port, "1.0", NULL, "GET", "/api/summary", NULL, &r);
  CU_ASSERT_EQUAL(r.status, 200);
  host_request("127.0.0.1", port, "1.0", "evil.example", "GET", "/api/summary", NULL, &r);
  CU_ASSERT_EQUAL(r.status, 421);
  host_request("127.0.0.1", port, "1.1", NULL, "GET", "/api/summary", NULL, &r);
  CU_ASSERT_EQUAL(r.status, 400);
  host_request("127.0.0.1", port, "1.1", "localhost", "GET", "/api/summary",
               "Host: evil.example\r\n", &r);
  CU_ASSERT_EQUAL(r.status, 400);
  kill(c.pid, SIGINT);
  CU_ASSERT_EQUAL(child_wait(&c, patience_ms()), 0);
}

/* A non-loopback IPv4 address of this host into out, or false when it has none. */
static bool local_ipv4(char *out, size_t size)
{
  struct ifaddrs *ifs;
  if (getifaddrs(&ifs) != 0)
    return false;
  bool found = false;
  for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
        (i->ifa_flags & IFF_LOOPBACK))
      continue;
    struct sockaddr_in a;
    memcpy(&a, i->ifa_addr, sizeof a);
    found = inet_ntop(AF_INET, &a.sin_addr, out, (socklen_t)size) != NULL;
  }
  freeifaddrs(ifs);
  return found;
}

/* Bound to an address that is not loopback (a token is needed there), the API also answers
 * that address; bound to 0.0.0.0, the address each connection came in on. */
static void test_host_bound_address(void)
{
  char addr[INET_ADDRSTRLEN], prefix[96], self[64];
  if (!local_ipv4(addr, sizeof addr)) {
    fprintf(stderr, "\n    no non-loopback IPv4 address here: bound-address cases not run\n");
    return;
  }
  const char *other = strcmp(addr, "198.51.100.7") != 0 ? "198.51.100.7" : "198.51.100.8";
  const char *auth = "Authorization: Bearer " TOKEN "\r\n";
  static struct child c;
  start_run_at(&c, addr, TOKEN);
  snprintf(prefix, sizeof prefix, "synthminer run: API at http://%s:", addr);
  unsigned port = child_api_port_at(&c, prefix);
  CU_ASSERT_TRUE_FATAL(port > 0);
  snprintf(self, sizeof self, "%s:{port}", addr);
  expect_host(addr, port, self, "/api/summary", auth, 200);
  expect_host(addr, port, addr, "/api/summary", auth, 200);
  expect_host(addr, port, "localhost:{port}", "/api/summary", auth, 200);
  expect_host(addr, port, "127.0.0.1:{port}", "/api/summary", auth, 200);
  expect_host(addr, port, self, "/api/summary", NULL, 401); /* the token still counts */
  expect_host(addr, port, other, "/api/summary", auth, 421);
  expect_host(addr, port, "evil.example:{port}", "/api/summary", auth, 421);
  kill(c.pid, SIGINT);
  CU_ASSERT_EQUAL(child_wait(&c, patience_ms()), 0);

  start_run_at(&c, "0.0.0.0", TOKEN);
  port = child_api_port_at(&c, "synthminer run: API at http://0.0.0.0:");
  CU_ASSERT_TRUE_FATAL(port > 0);
  expect_host(addr, port, self, "/api/summary", auth, 200);
  expect_host("127.0.0.1", port, "127.0.0.1:{port}", "/api/summary", auth, 200);
  expect_host("127.0.0.1", port, self, "/api/summary", auth, 421); /* not where it came in */
  expect_host(addr, port, other, "/api/summary", auth, 421);
  expect_host(addr, port, "0.0.0.0:{port}", "/api/summary", auth, 421);
  expect_host(addr, port, "evil.example", "/api/summary", auth, 421);
  kill(c.pid, SIGINT);
  CU_ASSERT_EQUAL(child_wait(&c, patience_ms()), 0);
}

/* ---- `stats` shows what an API sends, and obeys none of it ---- */

/* Escape sequences (colour, a window title with BEL), CR, LF, tab, DEL, a C1 CSI as UTF-8,
 * and text that is fine in UTF-8. */
#define HOSTILE                                                                                    \
  "\x1b[31mred\x1b[0m\x1b]0;pwned\x07\r\n\t\x7f"                                                   \
  "caf\xc3\xa9 \xc2\x9b"                                                                           \
  "2J"

/* An HTTP server that answers every request with body, on its own thread. */
struct fake_api {
  int fd;
  unsigned port;
  char *body;
  pthread_t thread;
  atomic_bool stop;
};

static void fake_api_answer(void *user, int fd)
{
  struct fake_api *f = user;
  char req[4096];
  size_t len = 0;
  ssize_t n;
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (len < sizeof req - 1 && (n = recv(fd, req + len, sizeof req - 1 - len, 0)) > 0) {
    len += (size_t)n;
    req[len] = '\0';
    if (strstr(req, "\r\n\r\n"))
      break;
  }
  char head[256];
  size_t body_len = strlen(f->body);
  int hn = snprintf(head, sizeof head,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                    "Connection: close\r\n\r\n",
                    body_len);
  send(fd, head, (size_t)hn, MSG_NOSIGNAL);
  send(fd, f->body, body_len, MSG_NOSIGNAL);
}

static void *fake_api_main(void *arg)
{
  struct fake_api *f = arg;
  synth_test_accept_until(f->fd, &f->stop, fake_api_answer, f);
  return NULL;
}

/* A snapshot whose every string is HOSTILE. */
static char *hostile_snapshot(void)
{
  json_t *dev =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:{s:f, s:f, s:f, s:f}, s:i, s:i, s:i, "
                "s:i, s:f, s:f, s:f}",
                "id", "cpu:0" HOSTILE, "kind", HOSTILE, "name", HOSTILE, "engine", HOSTILE, "state",
                HOSTILE, "batch_size", 1024, "latency_ms", "last", 1.0, "p50", 1.0, "p95", 2.0,
                "target", 5.0, "accepted", 1, "rejected", 0, "stale", 0, "hw_errors", 0, "hashrate",
                1e6, "hashrate_10s", 1e6, "hashrate_60s", 1e6);
  json_t *snap =
      json_pack("{s:s, s:f, s:[o], s:{s:f, s:f, s:f, s:i, s:i, s:i, s:i}, s:{s:s, s:s, s:f}, "
                "s:{s:s, s:s, s:s, s:s}}",
                "version", HOSTILE, "uptime_s", 5.0, "devices", dev, "total", "hashrate", 1e6,
                "hashrate_10s", 1e6, "hashrate_60s", 1e6, "accepted", 1, "rejected", 0, "stale", 0,
                "hw_errors", 0, "job", "id", HOSTILE, "source", HOSTILE, "difficulty", 1.0, "pool",
                "url", HOSTILE, "user", HOSTILE, "state", HOSTILE, "last_reject", HOSTILE);
  CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
  char *text = json_dumps(snap, 0);
  json_decref(snap);
  return text;
}

/* Runs `stats` with args under LC_ALL=locale. */
static int run_stats_in(struct child *c, const char *locale, const char *const *args)
{
  const char *was = getenv("LC_ALL");
  char saved[64] = "";
  if (was)
    snprintf(saved, sizeof saved, "%s", was);
  setenv("LC_ALL", locale, 1);
  int rc = run_to_end(c, SYNTHMINER_PATH, args);
  if (was)
    setenv("LC_ALL", saved, 1);
  else
    unsetenv("LC_ALL");
  return rc;
}

/* No C0 control but the newline, no DEL; with ascii, nothing from 0x80 on either. */
static void expect_no_controls(const char *out, size_t len, bool ascii)
{
  size_t bad = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char b = (unsigned char)out[i];
    bad += (b < 0x20 && b != '\n') || b == 0x7f || (ascii && b >= 0x80);
  }
  CU_ASSERT_EQUAL(bad, 0);
  if (bad)
    fprintf(stderr, "\n    %zu control bytes in:\n%s\n", bad, out);
}

/* Decodes out as UTF-8: every sequence valid, no C1 control (U+0080..U+009F) among them. */
static void expect_clean_utf8(const char *out, size_t len)
{
  mbstate_t st;
  memset(&st, 0, sizeof st);
  size_t invalid = 0, c1 = 0;
  for (size_t i = 0; i < len;) {
    wchar_t wc;
    size_t n = mbrtowc(&wc, out + i, len - i, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
      invalid++;
      memset(&st, 0, sizeof st);
      i++;
      continue;
    }
    c1 += wc >= 0x80 && wc <= 0x9f;
    i += n;
  }
  CU_ASSERT_EQUAL(invalid, 0);
  CU_ASSERT_EQUAL(c1, 0);
}

static void test_stats_cleans_strings(void)
{
  static struct fake_api f;
  memset(&f, 0, sizeof f);
  f.body = hostile_snapshot();
  f.fd = listen_on(0, &f.port);
  CU_ASSERT_TRUE_FATAL(f.fd >= 0);
  CU_ASSERT_EQUAL_FATAL(pthread_create(&f.thread, NULL, fake_api_main, &f), 0);
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/", f.port);

  static struct child st;
  /* An 8-bit locale: every control is '?', and every byte from 0x80 on (C1 there). */
  CU_ASSERT_EQUAL(run_stats_in(&st, "C", (const char *[]){"stats", "--once", "--url", url, NULL}),
                  0);
  CU_ASSERT_EQUAL(lines(st.out_buf), 4);
  expect_no_controls(st.out_buf, st.out_len, true);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "?[31mred?[0m?]0;pwned?")); /* shown, not obeyed */
  CU_ASSERT_EQUAL(st.err_len, 0);

  /* UTF-8: text stays, C1 controls do not. */
  if (setlocale(LC_CTYPE, "C.UTF-8")) {
    CU_ASSERT_EQUAL(
        run_stats_in(&st, "C.UTF-8", (const char *[]){"stats", "--once", "--url", url, NULL}), 0);
    CU_ASSERT_EQUAL(lines(st.out_buf), 4);
    expect_no_controls(st.out_buf, st.out_len, false);
    expect_clean_utf8(st.out_buf, st.out_len);
    CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "caf\xc3\xa9 ?2J"));
    setlocale(LC_CTYPE, "C");
  } else {
    fprintf(stderr, "\n    no C.UTF-8 locale: the UTF-8 case not run\n");
  }

  /* --json: the same strings, escaped, in printable ASCII. */
  CU_ASSERT_EQUAL(
      run_stats_in(&st, "C.UTF-8", (const char *[]){"stats", "--json", "--url", url, NULL}), 0);
  expect_no_controls(st.out_buf, st.out_len, true);
  json_t *snap = json_loads(st.out_buf, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
  json_t *dev = json_array_get(json_object_get(snap, "devices"), 0);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(dev, "name")), HOSTILE);
  json_decref(snap);

  atomic_store(&f.stop, true);
  pthread_join(f.thread, NULL);
  close(f.fd);
  free(f.body);
}

/* `run --json` keeps the report's fields and adds the telemetry. */
static void test_run_json_telemetry(void)
{
  struct child c;
  CU_ASSERT_EQUAL_FATAL(run_to_end(&c, SYNTHMINER_PATH,
                                   (const char *[]){"run", "--devices", "cpu", "--threads", "1",
                                                    "--duration", "1", "--no-api", "--json", NULL}),
                        0);
  CU_ASSERT_PTR_NULL(strstr(c.err_buf, "API at")); /* --no-api */
  json_error_t e;
  json_t *root = json_loads(c.out_buf, 0, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(root, "job")), "benchmark");
  json_t *d = json_array_get(json_object_get(root, "devices"), 0);
  expect_fields(d, (const char *[]){"nonces", "shares", "shares_verified", "accepted", NULL},
                is_integer);
  expect_fields(d, (const char *[]){"hashrate", "latency_ms", "hashrate_10s", NULL}, is_number);
  expect_fields(d, (const char *[]){"state", NULL}, is_string);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "accepted")),
                  json_integer_value(json_object_get(d, "shares_verified")));
  json_decref(root);
}

int main(void)
{
  int rc = synth_test_run(
      "api",
      SYNTH_TESTS(SYNTH_TEST(test_read_endpoints), SYNTH_TEST(test_token),
                  SYNTH_TEST(test_refusals), SYNTH_TEST(test_stats_without_instance),
                  SYNTH_TEST(test_host_header), SYNTH_TEST(test_host_bound_address),
                  SYNTH_TEST(test_stats_cleans_strings), SYNTH_TEST(test_run_json_telemetry)));
  /* A fatal assertion leaves its test early: end what it left running. */
  child_kill_all(&rc);
  return rc;
}
