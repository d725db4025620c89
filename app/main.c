/* main.c: the synthminer command: dispatches to its subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"

static void usage(FILE *out)
{
  fprintf(out,
          "usage: synthminer <command> [options]\n\n"
          "commands:\n"
          "  run       hash on every selected device (the built-in benchmark job without a pool)\n"
          "  devices   list the devices found and which would hash\n"
          "  stats     show a running instance's devices, live (its API)\n\n"
          "  synthminer <command> --help   options of a command\n"
          "  synthminer --version          print the version\n");
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0)
    return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "devices") == 0)
    return cmd_devices(argc - 2, argv + 2);
  if (strcmp(cmd, "stats") == 0)
    return cmd_stats(argc - 2, argv + 2);
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    printf("synthminer %s\n", synth_version_string());
    return 0;
  }
  fprintf(stderr, "synthminer: unknown command '%s' (see 'synthminer --help')\n", cmd);
  return CLI_EXIT_USAGE;
}
