/* test_api.c: the local API of `synthminer run` and `synthminer stats`, driven over HTTP. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/harness.h"
#include "support/spawn.h"

#define TOKEN "t0ken-sekrit-4a8f"
#define API_LINE "synthminer run: API at http://127.0.0.1:"

/* ---- children ---- */

struct child {
  pid_t pid; /* 0 once reaped */
  int out, err;
  char out_buf[65536], err_buf[16384];
  size_t out_len, err_len;
  int status; /* exit code, or 128 + signal */
};

/* Every child still running, so a failed assertion cannot leave one behind. */
static struct child *live[8];

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_start(struct child *c, const char *const *args)
{
  memset(c, 0, sizeof *c);
  c->pid = synth_test_spawn(SYNTHMINER_PATH, args, &c->out, &c->err);
  CU_ASSERT_FATAL(c->pid > 0);
  for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
    if (!live[i]) {
      live[i] = c;
      break;
    }
}

static void take(int *fd, char *buf, size_t *len, size_t cap)
{
  char tmp[4096];
  ssize_t n = read(*fd, tmp, sizeof tmp);
  if (n <= 0) {
    close(*fd);
    *fd = -1;
    return;
  }
  size_t room = cap - 1 - *len, k = (size_t)n < room ? (size_t)n : room;
  memcpy(buf + *len, tmp, k);
  *len += k;
  buf[*len] = '\0';
}

/* Reads what the child wrote within ms. */
static void child_pump(struct child *c, int ms)
{
  struct pollfd p[2] = {{c->out, POLLIN, 0}, {c->err, POLLIN, 0}};
  if (c->out < 0 && c->err < 0) {
    poll(NULL, 0, ms);
    return;
  }
  if (poll(p, 2, ms) <= 0)
    return;
  if (c->out >= 0 && p[0].revents)
    take(&c->out, c->out_buf, &c->out_len, sizeof c->out_buf);
  if (c->err >= 0 && p[1].revents)
    take(&c->err, c->err_buf, &c->err_len, sizeof c->err_buf);
}

/* Waits up to ms for the child to end. Returns its status, or -1 after killing it. */
static int child_wait(struct child *c, int ms)
{
  long long deadline = now_ms() + ms;
  while (c->pid) {
    child_pump(c, 20);
    int st;
    if (c->out < 0 && c->err < 0 && waitpid(c->pid, &st, WNOHANG) == c->pid) {
      c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      c->pid = 0;
      break;
    }
    if (now_ms() > deadline) {
      kill(c->pid, SIGKILL);
      waitpid(c->pid, &st, 0);
      c->pid = 0;
      c->status = -1;
    }
  }
  if (c->out >= 0)
    close(c->out);
  if (c->err >= 0)
    close(c->err);
  c->out = c->err = -1;
  for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
    if (live[i] == c)
      live[i] = NULL;
  return c->status;
}

/* How long a child may take to do what the test waits for, in ms. */
static int patience_ms(void)
{
  return (int)(synth_test_patience_s() * 1000);
}

/* Runs synthminer to its end. Returns its exit status. */
static int run_to_end(struct child *c, const char *const *args)
{
  child_start(c, args);
  return child_wait(c, patience_ms());
}

/* The port from the run's "API at" line, waiting for it; 0 if it never came. */
static unsigned child_api_port(struct child *c)
{
  long long deadline = now_ms() + patience_ms();
  while (now_ms() < deadline && (c->out >= 0 || c->err >= 0)) {
    const char *at = strstr(c->err_buf, API_LINE);
    if (at && strchr(at, '\n'))
      return (unsigned)strtoul(at + strlen(API_LINE), NULL, 10);
    child_pump(c, 50);
  }
  fprintf(stderr, "no API line; stderr so far:\n%s\n", c->err_buf);
  return 0;
}

