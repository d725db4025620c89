/* stratum_probe.c: a higher pool counts as back only when it completes a whole handshake: a
 * pool that accepts TCP and then fails (or never answers) must not pull the client back. */
#include "stratum_probe.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "stratum_msg.h"
#include "stratum_work.h"
#include "synth/version.h"

/* Waits for the answer to request id; 1 when it is a success, -1 otherwise. */
static int answer(struct stratum_probe *pr, struct stratum_conn *c, int64_t id)
{
  uint64_t until = synth__now_ns() + (uint64_t)pr->cfg.answer_ms * 1000000u;
  while (!atomic_load(&pr->cancel) && synth__now_ns() < until) {
    char *line;
    int n = stratum_conn_read_line(c, &line, 50);
    if (n == STRATUM_CONN_TIMEOUT)
      continue;
    if (n < 0) {
      snprintf(pr->why, sizeof pr->why, "closed during the handshake");
      return -1;
    }
    struct stratum_msg m;
    char why[256];
    if (stratum_msg_parse(line, (size_t)n, &m, why, sizeof why) != 0)
      continue; /* what the session would drop, the probe drops too */
    int rc = 0;
    if (m.kind == STRATUM_RESPONSE && m.id == id) {
      uint8_t en1[SYNTH_EXTRANONCE_MAX];
      size_t en1_len, en2_size;
      bool ok = !m.error && (id == 1 ? stratum_subscribe_result(m.result, en1, &en1_len, &en2_size,
                                                                why, sizeof why) == 0
                                     : json_is_true(m.result));
      rc = ok ? 1 : -1;
      if (!ok)
        snprintf(pr->why, sizeof pr->why, "%s refused", id == 1 ? "subscribe" : "authorize");
    }
    stratum_msg_free(&m);
    if (rc)
      return rc;
  }
  snprintf(pr->why, sizeof pr->why, "no answer within %u ms", pr->cfg.answer_ms);
  return -1;
}

static void *probe_thread(void *arg)
{
  struct stratum_probe *pr = arg;
  const struct stratum_probe_config *c = &pr->cfg;
  int outcome = -1;
  struct stratum_conn *conn =
      stratum_conn_open(&c->ep, c->tls, c->connect_ms, c->tls_ms, pr->why, sizeof pr->why);
  char quser[800], qpass[1600], line[2600];
  if (conn && stratum_json_string(quser, sizeof quser, c->user) > 0 &&
      stratum_json_string(qpass, sizeof qpass, c->password) > 0) {
    int n = snprintf(line, sizeof line,
                     "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"synthminer/%s\"]}\n"
                     "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[%s,%s]}\n",
                     synth_version_string(), quser, qpass);
    if (n > 0 && (size_t)n < sizeof line && stratum_conn_send(conn, line, (size_t)n, 2000) == 0)
      outcome = answer(pr, conn, 1) == 1 && answer(pr, conn, 2) == 1 ? 1 : -1;
    else
      snprintf(pr->why, sizeof pr->why, "send failed");
    memset(line, 0, sizeof line); /* the password */
    memset(qpass, 0, sizeof qpass);
  }
  stratum_conn_close(conn);
  atomic_store(&pr->outcome, outcome);
  return NULL;
}

int stratum_probe_start(struct stratum_probe *pr, const struct stratum_probe_config *cfg)
{
  pr->cfg = *cfg;
  pr->why[0] = 0;
  atomic_store(&pr->outcome, 0);
  atomic_store(&pr->cancel, false);
  if (pthread_create(&pr->thread, NULL, probe_thread, pr) != 0)
    return -1;
  pr->running = true;
  return 0;
}

int stratum_probe_poll(struct stratum_probe *pr)
{
  if (!pr->running)
    return -1;
  int o = atomic_load(&pr->outcome);
  if (o != 0) {
    pthread_join(pr->thread, NULL);
    pr->running = false;
  }
  return o;
}

void stratum_probe_cancel(struct stratum_probe *pr)
{
  if (!pr->running)
    return;
  atomic_store(&pr->cancel, true);
  pthread_join(pr->thread, NULL);
  pr->running = false;
}
