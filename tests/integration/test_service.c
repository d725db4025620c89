/* test_service.c: `synthminer run` as a service: a reload (SIGHUP, POST /api/reload) moves
 * mining to other pools with no share lost and refuses a bad config; every control endpoint
 * needs the token and does what it says; systemd hears READY, STATUS, WATCHDOG, RELOADING and
 * STOPPING over $NOTIFY_SOCKET. */
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "support/child.h"
#include "support/harness.h"
#include "support/test_pool.h"

#define TOKEN "c0ntrol-t0ken-77"
#define AUTH "Authorization: Bearer " TOKEN "\r\n"
#define API_LINE "synthminer run: API at http://127.0.0.1:"
#define PASSWORD "s3rvice-pa55"

/* ---- pools, configs, waiting ---- */

static struct test_pool *pool_up(void)
{
  struct test_pool_config c = {
      .difficulty = 1.0 / 8192, .user = "tester.rig1", .password = PASSWORD};
  struct test_pool *tp;
  CU_ASSERT_EQUAL_FATAL(test_pool_start(&tp, &c), 0);
  return tp;
}

static void url_of(char *buf, size_t size, const struct test_pool *tp)
{
  snprintf(buf, size, "stratum+tcp://127.0.0.1:%u", test_pool_port(tp));
}

static struct test_pool_stats stats_of(struct test_pool *tp)
{
  struct test_pool_stats s;
  test_pool_stats(tp, &s);
  return s;
}

static unsigned rejected(const struct test_pool_stats *s)
{
  return s->rejected_duplicate + s->rejected_low_difficulty + s->rejected_bad_job +
         s->rejected_malformed + s->rejected_other;
}

