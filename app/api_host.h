/* api_host.h: which Host header values the local API answers (DNS rebinding protection). */
#ifndef SYNTH_CLI_API_HOST_H
#define SYNTH_CLI_API_HOST_H

#include <stdbool.h>
#include <sys/socket.h>

/* Whether addr (AF_INET or AF_INET6) is loopback: 127.0.0.0/8, ::1, ::ffff:127.x.x.x. */
bool api_addr_is_loopback(const struct sockaddr_storage *addr);

/* Whether addr is 0.0.0.0 or ::, every address of the host. */
bool api_addr_is_wildcard(const struct sockaddr_storage *addr);

/*
 * Whether a request whose Host header is host is meant for this API. A web page that a
 * browser loaded from a name the attacker's DNS later points at 127.0.0.1 (DNS rebinding) sends
 * that name, so only these are answered, each with or without ":PORT" (any port, since a
 * tunnel or port forward changes it), an IPv6 address in brackets:
 *   - "localhost" (in any case);
 *   - a numeric loopback address: 127.0.0.0/8 in dotted decimal, [::1], [::ffff:127.x.x.x];
 *   - the bound address; when that is a wildcard (0.0.0.0, ::), the address the connection
 *     came in on (local; NULL: none).
 * host NULL (no Host header, as HTTP/1.0 allows) is answered: browsers always send one, so
 * its absence is no rebinding. Pure and thread-safe.
 */
bool api_host_allowed(const char *host, const struct sockaddr_storage *bound,
                      const struct sockaddr_storage *local);

#endif
