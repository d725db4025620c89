/* test_solo_rpc.c: the node's JSON-RPC transport: URLs, Basic auth, and every shape of HTTP
 * answer (Content-Length, chunked, close-delimited, errors, garbage, silence) from a loopback
 * server that sends canned bytes. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "pool/solo_rpc.h"
#include "support/accept_loop.h"
#include "support/harness.h"

static void test_urls(void)
{
  static const struct {
    const char *url;
    int ok;
    const char *host, *path;
    unsigned port;
    bool tls;
  } cases[] = {
      {"http://127.0.0.1:8332", 1, "127.0.0.1", "/", 8332, false},
      {"http://node", 1, "node", "/", 8332, false},
      {"https://node.example", 1, "node.example", "/", 443, true},
      {"http://[::1]:18443/wallet/x", 1, "::1", "/wallet/x", 18443, false},
      {"http://[::1]", 1, "::1", "/", 8332, false},
      {"http://u:p@node:8332", 0, NULL, NULL, 0, false},
      {"stratum+tcp://node:3333", 0, NULL, NULL, 0, false},
      {"http://node:0", 0, NULL, NULL, 0, false},
      {"http://node:70000", 0, NULL, NULL, 0, false},
      {"http://node:12x", 0, NULL, NULL, 0, false},
      {"http://:8332", 0, NULL, NULL, 0, false},
      {"http://no de:1", 0, NULL, NULL, 0, false},
      {"http://node:1/a b", 0, NULL, NULL, 0, false},
      {"http://node:1/?q", 0, NULL, NULL, 0, false},
      {"http://[::1:1", 0, NULL, NULL, 0, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct synth__rpc_node n;
    char why[128];
    int rc = synth__rpc_url_parse(cases[i].url, &n, why, sizeof why);
    CU_ASSERT_EQUAL(rc == 0, cases[i].ok);
    if (rc != 0 || !cases[i].ok) {
      CU_ASSERT(rc != 0 && strstr(why, cases[i].url) != NULL);
      continue;
    }
    CU_ASSERT_STRING_EQUAL(n.ep.host, cases[i].host);
    CU_ASSERT_STRING_EQUAL(n.path, cases[i].path);
    CU_ASSERT_EQUAL(n.ep.port, cases[i].port);
    CU_ASSERT_EQUAL(n.ep.tls, cases[i].tls);
  }
}

static void test_auth(void)
{
  struct synth__rpc_node n;
  memset(&n, 0, sizeof n);
  CU_ASSERT_EQUAL(synth__rpc_set_auth(&n, "__cookie__:abc"), 0);
  CU_ASSERT_STRING_EQUAL(n.auth, "Basic X19jb29raWVfXzphYmM=");
  CU_ASSERT_EQUAL(synth__rpc_set_auth(&n, "u:p"), 0);
  CU_ASSERT_STRING_EQUAL(n.auth, "Basic dTpw");
  char longer[600];
  memset(longer, 'a', sizeof longer - 1);
  longer[sizeof longer - 1] = 0;
  CU_ASSERT_EQUAL(synth__rpc_set_auth(&n, longer), -1);
}

/* ---- a server that answers every request with the same canned bytes ---------------------- */

struct canned {
  int fd;
  unsigned port;
  atomic_bool stop;
  pthread_t thread;
  const char *reply; /* NULL: read the request, answer nothing until the client gives up */
  size_t reply_len;
  char request[4096]; /* the last request's head and body */
};

