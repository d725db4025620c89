/* test_cli_pool_flags.c: `run`'s pool settings: lengths, the password's sources and their order. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/accept_loop.h"
#include "support/harness.h"
#include "support/spawn.h"
#include "synth/pool.h"

#define PASS_ENV "SYNTHMINER_POOL_PASS"

/* ---- a pool that only takes the login: what the client sent as user and password ---- */

struct login_pool {
  int fd;
  unsigned port;
  pthread_t thread;
  atomic_bool stop;
  atomic_uint authorizes;
  pthread_mutex_t lock;
  char user[512], password[512]; /* the last mining.authorize, under lock */
};

static void send_line(int fd, json_t *msg)
{
  char *text = json_dumps(msg, JSON_COMPACT);
  if (text) {
    size_t len = strlen(text);
    text[len] = '\n'; /* over the NUL: sent as one line, not as a string */
    send(fd, text, len + 1, MSG_NOSIGNAL);
  }
  free(text);
  json_decref(msg);
}

/* Answers one request line: subscribe and configure as a pool does, authorize recorded. */
static void answer(struct login_pool *p, int fd, const char *line)
{
  json_t *req = json_loads(line, 0, NULL);
  const char *method = json_string_value(json_object_get(req, "method"));
  json_t *id = json_object_get(req, "id"), *params = json_object_get(req, "params");
  if (!method || !id) {
    json_decref(req);
    return;
  }
  json_t *result;
  if (strcmp(method, "mining.subscribe") == 0) {
    result = json_pack("[[[s,s]],s,i]", "mining.notify", "1", "f000000f", 4);
  } else if (strcmp(method, "mining.configure") == 0) {
    result = json_pack("{s:b}", "version-rolling", 0);
  } else {
    result = json_true();
    if (strcmp(method, "mining.authorize") == 0) {
      pthread_mutex_lock(&p->lock);
      const char *u = json_string_value(json_array_get(params, 0));
      const char *pw = json_string_value(json_array_get(params, 1));
      snprintf(p->user, sizeof p->user, "%s", u ? u : "");
      snprintf(p->password, sizeof p->password, "%s", pw ? pw : "");
      pthread_mutex_unlock(&p->lock);
      atomic_fetch_add(&p->authorizes, 1);
    }
  }
  send_line(fd, json_pack("{s:O, s:o, s:n}", "id", id, "result", result, "error"));
  json_decref(req);
}

/* Serves one connection until it closes or the pool stops. */
static void serve(void *user, int fd)
{
  struct login_pool *p = user;
  char buf[8192];
  size_t len = 0;
  while (!atomic_load(&p->stop)) {
    struct pollfd pf = {fd, POLLIN, 0};
    if (poll(&pf, 1, 50) <= 0)
      continue;
    ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
    if (n <= 0)
      return;
    len += (size_t)n;
    buf[len] = '\0';
    char *nl;
    while ((nl = strchr(buf, '\n'))) {
      *nl = '\0';
      answer(p, fd, buf);
      len -= (size_t)(nl + 1 - buf);
      memmove(buf, nl + 1, len + 1);
    }
    if (len == sizeof buf - 1)
      return; /* no line is this long */
  }
}

static void *pool_main(void *arg)
{
  struct login_pool *p = arg;
  synth_test_accept_until(p->fd, &p->stop, serve, p);
  return NULL;
}

/* Listens on 127.0.0.1, an ephemeral port, and serves on a thread. Returns false if it cannot. */
static bool pool_start(struct login_pool *p)
{
  memset(p, 0, sizeof *p);
  pthread_mutex_init(&p->lock, NULL);
  p->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->fd, 4) != 0 ||
      getsockname(p->fd, (struct sockaddr *)&a, &len) != 0)
    return false;
  p->port = ntohs(a.sin_port);
  return pthread_create(&p->thread, NULL, pool_main, p) == 0;
}

static void pool_stop(struct login_pool *p)
{
  atomic_store(&p->stop, true);
  pthread_join(p->thread, NULL);
  close(p->fd);
  pthread_mutex_destroy(&p->lock);
}

static bool pool_logged_in(void *user, const struct synth_test_outcome *o)
{
  (void)o;
  return atomic_load(&((struct login_pool *)user)->authorizes) > 0;
}

/* ---- runs ---- */

static struct login_pool pool;
static char pool_url[64];