/* The config file at path: the pool at url (NULL: none, the benchmark job), or text as it is. */
static void write_config(const char *path, const char *url, const char *text)
{
  char body[512];
  if (!text) {
    if (url)
      snprintf(body, sizeof body,
               "{\"pools\": [\"%s\"], \"user\": \"tester.rig1\", \"pass\": \"%s\", "
               "\"target_latency\": \"cpu=8\"}\n",
               url, PASSWORD);
    else
      snprintf(body, sizeof body, "{\"pools\": []}\n");
    text = body;
  }
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

/* A fresh config file at path (a mkstemp template, filled in): the pool at url, or none. */
static void temp_config(char *path, const char *url)
{
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  write_config(path, url, NULL);
}

/* Waits, reading the child's output, until its stderr holds what (true) or the patience ends. */
static bool wait_err(struct child *c, const char *what)
{
  long long deadline = now_ms() + patience_ms();
  while (!strstr(c->err_buf, what) && now_ms() < deadline && c->err >= 0)
    child_pump(c, 50);
  if (!strstr(c->err_buf, what))
    fprintf(stderr, "\n    never said \"%s\"; stderr:\n%s\n", what, c->err_buf);
  return strstr(c->err_buf, what) != NULL;
}

/* Waits, reading the child's output, until tp has accepted at least n shares. */
static bool wait_accepted(struct child *c, struct test_pool *tp, unsigned n)
{
  long long deadline = now_ms() + patience_ms();
  while (stats_of(tp).accepted < n && now_ms() < deadline)
    child_pump(c, 50);
  return stats_of(tp).accepted >= n;
}

/* The run's --json summary, once it has ended. */
static json_t *summary(struct child *c)
{
  json_error_t e;
  json_t *root = json_loads(c->out_buf, 0, &e);
  CU_ASSERT_PTR_NOT_NULL(root);
  if (!root)
    fprintf(stderr, "\n    no JSON summary: %s\n    stdout: %.400s\n", e.text, c->out_buf);
  return root;
}

static json_int_t int_at(json_t *o, const char *a, const char *b)
{
  json_t *v = json_object_get(o, a);
  return json_integer_value(b ? json_object_get(v, b) : v);
}

/* Ends the run with SIGTERM; its exit status. */
static int stop(struct child *c)
{
  kill(c->pid, SIGTERM);
  return child_wait(c, patience_ms());
}

/* ---- reload ---- */

/* SIGHUP with other pools in the config: the new pool takes over once it has sent a job, the
 * old one's last shares are answered by it (none unanswered, none sent to the new one), then a
 * config that does not parse is refused and mining goes on where it was. */
static void test_reload_moves_to_the_second_pool(void)
{
  struct test_pool *a = pool_up(), *b = pool_up();
  char ua[64], ub[64], cfg[] = "/tmp/synth-reload-XXXXXX";
  url_of(ua, sizeof ua, a);
  url_of(ub, sizeof ub, b);
  temp_config(cfg, ua);
  struct child c;
  child_start(&c, SYNTHMINER_PATH,
              (const char *[]){"run", "--devices", "cpu", "--threads", "1", "-c", cfg, "--no-api",
                               "--no-cache", "--status-interval", "0", "--json", NULL});
  CU_ASSERT_TRUE_FATAL(wait_accepted(&c, a, 3));

  write_config(cfg, ub, NULL);
  kill(c.pid, SIGHUP);
  char moving[128];
  snprintf(moving, sizeof moving, "config reloaded: moving to %s once it has sent a job (SIGHUP)",
           ub);
  CU_ASSERT_TRUE(wait_err(&c, moving));
  CU_ASSERT_TRUE(wait_accepted(&c, b, 3));
  CU_ASSERT_TRUE(wait_err(&c, "(replaced)")); /* the old client handed its last shares in */
  unsigned a_done = stats_of(a).accepted;

  write_config(cfg, NULL, "{\"pools\": [\n");
  kill(c.pid, SIGHUP);
  CU_ASSERT_TRUE(wait_err(&c, "reload (SIGHUP) refused, the running config stays"));
  unsigned b_now = stats_of(b).accepted;
  CU_ASSERT_TRUE(wait_accepted(&c, b, b_now + 3)); /* still mining for b */
  CU_ASSERT_EQUAL(stats_of(a).accepted, a_done);   /* and for nobody else */
  CU_ASSERT_EQUAL(stop(&c), 0);

  char replaced[160];
  snprintf(replaced, sizeof replaced, "pool %s (replaced): ", ua);
  const char *line = strstr(c.err_buf, replaced);
  CU_ASSERT_PTR_NOT_NULL(line);
  CU_ASSERT_PTR_NOT_NULL(line ? strstr(line, "0 rejected, 0 stale, 0 unanswered, 0 kept") : NULL);
  json_t *root = summary(&c);
  json_t *pool = json_object_get(root, "pool");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pool, "url")), ub);
  CU_ASSERT_EQUAL(int_at(pool, "replaced", "clients"), 1);
  CU_ASSERT_EQUAL(int_at(pool, "replaced", "unanswered"), 0);
  CU_ASSERT_EQUAL(int_at(pool, "replaced", "kept"), 0);
  CU_ASSERT_EQUAL(int_at(pool, "replaced", "accepted"), (json_int_t)a_done);
  CU_ASSERT_EQUAL(int_at(pool, "replaced", "found"), (json_int_t)a_done);
  /* The device's count holds both pools' answers. */
  json_t *d = json_array_get(json_object_get(root, "devices"), 0);
  CU_ASSERT(int_at(d, "accepted", NULL) >= (json_int_t)(a_done + b_now));
  CU_ASSERT(json_array_size(json_object_get(root, "changes")) >= 2);
  json_decref(root);
  struct test_pool_stats sa = stats_of(a), sb = stats_of(b);
  CU_ASSERT_EQUAL(rejected(&sa) + sa.rejected_stale, 0);
  CU_ASSERT_EQUAL(rejected(&sb), 0);
  unlink(cfg);
  test_pool_stop(a);
  test_pool_stop(b);
}

/* ---- the control API ---- */

static const char *const control_paths[] = {"/api/reload",
                                            "/api/pause",
                                            "/api/resume",
                                            "/api/pool/switch",
                                            "/api/devices/cpu:0/pause",
                                            "/api/devices/cpu:0/resume",
                                            "/api/devices/cpu:0/target-latency",
                                            "/api/devices/cpu:0/power-limit"};
#define NPATHS (sizeof control_paths / sizeof control_paths[0])

