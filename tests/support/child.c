/* child.c: a program run beside a test, its output read as it comes, and HTTP requests
 * written by hand (a test does not trust the client it tests). */
#include "support/child.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/harness.h"
#include "support/spawn.h"

/* Every child still running, so a failed assertion cannot leave one behind. */
struct child *live[CHILDREN_MAX];

long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void child_start(struct child *c, const char *path, const char *const *args)
{
  memset(c, 0, sizeof *c);
  c->pid = synth_test_spawn(path, args, &c->out, &c->err);
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
void child_pump(struct child *c, int ms)
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
int child_wait(struct child *c, int ms)
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
int patience_ms(void)
{
  return (int)(synth_test_patience_s() * 1000);
}

/* Runs synthminer to its end. Returns its exit status. */
int run_to_end(struct child *c, const char *path, const char *const *args)
{
  child_start(c, path, args);
  return child_wait(c, patience_ms());
}

/* The port from the run's "API at" line (prefix: up to the port), waiting for it; 0 if it
 * never came. */
unsigned child_api_port_at(struct child *c, const char *prefix)
{
  long long deadline = now_ms() + patience_ms();
  while (now_ms() < deadline && (c->out >= 0 || c->err >= 0)) {
    const char *at = strstr(c->err_buf, prefix);
    if (at && strchr(at, '\n'))
      return (unsigned)strtoul(at + strlen(prefix), NULL, 10);
    child_pump(c, 50);
  }
  fprintf(stderr, "no API line; stderr so far:\n%s\n", c->err_buf);
  return 0;
}

/* ---- HTTP, by hand: the test does not trust the client it tests ---- */

/* A TCP connection to addr (an IPv4 literal) and port, or -1. */
int connect_to(const char *addr, unsigned port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, addr, &a.sin_addr);
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Sends the request text as it is to addr:port and reads the reply to the close. */
void raw_request(const char *addr, unsigned port, const char *text, struct reply *r)
{
  memset(r, 0, sizeof *r);
  r->status = -1;
  r->body = "";
  int fd = connect_to(addr, port);
  CU_ASSERT_TRUE_FATAL(fd >= 0);
  ssize_t n = (ssize_t)strlen(text);
  CU_ASSERT_EQUAL_FATAL(send(fd, text, (size_t)n, MSG_NOSIGNAL), n);
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

/* Sends method path with the extra header lines (each ending in \r\n), reads to the close. */
void request(unsigned port, const char *method, const char *path, const char *headers,
             struct reply *r)
{
  char req[1024];
  snprintf(req, sizeof req,
           "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n"
           "Content-Length: 0\r\n%s\r\n",
           method, path, port, headers ? headers : "");
  raw_request("127.0.0.1", port, req, r);
}

/* The same, at addr:port, with "Host: host" (NULL: no Host line) in HTTP/version. */
void host_request(const char *addr, unsigned port, const char *version, const char *host,
                  const char *method, const char *path, const char *headers, struct reply *r)
{
  char req[1024], host_line[300] = "";
  if (host)
    snprintf(host_line, sizeof host_line, "Host: %s\r\n", host);
  snprintf(req, sizeof req, "%s %s HTTP/%s\r\n%sConnection: close\r\n%s\r\n", method, path, version,
           host_line, headers ? headers : "");
  raw_request(addr, port, req, r);
}

void post(unsigned port, const char *path, const char *headers, const char *body, struct reply *r)
{
  char req[4096];
  snprintf(req, sizeof req,
           "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n"
           "Content-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n%s",
           path, port, body ? strlen(body) : 0, headers ? headers : "", body ? body : "");
  raw_request("127.0.0.1", port, req, r);
}

json_t *get_json(unsigned port, const char *path, const char *headers, int want_status)
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

void child_kill_all(int *rc)
{
  for (size_t i = 0; i < CHILDREN_MAX; i++)
    if (live[i] && live[i]->pid) {
      kill(live[i]->pid, SIGKILL);
      waitpid(live[i]->pid, NULL, 0);
      *rc = 1;
    }
}