static size_t lines(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* A file holding exactly text, under /tmp; its path in path (size 32). */
static void temp_file(char *path, const char *text)
{
  snprintf(path, 32, "/tmp/synth-pool-XXXXXX");
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  ssize_t n = (ssize_t)strlen(text);
  CU_ASSERT_EQUAL_FATAL(write(fd, text, (size_t)n), n);
  close(fd);
}

/* args after `run --devices cpu ...`, at most 16 of them, NULL-terminated. */
static void full_args(const char **all, const char *const *args)
{
  static const char *const base[] = {
      "run",        "--devices", "cpu",      "--threads",         "1",
      "--cpu-core", "generic",   "--no-api", "--status-interval", "0"};
  synth_test_argv(all, base, sizeof base / sizeof base[0], args);
}

/* Bad usage: exit 2 and one line on stderr naming mentions, and never secret (NULL: none). */
static void expect_usage(const char *const *args, const char *mentions, const char *secret)
{
  static struct synth_test_outcome o;
  const char *all[32];
  full_args(all, args);
  CU_ASSERT_FATAL(synth_test_run_program(SYNTHMINER_PATH, all, &o));
  CU_ASSERT_EQUAL(o.status, 2);
  CU_ASSERT_EQUAL(lines(o.err), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, mentions));
  if (secret) {
    CU_ASSERT_PTR_NULL(strstr(o.err, secret));
    CU_ASSERT_PTR_NULL(strstr(o.out, secret));
  }
  if (o.status != 2 || lines(o.err) != 1 || !strstr(o.err, mentions))
    fprintf(stderr, "\n    wanted exit 2 and one line with \"%s\"; got %d: %s\n", mentions,
            o.status, o.err);
}

/*
 * Runs against the login pool until the client has logged in, then stops it. Checks that it
 * ended cleanly, that the pool got user and password, and that no secret (NULL-terminated)
 * was ever printed.
 */
static void expect_login(const char *const *args, const char *user, const char *password,
                         const char *const *secrets)
{
  static struct synth_test_outcome o;
  const char *all[32];
  full_args(all, args);
  atomic_store(&pool.authorizes, 0);
  CU_ASSERT_FATAL(synth_test_run_until(SYNTHMINER_PATH, all, pool_logged_in, &pool, &o));
  CU_ASSERT_FALSE(o.timed_out);
  CU_ASSERT_FALSE(o.stop_never);
  CU_ASSERT_EQUAL(o.status, 0);
  pthread_mutex_lock(&pool.lock);
  CU_ASSERT_STRING_EQUAL(pool.user, user);
  CU_ASSERT_STRING_EQUAL(pool.password, password);
  if (strcmp(pool.password, password) != 0)
    fprintf(stderr, "\n    the pool got password \"%s\", expected \"%s\"\n", pool.password,
            password);
  pthread_mutex_unlock(&pool.lock);
  for (; secrets && *secrets; secrets++) {
    CU_ASSERT_PTR_NULL(strstr(o.out, *secrets));
    CU_ASSERT_PTR_NULL(strstr(o.err, *secrets));
  }
  if (o.status != 0 || o.stop_never)
    fprintf(stderr, "\n    exit %d; stderr: %s\n", o.status, o.err);
}

/* A string of n copies of c (n < 1024), in a static buffer of the caller's choice. */
static const char *repeat(char *buf, char c, size_t n)
{
  memset(buf, c, n);
  buf[n] = '\0';
  return buf;
}

/* ---- tests ---- */

/* Every limit of synth/pool.h, on the command line and in the config: exit 2 and one line
 * naming the flag or key and the limit; a password is never shown. */