static unsigned post_status(unsigned port, const char *path, const char *headers, const char *body)
{
  struct reply r;
  post(port, path, headers, body, &r);
  if (r.status != 200)
    fprintf(stderr, "\n    POST %s: %d %.300s", path, r.status, r.body);
  return (unsigned)r.status;
}

static json_t *device0(unsigned port)
{
  json_t *d = get_json(port, "/api/devices/cpu:0", AUTH, 200);
  return d;
}

/* Without --api-token the control endpoints are off: 403, and nothing changes. */
static void test_control_off_without_token(void)
{
  struct child c;
  child_start(&c, SYNTHMINER_PATH,
              (const char *[]){"run", "--devices", "cpu", "--threads", "1", "--api-port", "0",
                               "--no-cache", "--status-interval", "0", NULL});
  unsigned port = child_api_port_at(&c, API_LINE);
  CU_ASSERT_FATAL(port > 0);
  for (size_t i = 0; i < NPATHS; i++) {
    struct reply r;
    post(port, control_paths[i], NULL, "{\"ms\": 5, \"watts\": 5, \"pool\": 0}", &r);
    CU_ASSERT_EQUAL(r.status, 403);
  }
  json_t *d = get_json(port, "/api/devices/cpu:0", NULL, 200);
  CU_ASSERT_STRING_NOT_EQUAL(json_string_value(json_object_get(d, "state")), "paused");
  json_decref(d);
  CU_ASSERT_EQUAL(stop(&c), 0);
}

/* With the token: every endpoint refuses a request without it or with another (401) and a GET
 * (405); then pause, resume, target latency, power limit and a switch of pools do what they
 * say, each logged and in the snapshot's changes, and the switch loses no share. */
