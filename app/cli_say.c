/* cli_say.c: a user-facing error line on stderr, remembered for whoever asked (a reload through
 * the API answers with it). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Per thread: a reload on the API's thread and the main loop never read each other's line. */
static _Thread_local char said[512];

void cli_say(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(said, sizeof said, fmt, ap);
  va_end(ap);
  fputs(said, stderr);
  size_t n = strlen(said);
  if (n && said[n - 1] == '\n')
    said[n - 1] = '\0';
}

const char *cli_said(void)
{
  return said;
}

void cli_said_clear(void)
{
  said[0] = '\0';
}