static void test_lengths_refused(void)
{
  static char url[1024], user[1024], pass[1024], body[4096], path[32];
  snprintf(url, sizeof url, "stratum+tcp://127.0.0.1:%0*u",
           SYNTH_POOL_URL_MAX + 1 - (int)strlen("stratum+tcp://127.0.0.1:"), 3333);
  CU_ASSERT_EQUAL_FATAL(strlen(url), SYNTH_POOL_URL_MAX + 1);
  repeat(user, 'u', SYNTH_POOL_USER_MAX + 1);
  repeat(pass, 'p', SYNTH_POOL_PASSWORD_MAX + 1);

  expect_usage((const char *[]){"-o", url, "-u", "w", NULL}, "-o: a pool URL is at most 255 bytes",
               NULL);
  expect_usage((const char *[]){"-o", pool_url, "-o", url, "-u", "w", NULL}, "-o (pool 2)", NULL);
  expect_usage((const char *[]){"-o", pool_url, "-u", user, NULL},
               "-u: a worker name is at most 127 bytes", NULL);
  expect_usage((const char *[]){"-o", pool_url, "-u", "w", "-p", pass, NULL},
               "-p: a password is at most 255 bytes", pass);

  snprintf(body, sizeof body, "%s\n", pass);
  temp_file(path, body);
  expect_usage((const char *[]){"-o", pool_url, "-u", "w", "--pass-file", path, NULL},
               "a password is at most 255 bytes", pass);
  unlink(path);

  setenv(PASS_ENV, pass, 1);
  expect_usage((const char *[]){"-o", pool_url, "-u", "w", NULL},
               "$" PASS_ENV ": a password is at most 255 bytes", pass);
  unsetenv(PASS_ENV);

  snprintf(body, sizeof body, "{\"pools\": [\"%s\", \"%s\"], \"user\": \"w\"}", pool_url, url);
  temp_file(path, body);
  expect_usage((const char *[]){"-c", path, NULL}, "\"pools\" entry 2: a pool URL is at most 255",
               NULL);
  unlink(path);
  snprintf(body, sizeof body, "{\"pools\": [{\"url\": \"%s\"}], \"user\": \"w\"}", url);
  temp_file(path, body);
  expect_usage((const char *[]){"-c", path, NULL}, "\"pools\" entry 1", NULL);
  unlink(path);
  snprintf(body, sizeof body, "{\"pools\": [\"%s\"], \"user\": \"%s\"}", pool_url, user);
  temp_file(path, body);
  expect_usage((const char *[]){"-c", path, NULL}, "\"user\": a worker name is at most 127", NULL);
  unlink(path);
  snprintf(body, sizeof body, "{\"pools\": [\"%s\"], \"user\": \"w\", \"pass\": \"%s\"}", pool_url,
           pass);
  temp_file(path, body);
  expect_usage((const char *[]){"-c", path, NULL}, "\"pass\": a password is at most 255", pass);
  unlink(path);
}

/* Exactly at every limit, each goes through whole. */
static void test_lengths_at_the_limit(void)
{
  static char url[1024], user[1024], pass[1024];
  /* A port with leading zeros makes a URL of any length that still reaches the pool. */
  snprintf(url, sizeof url, "stratum+tcp://127.0.0.1:%0*u",
           SYNTH_POOL_URL_MAX - (int)strlen("stratum+tcp://127.0.0.1:"), pool.port);
  CU_ASSERT_EQUAL_FATAL(strlen(url), SYNTH_POOL_URL_MAX);
  repeat(user, 'u', SYNTH_POOL_USER_MAX);
  repeat(pass, 'p', SYNTH_POOL_PASSWORD_MAX);
  expect_login((const char *[]){"-o", url, "-u", user, "-p", pass, NULL}, user, pass,
               (const char *[]){pass, NULL});
}

/* --pass-file: the first line, without its line end; a file that gives none is exit 2. */
static void test_pass_file(void)
{
  static const struct {
    const char *text, *password;
  } good[] = {
      {"pw-file-first\nsecond line\n", "pw-file-first"},
      {"pw-file-crlf\r\n", "pw-file-crlf"},
      {"pw-file-no-newline", "pw-file-no-newline"},
  };
  char path[32];
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    temp_file(path, good[i].text);
    expect_login((const char *[]){"-o", pool_url, "-u", "w.1", "--pass-file", path, NULL}, "w.1",
                 good[i].password, (const char *[]){good[i].password, "second line", NULL});
    unlink(path);
  }
  expect_usage(
      (const char *[]){"-o", pool_url, "-u", "w", "--pass-file", "/nonexistent/pass", NULL},
      "--pass-file /nonexistent/pass: cannot read it", NULL);
  expect_usage((const char *[]){"-o", pool_url, "-u", "w", "--pass-file", "/tmp", NULL},
               "--pass-file /tmp: cannot read it", NULL);
  temp_file(path, "");
  expect_usage((const char *[]){"-o", pool_url, "-u", "w", "--pass-file", path, NULL}, "is empty",
               NULL);
  unlink(path);
  temp_file(path, "\npw-second-line\n");
  expect_usage((const char *[]){"-o", pool_url, "-u", "w", "--pass-file", path, NULL}, "is empty",
               "pw-second-line");
  unlink(path);
  /* Named, so read, even where -p wins. */
  expect_usage((const char *[]){"-o", pool_url, "-u", "w", "-p", "pw-flag", "--pass-file",
                                "/nonexistent/pass", NULL},
               "cannot read it", "pw-flag");
  /* Without a pool it has nothing to do. */
  temp_file(path, "pw-file\n");
  expect_usage((const char *[]){"--pass-file", path, NULL}, "need a pool", "pw-file");
  unlink(path);
}

