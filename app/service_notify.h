/* service_notify.h: telling systemd how a Type=notify service is doing (sd_notify(3)): ready,
 * a status line, reloading, stopping, and the watchdog's keep-alive. Built without libsystemd,
 * or run outside such a unit ($NOTIFY_SOCKET unset), every call does nothing. */
#ifndef SYNTH_CLI_SERVICE_NOTIFY_H
#define SYNTH_CLI_SERVICE_NOTIFY_H

#include <stdbool.h>

#include <synth/synth.h>

/* Whether anything is listening: built with libsystemd and run with $NOTIFY_SOCKET. */
bool service_notifying(void);

/* READY=1 with a STATUS= line. */
void service_ready(const char *status);

/* STATUS=: what `systemctl status` shows. */
void service_status(const char *status);

/* RELOADING=1 before a reload, READY=1 after it (reload_done). */
void service_reloading(void);
void service_reload_done(void);

/* STOPPING=1. */
void service_stopping(void);

/*
 * The watchdog (WatchdogSec=): called from the main loop every turn, it sends WATCHDOG=1 every
 * half period while the runtime's service thread goes round its loop (synth_runtime_heartbeat_age
 * under half the period): a wedged runtime, or a main loop that stopped turning, is restarted
 * by systemd. Says once when it holds the keep-alive back. now: api_now_s().
 */
void service_watchdog(synth_runtime *rt, double now);

#endif