static size_t lines(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* ---- HTTP, by hand: the test does not trust the client it tests ---- */

struct reply {
  int status;
  char raw[262144]; /* head and body */
  const char *body;
};

static int connect_port(unsigned port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Sends method path with the extra header lines (each ending in \r\n), reads to the close. */
static void request(unsigned port, const char *method, const char *path, const char *headers,
                    struct reply *r)
{
  memset(r, 0, sizeof *r);
  r->status = -1;
  r->body = "";
  int fd = connect_port(port);
  CU_ASSERT_TRUE_FATAL(fd >= 0);
  char req[1024];
  int n = snprintf(req, sizeof req,
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n"
                   "Content-Length: 0\r\n%s\r\n",
                   method, path, port, headers ? headers : "");
  CU_ASSERT_EQUAL_FATAL(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
  size_t len = 0;
  ssize_t got;
  while (len < sizeof r->raw - 1 && (got = recv(fd, r->raw + len, sizeof r->raw - 1 - len, 0)) > 0)
    len += (size_t)got;
  close(fd);
  r->raw[len] = '\0';
  if (strncmp(r->raw, "HTTP/1.", 7) == 0)
    r->status = atoi(r->raw + 9);
  char *blank = strstr(r->raw, "\r\n\r\n");
  if (blank)
    r->body = blank + 4;
}

static json_t *get_json(unsigned port, const char *path, const char *headers, int want_status)
{
  struct reply r;
  request(port, "GET", path, headers, &r);
  CU_ASSERT_EQUAL(r.status, want_status);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.raw, "Content-Type: application/json"));
  json_error_t e;
  json_t *v = json_loads(r.body, 0, &e);
  CU_ASSERT_PTR_NOT_NULL(v);
  if (r.status != want_status || !v)
    fprintf(stderr, "GET %s: %.400s\n", path, r.raw);
  return v;
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
  expect_fields(d, (const char *[]){"id", "kind", "name", "engine", "state", NULL}, is_string);
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

/* The run's arguments; token NULL for none. */
static void start_run(struct child *c, const char *token)
{
  /* clang-format off */
  /* No --duration: it runs until the test stops it, however slow this machine is. */
  const char *args[] = {"run", "--devices", "cpu", "--threads", "1",
                        "--api-port", "0", "--status-interval", "0",
                        token ? "--api-token" : NULL, token, NULL};
  /* clang-format on */
  child_start(c, args);
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
  CU_ASSERT_EQUAL(run_to_end(&st, (const char *[]){"stats", "--once", "--url", url, NULL}), 0);
  CU_ASSERT_EQUAL(strncmp(st.out_buf, "synthminer ", 11), 0); /* the header */
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "\nDEVICE "));
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "\ncpu:0 "));
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "\ntotal "));
  CU_ASSERT_EQUAL(lines(st.out_buf), 4); /* header, titles, one device, totals */

  CU_ASSERT_EQUAL(run_to_end(&st, (const char *[]){"stats", "--json", "--url", url, NULL}), 0);
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

  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
  struct child st;
  CU_ASSERT_EQUAL(run_to_end(&st, (const char *[]){"stats", "--once", "--url", url, NULL}), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.err_buf, "401"));
  CU_ASSERT_EQUAL(lines(st.err_buf), 1);
  CU_ASSERT_EQUAL(
      run_to_end(&st, (const char *[]){"stats", "--once", "--url", url, "--token", TOKEN, NULL}),
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
  CU_ASSERT_EQUAL(run_to_end(&c, args), 2);
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
        run_to_end(&c, (const char *[]){"run", "--devices", "cpu", "--threads", "1", "--duration",
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
  CU_ASSERT_EQUAL(run_to_end(&c, (const char *[]){"stats", "--url", url, NULL}), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(c.err_buf, want));
  CU_ASSERT_PTR_NOT_NULL(strstr(c.err_buf, "synthminer run"));
  CU_ASSERT_EQUAL(lines(c.err_buf), 1);
  CU_ASSERT_EQUAL(c.out_len, 0);
}

/* `run --json` keeps the report's fields and adds the telemetry. */
static void test_run_json_telemetry(void)
{
  struct child c;
  CU_ASSERT_EQUAL_FATAL(
      run_to_end(&c, (const char *[]){"run", "--devices", "cpu", "--threads", "1", "--duration",
                                      "1", "--no-api", "--json", NULL}),
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
  /* clang-format off */
  static const struct synth_test tests[] = {
    SYNTH_TEST(test_read_endpoints),
    SYNTH_TEST(test_token),
    SYNTH_TEST(test_refusals),
    SYNTH_TEST(test_stats_without_instance),
    SYNTH_TEST(test_run_json_telemetry),
    SYNTH_TEST_END,
  };
  /* clang-format on */
  int rc = synth_test_run("api", tests);
  /* A fatal assertion leaves its test early: end what it left running. */
  for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
    if (live[i] && live[i]->pid) {
      kill(live[i]->pid, SIGKILL);
      waitpid(live[i]->pid, NULL, 0);
      rc = 1;
    }
  return rc;
}