/* Where the password comes from: -p, then --pass-file, then the config's "pass" or
 * "pass_file", then $SYNTHMINER_POOL_PASS, then the client's default, "x". */
static void test_password_precedence(void)
{
  static const char *const every[] = {"pw-env",  "pw-config", "pw-config-file",
                                      "pw-file", "pw-flag",   NULL};
  char file[32], target[32], cfg_pass[32], cfg_file[32], cfg_both[32], cfg_missing[32];
  char body[512];
  temp_file(file, "pw-file\n");
  temp_file(target, "pw-config-file\n");
  snprintf(body, sizeof body, "{\"pools\": [\"%s\"], \"user\": \"w.cfg\", \"pass\": \"pw-config\"}",
           pool_url);
  temp_file(cfg_pass, body);
  snprintf(body, sizeof body, "{\"pools\": [\"%s\"], \"user\": \"w.cfg\", \"pass_file\": \"%s\"}",
           pool_url, target);
  temp_file(cfg_file, body);
  snprintf(body, sizeof body,
           "{\"pools\": [\"%s\"], \"user\": \"w\", \"pass\": \"pw-config\", \"pass_file\": \"%s\"}",
           pool_url, target);
  temp_file(cfg_both, body);
  snprintf(body, sizeof body,
           "{\"pools\": [\"%s\"], \"user\": \"w\", \"pass_file\": \"/nonexistent/pass\"}",
           pool_url);
  temp_file(cfg_missing, body);

  expect_login((const char *[]){"-o", pool_url, "-u", "w", NULL}, "w", "x", every);
  setenv(PASS_ENV, "", 1); /* empty: none */
  expect_login((const char *[]){"-o", pool_url, "-u", "w", NULL}, "w", "x", every);
  setenv(PASS_ENV, "pw-env", 1);
  expect_login((const char *[]){"-o", pool_url, "-u", "w", NULL}, "w", "pw-env", every);
  expect_login((const char *[]){"-c", cfg_pass, NULL}, "w.cfg", "pw-config", every);
  expect_login((const char *[]){"-c", cfg_file, NULL}, "w.cfg", "pw-config-file", every);
  expect_login((const char *[]){"-c", cfg_pass, "--pass-file", file, NULL}, "w.cfg", "pw-file",
               every);
  expect_login((const char *[]){"-c", cfg_pass, "--pass-file", file, "-p", "pw-flag", NULL},
               "w.cfg", "pw-flag", every);
  unsetenv(PASS_ENV);

  expect_usage((const char *[]){"-c", cfg_both, NULL}, "keep one", "pw-config");
  expect_usage((const char *[]){"-c", cfg_missing, NULL},
               "\"pass_file\" /nonexistent/pass: cannot read it", NULL);
  const char *made[] = {file, target, cfg_pass, cfg_file, cfg_both, cfg_missing};
  for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
    unlink(made[i]);
}

int main(void)
{
  unsetenv(PASS_ENV); /* the runs' environment is the test's */
  if (!pool_start(&pool)) {
    fprintf(stderr, "cannot start the login pool\n");
    return 1;
  }
  snprintf(pool_url, sizeof pool_url, "stratum+tcp://127.0.0.1:%u", pool.port);
  int rc = synth_test_run("cli_pool_flags", SYNTH_TESTS(SYNTH_TEST(test_lengths_refused),
                                                        SYNTH_TEST(test_lengths_at_the_limit),
                                                        SYNTH_TEST(test_pass_file),
                                                        SYNTH_TEST(test_password_precedence)));
  pool_stop(&pool);
  return rc;
}
