/* spawn.c: starts a program with its stdout and stderr on pipes, for the command-line tests. */
#include "support/spawn.h"

#include <spawn.h>
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