static void answer(void *user, int conn)
{
  struct canned *c = user;
  size_t got = 0;
  while (got < sizeof c->request - 1) {
    ssize_t n = recv(conn, c->request + got, sizeof c->request - 1 - got, 0);
    if (n <= 0)
      break;
    got += (size_t)n;
    c->request[got] = 0;
    char *end = strstr(c->request, "\r\n\r\n");
    const char *cl = strstr(c->request, "Content-Length: ");
    if (end && cl && got >= (size_t)(end + 4 - c->request) + (size_t)atoi(cl + 16))
      break;
  }
  if (!c->reply) { /* silence: wait for the client to hang up */
    char b;
    while (!atomic_load(&c->stop) && recv(conn, &b, 1, 0) > 0) {
    }
    return;
  }
  size_t off = 0;
  while (off < c->reply_len) {
    ssize_t n = send(conn, c->reply + off, c->reply_len - off, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    off += (size_t)n;
  }
}

static void *serve(void *arg)
{
  struct canned *c = arg;
  synth_test_accept_until(c->fd, &c->stop, answer, c);
  return NULL;
}

static void canned_start(struct canned *c)
{
  memset(c, 0, sizeof *c);
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  CU_ASSERT_FATAL(bind(c->fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(c->fd, 8) == 0);
  getsockname(c->fd, (struct sockaddr *)&a, &len);
  c->port = ntohs(a.sin_port);
  pthread_create(&c->thread, NULL, serve, c);
}

static void canned_stop(struct canned *c)
{
  atomic_store(&c->stop, true);
  pthread_join(c->thread, NULL);
  close(c->fd);
}

/* One call of "m" against a server answering @reply; the answer in *out. */
static enum synth__rpc_status call_with(const char *reply, unsigned timeout_ms,
                                        struct synth__rpc_answer *out, char *request,
                                        size_t request_size)
{
  struct canned c;
  canned_start(&c);
  c.reply = reply;
  c.reply_len = reply ? strlen(reply) : 0;
  struct synth__rpc_node n;
  char url[64], why[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/", c.port);
  CU_ASSERT_FATAL(synth__rpc_url_parse(url, &n, why, sizeof why) == 0);
  synth__rpc_set_auth(&n, "user:secret");
  enum synth__rpc_status s = synth__rpc_call(&n, "m", NULL, 7, timeout_ms, NULL, out);
  canned_stop(&c);
  if (request)
    snprintf(request, request_size, "%s", c.request);
  return s;
}

#define OK_HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

static void test_answers(void)
{
  static const struct {
    const char *reply;
    enum synth__rpc_status status;
    int64_t code;
    const char *result; /* the result dumped, for OK */
  } cases[] = {
      {OK_HEAD "Content-Length: 38\r\n\r\n{\"result\":{\"a\":1},\"error\":null,\"id\":7}",
       SYNTH__RPC_OK, 0, "{\"a\": 1}"},
      {OK_HEAD "Transfer-Encoding: chunked\r\n\r\n"
               "a\r\n{\"result\":\r\n18;ext=1\r\n\"x\",\"error\":null,\"id\":7}\r\n0\r\n\r\n",
       SYNTH__RPC_OK, 0, "\"x\""},
      {OK_HEAD "\r\n{\"result\":null,\"error\":null,\"id\":7}", SYNTH__RPC_OK, 0, "null"},
      {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 79\r\n\r\n"
       "{\"result\":null,\"error\":{\"code\":-28,\"message\":\"Loading block index...\"},"
       "\"id\":7}\n",
       SYNTH__RPC_ERROR, -28, NULL},
      {"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", SYNTH__RPC_AUTH, 0, NULL},
      {"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", SYNTH__RPC_AUTH, 0, NULL},
      {"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot json!", SYNTH__RPC_MALFORMED, 0,
       NULL},
      {"SSH-2.0-OpenSSH\r\n\r\n", SYNTH__RPC_MALFORMED, 0, NULL},
      {OK_HEAD "Content-Length: 12\r\n\r\n[1,2,3,4,5]\n", SYNTH__RPC_MALFORMED, 0, NULL},
      {OK_HEAD "Content-Length: 21\r\n\r\n{\"error\":null,\"id\":7}", SYNTH__RPC_MALFORMED, 0,
       NULL},
      {OK_HEAD "Content-Length: 35\r\n\r\n{\"result\":1,\"error\":\"bad\",\"id\":7}  ",
       SYNTH__RPC_MALFORMED, 0, NULL},
      {OK_HEAD "Content-Length: 999999999999\r\n\r\n{}", SYNTH__RPC_MALFORMED, 0, NULL},
      {OK_HEAD "Content-Length: -1\r\n\r\n{}", SYNTH__RPC_MALFORMED, 0, NULL},
      {OK_HEAD "Transfer-Encoding: chunked\r\n\r\nzz\r\n", SYNTH__RPC_MALFORMED, 0, NULL},
      {OK_HEAD "Content-Length: 100\r\n\r\n{\"result\":", SYNTH__RPC_IO, 0, NULL}, /* cut */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct synth__rpc_answer a;
    char request[4096];
    enum synth__rpc_status s = call_with(cases[i].reply, 5000, &a, request, sizeof request);
    CU_ASSERT_EQUAL(s, cases[i].status);
    CU_ASSERT_EQUAL(a.status, s);
    if (s != cases[i].status)
      fprintf(stderr, "case %zu: %s (%s)\n", i, synth__rpc_status_name(s), a.message);
    if (cases[i].code)
      CU_ASSERT_EQUAL(a.code, cases[i].code);
    if (cases[i].result && s == SYNTH__RPC_OK) {
      char *dump = json_dumps(a.result, JSON_ENCODE_ANY);
      CU_ASSERT_STRING_EQUAL(dump, cases[i].result);
      free(dump);
    }
    json_decref(a.result);
    if (i == 0) { /* the request itself: a POST with the credentials and the JSON-RPC body */
      CU_ASSERT(strncmp(request, "POST / HTTP/1.1\r\n", 17) == 0);
      CU_ASSERT(strstr(request, "Authorization: Basic dXNlcjpzZWNyZXQ=\r\n") != NULL);
      CU_ASSERT(strstr(request, "\"method\":\"m\"") != NULL);
      CU_ASSERT(strstr(request, "\"id\":7") != NULL);
    }
  }
}

/* A node that never answers: the call ends at its deadline, not later. */
static void test_silence(void)
{
  struct synth__rpc_answer a;
  double t0 = synth_test_now_s();
  CU_ASSERT_EQUAL(call_with(NULL, 300, &a, NULL, 0), SYNTH__RPC_IO);
  CU_ASSERT(synth_test_now_s() - t0 < 30);
}

/* Nothing listens: a connect failure, told apart from a failure after the request went. */
static void test_refused(void)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  bind(fd, (struct sockaddr *)&a, sizeof a);
  getsockname(fd, (struct sockaddr *)&a, &len);
  close(fd); /* the port is free again: nothing listens there */
  struct synth__rpc_node n;
  char url[64], why[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", ntohs(a.sin_port));
  CU_ASSERT_FATAL(synth__rpc_url_parse(url, &n, why, sizeof why) == 0);
  struct synth__rpc_answer ans;
  CU_ASSERT_EQUAL(synth__rpc_call(&n, "m", NULL, 1, 2000, NULL, &ans), SYNTH__RPC_CONNECT);
  CU_ASSERT(ans.message[0] != 0);
}

/* The stop flag ends a long wait within a few of its 100 ms looks. */
struct stop_after {
  atomic_bool *flag;
};
static void *raise_stop(void *arg)
{
  synth_test_sleep_ms(200);
  atomic_store(((struct stop_after *)arg)->flag, true);
  return NULL;
}

static void test_stop(void)
{
  struct canned c;
  canned_start(&c);
  struct synth__rpc_node n;
  char url[64], why[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", c.port);
  CU_ASSERT_FATAL(synth__rpc_url_parse(url, &n, why, sizeof why) == 0);
  atomic_bool stop = false;
  struct stop_after sa = {&stop};
  pthread_t t;
  pthread_create(&t, NULL, raise_stop, &sa);
  struct synth__rpc_answer a;
  CU_ASSERT_EQUAL(synth__rpc_call(&n, "m", NULL, 1, 600000, &stop, &a), SYNTH__RPC_STOPPED);
  pthread_join(t, NULL);
  canned_stop(&c);
}

SYNTH_TEST_MAIN("solo_rpc", SYNTH_TEST(test_urls), SYNTH_TEST(test_auth), SYNTH_TEST(test_answers),
                SYNTH_TEST(test_silence), SYNTH_TEST(test_refused), SYNTH_TEST(test_stop))