static void test_control_endpoints(void)
{
  struct test_pool *a = pool_up(), *b = pool_up();
  char ua[64], ub[64];
  url_of(ua, sizeof ua, a);
  url_of(ub, sizeof ub, b);
  struct child c;
  child_start(&c, SYNTHMINER_PATH,
              (const char *[]){"run",
                               "--devices",
                               "cpu",
                               "--threads",
                               "1",
                               "-o",
                               ua,
                               "-o",
                               ub,
                               "-u",
                               "tester.rig1",
                               "-p",
                               PASSWORD,
                               "--api-port",
                               "0",
                               "--api-token",
                               TOKEN,
                               "--no-cache",
                               "--status-interval",
                               "0",
                               "--json",
                               NULL});
  unsigned port = child_api_port_at(&c, API_LINE);
  CU_ASSERT_FATAL(port > 0);
  CU_ASSERT_TRUE_FATAL(wait_accepted(&c, a, 3));
  for (size_t i = 0; i < NPATHS; i++) {
    struct reply r;
    post(port, control_paths[i], NULL, "{}", &r);
    CU_ASSERT_EQUAL(r.status, 401);
    post(port, control_paths[i], "Authorization: Bearer wrong\r\n", "{}", &r);
    CU_ASSERT_EQUAL(r.status, 401);
    request(port, "GET", control_paths[i], AUTH, &r);
    CU_ASSERT_EQUAL(r.status, 405);
  }
  json_t *d = device0(port);
  CU_ASSERT_STRING_NOT_EQUAL(json_string_value(json_object_get(d, "state")), "paused");
  json_decref(d);

  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:0/pause", AUTH, NULL), 200);
  d = device0(port);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "state")), "paused");
  json_decref(d);
  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:0/resume", AUTH, NULL), 200);
  d = device0(port);
  CU_ASSERT_STRING_NOT_EQUAL(json_string_value(json_object_get(d, "state")), "paused");
  json_decref(d);
  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:0/target-latency", AUTH, "{\"ms\": 20}"),
                  200);
  d = device0(port);
  CU_ASSERT_DOUBLE_EQUAL(
      json_number_value(json_object_get(json_object_get(d, "latency_ms"), "target")), 20, 1e-9);
  json_decref(d);
  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:0/power-limit", AUTH, "{\"watts\": 50}"),
                  200);
  /* Bad requests: a body of the wrong shape, a device that is not there, a pool out of range,
   * a reload without --config. */
  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:0/target-latency", AUTH, "{\"ms\": \"x\"}"),
                  400);
  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:0/target-latency", AUTH, "[1]"), 400);
  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:0/power-limit", AUTH, NULL), 400);
  CU_ASSERT_EQUAL(post_status(port, "/api/devices/cpu:9/pause", AUTH, NULL), 404);
  CU_ASSERT_EQUAL(post_status(port, "/api/pool/switch", AUTH, "{\"pool\": 2}"), 400);
  CU_ASSERT_EQUAL(post_status(port, "/api/reload", AUTH, NULL), 409);

  CU_ASSERT_EQUAL(post_status(port, "/api/pool/switch", AUTH, "{\"pool\": 1}"), 200);
  CU_ASSERT_TRUE(wait_accepted(&c, b, 3));
  CU_ASSERT_TRUE(wait_err(&c, "(replaced)"));
  CU_ASSERT_EQUAL(post_status(port, "/api/pause", AUTH, NULL), 200);
  CU_ASSERT_EQUAL(post_status(port, "/api/resume", AUTH, NULL), 200);

  /* Every change is in the snapshot and in `stats`. */
  json_t *snap = get_json(port, "/api/summary", AUTH, 200);
  json_t *changes = json_object_get(snap, "changes");
  char all[4096] = "";
  size_t i;
  json_t *ch;
  json_array_foreach(changes, i, ch)
  {
    strncat(all, json_string_value(json_object_get(ch, "change")), sizeof all - strlen(all) - 2);
    strcat(all, "\n");
  }
  const char *expect[] = {"cpu:0 paused (API)",
                          "cpu:0 resumed (API)",
                          "cpu:0: target latency 20 ms (API)",
                          "cpu:0: power limit 50 W (API)",
                          "switching to pool 1",
                          "every device paused (API)",
                          "every device resumed (API)"};
  for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
    CU_ASSERT_PTR_NOT_NULL(strstr(all, expect[k]));
    CU_ASSERT_TRUE(wait_err(&c, expect[k])); /* and logged */
  }
  json_decref(snap);
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
  struct child st;
  CU_ASSERT_EQUAL(
      run_to_end(&st, SYNTHMINER_PATH,
                 (const char *[]){"stats", "--once", "--url", url, "--token", TOKEN, NULL}),
      0);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.out_buf, "last change"));

  CU_ASSERT_EQUAL(stop(&c), 0);
  json_t *root = summary(&c);
  json_t *pool = json_object_get(root, "pool");
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pool, "url")), ub);
  CU_ASSERT_EQUAL(int_at(pool, "replaced", "unanswered"), 0);
  CU_ASSERT_EQUAL(int_at(pool, "replaced", "kept"), 0);
  json_decref(root);
  struct test_pool_stats sa = stats_of(a), sb = stats_of(b);
  CU_ASSERT_EQUAL(rejected(&sa), 0);
  CU_ASSERT_EQUAL(rejected(&sb), 0);
  test_pool_stop(a);
  test_pool_stop(b);
}

/* POST /api/reload with the token re-reads the config, as SIGHUP does, and answers with the
 * outcome: applied, or refused with the reason. */
static void test_reload_through_the_api(void)
{
  char cfg[] = "/tmp/synth-reload-XXXXXX";
  temp_config(cfg, NULL);
  struct child c;
  child_start(&c, SYNTHMINER_PATH,
              (const char *[]){"run", "--devices", "cpu", "--threads", "1", "-c", cfg, "--api-port",
                               "0", "--api-token", TOKEN, "--no-cache", "--status-interval", "0",
                               NULL});
  unsigned port = child_api_port_at(&c, API_LINE);
  CU_ASSERT_FATAL(port > 0);
  write_config(cfg, NULL, "{\"pools\": [], \"target_latency\": 17}");
  struct reply r;
  post(port, "/api/reload", AUTH, NULL, &r);
  CU_ASSERT_EQUAL(r.status, 200);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "config reloaded: pools unchanged"));
  json_t *d = device0(port);
  CU_ASSERT_DOUBLE_EQUAL(
      json_number_value(json_object_get(json_object_get(d, "latency_ms"), "target")), 17, 1e-9);
  json_decref(d);
  write_config(cfg, NULL, "{\"pools\": [], \"temp_limit\": \"hot\"}");
  post(port, "/api/reload", AUTH, NULL, &r);
  CU_ASSERT_EQUAL(r.status, 409);
  CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "reload refused, the running config stays"));
  CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "temp_limit"));
  d = device0(port);
  CU_ASSERT_DOUBLE_EQUAL(
      json_number_value(json_object_get(json_object_get(d, "latency_ms"), "target")), 17, 1e-9);
  json_decref(d);
  CU_ASSERT_EQUAL(stop(&c), 0);
  unlink(cfg);
}

