/* service_notify.c: sd_notify(3) for a Type=notify unit, when built with libsystemd. */
#include "service_notify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef SYNTH_HAVE_SYSTEMD
#include <stdlib.h>
#include <systemd/sd-daemon.h>

bool service_notifying(void)
{
  const char *socket = getenv("NOTIFY_SOCKET");
  return socket && *socket;
}

static void notify(const char *state)
{
  sd_notify(0, state);
}

/* Half the watchdog period in seconds, 0 when none: read once, as the environment is. */
static double half_period(void)
{
  static int known;
  static double half;
  if (!known) {
    uint64_t usec = 0;
    half = sd_watchdog_enabled(0, &usec) > 0 ? (double)usec * 1e-6 / 2 : 0;
    known = 1;
  }
  return half;
}
#else
bool service_notifying(void)
{
  return false;
}

static void notify(const char *state)
{
  (void)state;
}

static double half_period(void)
{
  return 0;
}
#endif

void service_ready(const char *status)
{
  char line[320];
  snprintf(line, sizeof line, "READY=1\nSTATUS=%s", status);
  notify(line);
}

void service_status(const char *status)
{
  char line[320];
  snprintf(line, sizeof line, "STATUS=%s", status);
  notify(line);
}

void service_reloading(void)
{
  notify("RELOADING=1");
}

void service_reload_done(void)
{
  notify("READY=1");
}

void service_stopping(void)
{
  notify("STOPPING=1");
}

void service_watchdog(synth_runtime *rt, double now)
{
  static double next;
  static bool held_said;
  double half = half_period();
  if (half <= 0 || now < next)
    return;
  double age = synth_runtime_heartbeat_age(rt);
  if (age >= 0 && age < half) {
    notify("WATCHDOG=1");
    next = now + half;
    held_said = false;
  } else if (!held_said) {
    fprintf(stderr,
            "synthminer run: warning: the runtime's service thread has not gone round for %.1f "
            "s: the watchdog is not kept alive\n",
            age);
    held_said = true;
  }
}
