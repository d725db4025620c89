/* api_host.c: which Host header values the local API answers (DNS rebinding protection). */
#include "api_host.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* An address of either family, compared as bytes. */
struct addr {
  int family;
  unsigned char bytes[16];
  size_t len;
};

static bool from_storage(const struct sockaddr_storage *ss, struct addr *a)
{
  memset(a, 0, sizeof *a);
  if (!ss)
    return false;
  a->family = ss->ss_family;
  if (a->family == AF_INET) {
    struct sockaddr_in in;
    memcpy(&in, ss, sizeof in);
    memcpy(a->bytes, &in.sin_addr, a->len = 4);
    return true;
  }
  if (a->family == AF_INET6) {
    struct sockaddr_in6 in6;
    memcpy(&in6, ss, sizeof in6);
    memcpy(a->bytes, &in6.sin6_addr, a->len = 16);
    return true;
  }
  return false;
}

static bool is_loopback(const struct addr *a)
{
  static const unsigned char one[16] = {[15] = 1};
  static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
  if (a->family == AF_INET)
    return a->bytes[0] == 127;
  return a->family == AF_INET6 && (memcmp(a->bytes, one, 16) == 0 ||
                                   (memcmp(a->bytes, mapped, 12) == 0 && a->bytes[12] == 127));
}

static bool is_wildcard(const struct addr *a)
{
  static const unsigned char zero[16];
  return a->len > 0 && memcmp(a->bytes, zero, a->len) == 0;
}

static bool same(const struct addr *a, const struct addr *b)
{
  return a->family == b->family && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

bool api_addr_is_loopback(const struct sockaddr_storage *addr)
{
  struct addr a;
  return from_storage(addr, &a) && is_loopback(&a);
}

bool api_addr_is_wildcard(const struct sockaddr_storage *addr)
{
  struct addr a;
  return from_storage(addr, &a) && is_wildcard(&a);
}

/* ":PORT" with 1 to 5 digits up to 65535, or nothing. */
static bool port_ok(const char *rest)
{
  if (*rest == '\0')
    return true;
  if (*rest++ != ':')
    return false;
  size_t n = strspn(rest, "0123456789");
  long v = 0;
  for (size_t i = 0; i < n && n <= 5; i++)
    v = v * 10 + (rest[i] - '0');
  return n >= 1 && n <= 5 && rest[n] == '\0' && v <= 65535;
}

/* Splits "name[:port]" or "[v6][:port]" into name; false when it is neither. */
static bool split(const char *host, char *name, size_t size, bool *bracketed)
{
  const char *end, *rest;
  *bracketed = host[0] == '[';
  if (*bracketed) {
    host++;
    end = strchr(host, ']');
    if (!end)
      return false;
    rest = end + 1;
  } else {
    end = host + strcspn(host, ":");
    rest = end;
  }
  size_t len = (size_t)(end - host);
  if (len == 0 || len >= size || !port_ok(rest))
    return false;
  memcpy(name, host, len);
  name[len] = '\0';
  return true;
}

bool api_host_allowed(const char *host, const struct sockaddr_storage *bound,
                      const struct sockaddr_storage *local)
{
  if (!host)
    return true;
  char name[INET6_ADDRSTRLEN + 1];
  bool bracketed;
  if (!split(host, name, sizeof name, &bracketed))
    return false; /* no name is this long but ones we would refuse anyway */
  if (!bracketed && strcasecmp(name, "localhost") == 0)
    return true;
  struct addr a = {.family = bracketed ? AF_INET6 : AF_INET, .len = bracketed ? 16 : 4};
  if (inet_pton(a.family, name, a.bytes) != 1) /* dotted decimal only: no "127.1", no hex */
    return false;
  struct addr b, l;
  if (is_loopback(&a))
    return true;
  if (!from_storage(bound, &b))
    return false;
  if (!is_wildcard(&b))
    return same(&a, &b);
  return from_storage(local, &l) && same(&a, &l); /* never "0.0.0.0" or "[::]" itself */
}