/* ---- systemd's notify protocol ---- */

/* Reads datagrams from fd into got (appended, one per line) until it holds what or the
 * patience ends, pumping the child meanwhile. */
static bool wait_notify(int fd, struct child *c, char *got, size_t size, const char *what,
                        unsigned times)
{
  long long deadline = now_ms() + patience_ms();
  for (;;) {
    unsigned n = 0;
    for (const char *p = got; (p = strstr(p, what)); p++)
      n++;
    if (n >= times)
      return true;
    if (now_ms() > deadline) {
      fprintf(stderr, "\n    no %s (x%u) from the service; got:\n%s\n", what, times, got);
      return false;
    }
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 50) > 0) {
      char buf[512];
      ssize_t k = recv(fd, buf, sizeof buf - 1, 0);
      if (k > 0) {
        buf[k] = 0;
        strncat(got, buf, size - strlen(got) - 2);
        strcat(got, "\n");
      }
    }
    child_pump(c, 0);
  }
}

static void test_notify_socket(void)
{
#ifndef SYNTH_HAVE_SYSTEMD
  fprintf(stderr, "\n    SKIPPED: built without libsystemd: sd_notify is not there to test\n");
  CU_PASS("built without libsystemd");
#else
  char dir[] = "/tmp/synth-notify-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", dir);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  char cfg[128];
  snprintf(cfg, sizeof cfg, "%s/config.json", dir);
  write_config(cfg, NULL, NULL);
  setenv("NOTIFY_SOCKET", sa.sun_path, 1);
  setenv("WATCHDOG_USEC", "1000000", 1);
  struct child c;
  child_start(&c, SYNTHMINER_PATH,
              (const char *[]){"run", "--devices", "cpu", "--threads", "1", "-c", cfg, "--no-api",
                               "--no-cache", "--status-interval", "0", NULL});
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  static char got[65536];
  got[0] = 0;
  CU_ASSERT_TRUE(wait_notify(fd, &c, got, sizeof got, "READY=1\nSTATUS=hashing on 1 devices", 1));
  CU_ASSERT_TRUE(wait_notify(fd, &c, got, sizeof got, "WATCHDOG=1", 3));
  CU_ASSERT_TRUE(wait_notify(fd, &c, got, sizeof got, "STATUS=", 2)); /* the hashrate line */
  CU_ASSERT_PTR_NOT_NULL(strstr(got, "H/s on 1 devices, benchmark job"));
  kill(c.pid, SIGHUP);
  CU_ASSERT_TRUE(wait_notify(fd, &c, got, sizeof got, "RELOADING=1", 1));
  CU_ASSERT_TRUE(wait_notify(fd, &c, got, sizeof got, "READY=1", 2));
  kill(c.pid, SIGTERM);
  CU_ASSERT_TRUE(wait_notify(fd, &c, got, sizeof got, "STOPPING=1", 1));
  CU_ASSERT_EQUAL(child_wait(&c, patience_ms()), 0);
  close(fd);
  unlink(sa.sun_path);
  unlink(cfg);
  rmdir(dir);
#endif
}

int main(void)
{
  int rc = synth_test_run("service", SYNTH_TESTS(SYNTH_TEST(test_reload_moves_to_the_second_pool),
                                                 SYNTH_TEST(test_control_off_without_token),
                                                 SYNTH_TEST(test_control_endpoints),
                                                 SYNTH_TEST(test_reload_through_the_api),
                                                 SYNTH_TEST(test_notify_socket)));
  child_kill_all(&rc); /* what a fatal assertion left running */
  return rc;
}
