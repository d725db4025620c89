/* test_api_host.c: the local API answers only Host values that name it (DNS rebinding). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "app/api_host.h"
#include "support/harness.h"

/* An address literal as a socket address; NULL for NULL. */
static const struct sockaddr_storage *addr(const char *text, struct sockaddr_storage *ss)
{
  if (!text)
    return NULL;
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in v4 = {.sin_family = AF_INET};
  struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
  if (inet_pton(AF_INET, text, &v4.sin_addr) == 1)
    memcpy(ss, &v4, sizeof v4);
  else if (inet_pton(AF_INET6, text, &v6.sin6_addr) == 1)
    memcpy(ss, &v6, sizeof v6);
  else
    CU_FAIL_FATAL("not an address literal");
  return ss;
}

struct host_case {
  const char *host, *bound, *local;
  bool allowed;
};

static void check(const struct host_case *c, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    struct sockaddr_storage b, l;
    bool got = api_host_allowed(c[i].host, addr(c[i].bound, &b), addr(c[i].local, &l));
    CU_ASSERT_EQUAL(got, c[i].allowed);
    if (got != c[i].allowed)
      fprintf(stderr, "\n    Host %s (bound %s, local %s): %s, expected %s\n",
              c[i].host ? c[i].host : "(none)", c[i].bound, c[i].local ? c[i].local : "-",
              got ? "allowed" : "refused", c[i].allowed ? "allowed" : "refused");
  }
}

static void test_loopback_bind(void)
{
  static const struct host_case cases[] = {
      {NULL, "127.0.0.1", NULL, true}, /* HTTP/1.0 without Host: no browser */
      {"127.0.0.1", "127.0.0.1", NULL, true},
      {"127.0.0.1:4077", "127.0.0.1", NULL, true},
      {"127.0.0.1:9000", "127.0.0.1", NULL, true}, /* a forwarded port */
      {"127.0.0.2:4077", "127.0.0.1", NULL, true},
      {"127.255.255.254", "127.0.0.1", NULL, true},
      {"localhost", "127.0.0.1", NULL, true},
      {"localhost:4077", "127.0.0.1", NULL, true},
      {"LocalHost:4077", "127.0.0.1", NULL, true},
      {"[::1]", "127.0.0.1", NULL, true},
      {"[::1]:4077", "127.0.0.1", NULL, true},
      {"[0:0:0:0:0:0:0:1]:4077", "127.0.0.1", NULL, true},
      {"[::ffff:127.0.0.1]:4077", "127.0.0.1", NULL, true},
      {"evil.example", "127.0.0.1", NULL, false},
      {"evil.example:4077", "127.0.0.1", NULL, false},
      {"127.0.0.1.evil.example", "127.0.0.1", NULL, false},
      {"127.0.0.1.evil.example:4077", "127.0.0.1", NULL, false},
      {"localhost.evil.example", "127.0.0.1", NULL, false},
      {"localhost.", "127.0.0.1", NULL, false},
      {"sub.localhost", "127.0.0.1", NULL, false},
      {"", "127.0.0.1", NULL, false},
      {":4077", "127.0.0.1", NULL, false},
      {"::1", "127.0.0.1", NULL, false}, /* IPv6 needs its brackets */
      {"[::1", "127.0.0.1", NULL, false},
      {"[localhost]", "127.0.0.1", NULL, false},
      {"127.1", "127.0.0.1", NULL, false},
      {"0x7f.0.0.1", "127.0.0.1", NULL, false},
      {"2130706433", "127.0.0.1", NULL, false},
      {"127.0.0.1:", "127.0.0.1", NULL, false},
      {"127.0.0.1:http", "127.0.0.1", NULL, false},
      {"127.0.0.1:65536", "127.0.0.1", NULL, false},
      {"127.0.0.1:123456", "127.0.0.1", NULL, false},
      {"127.0.0.1:4077:1", "127.0.0.1", NULL, false},
      {"[::1]x", "127.0.0.1", NULL, false},
      {"127.0.0.1 ", "127.0.0.1", NULL, false},
      {"192.0.2.7", "127.0.0.1", NULL, false},
      {"[2001:db8::7]", "127.0.0.1", NULL, false},
      {"0.0.0.0", "127.0.0.1", NULL, false},
      {"[::1]:4077", "::1", NULL, true},
      {"localhost", "::1", NULL, true},
      {"evil.example", "::1", NULL, false},
  };
  check(cases, sizeof cases / sizeof cases[0]);
}

static void test_other_binds(void)
{
  static const struct host_case cases[] = {
      /* A named address: it, and loopback (the same host reaching it another way). */
      {"192.0.2.7:4077", "192.0.2.7", NULL, true},
      {"192.0.2.7", "192.0.2.7", NULL, true},
      {"127.0.0.1:4077", "192.0.2.7", NULL, true},
      {"localhost:4077", "192.0.2.7", NULL, true},
      {"192.0.2.8:4077", "192.0.2.7", NULL, false},
      {"miner.lan:4077", "192.0.2.7", NULL, false},
      {"[2001:db8::7]:4077", "2001:db8::7", NULL, true},
      {"[2001:db8:0::7]", "2001:db8::7", NULL, true},
      {"[2001:db8::8]", "2001:db8::7", NULL, false},
      {"2001:db8::7", "2001:db8::7", NULL, false},
      /* A wildcard: the address the connection came in on, never the wildcard itself. */
      {"192.0.2.7:4077", "0.0.0.0", "192.0.2.7", true},
      {"192.0.2.8:4077", "0.0.0.0", "192.0.2.7", false},
      {"192.0.2.7:4077", "0.0.0.0", NULL, false},
      {"0.0.0.0:4077", "0.0.0.0", "192.0.2.7", false},
      {"127.0.0.1", "0.0.0.0", "127.0.0.1", true},
      {"evil.example", "0.0.0.0", "192.0.2.7", false},
      {"[2001:db8::7]:4077", "::", "2001:db8::7", true},
      {"[::]:4077", "::", "2001:db8::7", false},
      {"[2001:db8::8]", "::", "2001:db8::7", false},
  };
  check(cases, sizeof cases / sizeof cases[0]);
}

static void test_loopback_addresses(void)
{
  static const struct {
    const char *address;
    bool loopback, wildcard;
  } cases[] = {
      {"127.0.0.1", true, false},        {"127.9.8.7", true, false},  {"::1", true, false},
      {"::ffff:127.0.0.1", true, false}, {"128.0.0.1", false, false}, {"::2", false, false},
      {"::ffff:10.0.0.1", false, false}, {"0.0.0.0", false, true},    {"::", false, true},
      {"0.0.0.1", false, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct sockaddr_storage ss;
    CU_ASSERT_EQUAL(api_addr_is_loopback(addr(cases[i].address, &ss)), cases[i].loopback);
    CU_ASSERT_EQUAL(api_addr_is_wildcard(addr(cases[i].address, &ss)), cases[i].wildcard);
  }
  CU_ASSERT_FALSE(api_addr_is_loopback(NULL));
  CU_ASSERT_FALSE(api_addr_is_wildcard(NULL));
}

SYNTH_TEST_MAIN("api_host", SYNTH_TEST(test_loopback_bind), SYNTH_TEST(test_other_binds),
                SYNTH_TEST(test_loopback_addresses))
