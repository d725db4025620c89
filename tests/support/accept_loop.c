/* accept_loop.c: the accept loop of the tests' small servers (accept_loop.h). */
#include "support/accept_loop.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

void synth_test_accept_until(int fd, atomic_bool *stop, void (*answer)(void *user, int conn),
                             void *user)
{
  while (!atomic_load(stop)) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) /* timed out: look at stop again */
      continue;
    int conn = accept(fd, NULL, NULL);
    if (conn >= 0) {
      answer(user, conn);
      close(conn);
    }
  }
}
