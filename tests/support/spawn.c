/* spawn.c: starts a program with its stdout and stderr on pipes, for the command-line tests. */
#include "support/spawn.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

pid_t synth_test_spawn(const char *path, const char *const *args, int *out_fd, int *err_fd)
{
  int out[2], err[2];
  if (pipe(out) != 0)
    return -1;
  if (pipe(err) != 0) {
    close(out[0]);
    close(out[1]);
    return -1;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, err[0]);
  char *argv[32] = {(char *)path};
  for (int i = 0; args[i] && i < 30; i++)
    argv[i + 1] = (char *)args[i];
  pid_t pid;
  int rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    return -1;
  }
  *out_fd = out[0];
  *err_fd = err[0];
  return pid;
}

/* Reads what fd has into buf; false at its end. */
static bool drain(int fd, char *buf, size_t cap, size_t *len)
{
  char tmp[4096];
  ssize_t n = read(fd, tmp, sizeof tmp);
  if (n <= 0)
    return false;
  size_t take = (size_t)n < cap - 1 - *len ? (size_t)n : cap - 1 - *len;
  memcpy(buf + *len, tmp, take);
  *len += take;
  buf[*len] = '\0';
  return true;
}

bool synth_test_err_has(void *user, const struct synth_test_outcome *o)
{
  return strstr(o->err, (const char *)user) != NULL;
}

bool synth_test_run_until(const char *path, const char *const *args,
                          bool (*stop_when)(void *user, const struct synth_test_outcome *o),
                          void *user, struct synth_test_outcome *o)
{
  memset(o, 0, sizeof *o);
  int fds[2];
  pid_t pid = synth_test_spawn(path, args, &fds[0], &fds[1]);
  if (pid <= 0)
    return false;
  char *bufs[2] = {o->out, o->err};
  size_t *lens[2] = {&o->out_len, &o->err_len};
  bool open[2] = {true, true};
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (open[0] || open[1]) {
    struct pollfd p[2] = {{open[0] ? fds[0] : -1, POLLIN, 0}, {open[1] ? fds[1] : -1, POLLIN, 0}};
    poll(p, 2, 50);
    for (int i = 0; i < 2; i++)
      if (open[i] && p[i].revents)
        open[i] = drain(fds[i], bufs[i], sizeof o->out, lens[i]);
    if (stop_when && !o->signalled && stop_when(user, o)) {
      kill(pid, SIGINT);
      o->signalled = true;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > SYNTH_TEST_PROGRAM_LIMIT_S) {
      kill(pid, SIGKILL);
      o->timed_out = true;
      break;
    }
  }
  close(fds[0]);
  close(fds[1]);
  int st;
  waitpid(pid, &st, 0);
  o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  o->stop_never = stop_when && !o->signalled;
  return true;
}

bool synth_test_run_program(const char *path, const char *const *args, struct synth_test_outcome *o)
{
  return synth_test_run_until(path, args, NULL, NULL, o);
}

void synth_test_argv(const char **all, const char *const *base, size_t nbase,
                     const char *const *args)
{
  size_t n = 0;
  for (size_t i = 0; i < nbase && n < 30; i++)
    all[n++] = base[i];
  for (size_t i = 0; args[i] && n < 30; i++)
    all[n++] = args[i];
  all[n] = NULL;
}
