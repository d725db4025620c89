/* accept_loop.h: the accept loop of the tests' small one-purpose servers. */
#ifndef SYNTH_TESTS_ACCEPT_LOOP_H
#define SYNTH_TESTS_ACCEPT_LOOP_H

#include <stdatomic.h>

/* Accepts connections on the listening socket @fd until *stop, looking at it every 50 ms, and
 * hands each to answer(user, connection), closing it afterwards. For a server's own thread. */
void synth_test_accept_until(int fd, atomic_bool *stop, void (*answer)(void *user, int conn),
                             void *user);

#endif
