/* health.c: a device's state from its batches: tuning, ok, backing off, sick, out. */
#include "telemetry/health.h"

#define MS 1000000ull

void synth__health_config_defaults(struct synth__health_config *cfg)
{
  if (cfg->error_rate_limit <= 0)
    cfg->error_rate_limit = 0.05;
  if (cfg->overrun_factor <= 0)
    cfg->overrun_factor = 10;
  if (!cfg->overrun_floor_ns)
    cfg->overrun_floor_ns = 2000 * MS;
  if (!cfg->retry_ns)
    cfg->retry_ns = 5000 * MS;
  if (!cfg->sick_limit)
    cfg->sick_limit = 3;
  if (!cfg->fail_streak)
    cfg->fail_streak = 8;
}

void synth__health_init(struct synth__health *h)
{
  atomic_init(&h->state, SYNTH_DEVICE_TUNING);
  atomic_init(&h->error_rate, 0.0);
  atomic_init(&h->sick_count, 0);
  h->fail_streak = 0;
  h->strikes = 0;
  h->probing = false;
  h->sick_since_ns = 0;
  h->healthy_since_ns = 0;
  synth__reason_init(&h->reason);
  h->short_warned_ns = 0;
  h->short_unwarned = 0;
}

static void set_state(struct synth__health *h, enum synth_device_state s)
{
  atomic_store_explicit(&h->state, (int)s, memory_order_relaxed);
}

static enum synth__health_action fall_sick(struct synth__health *h,
                                           const struct synth__health_config *cfg, uint64_t now)
{
  h->probing = false;
  h->fail_streak = 0;
  h->sick_since_ns = now;
  atomic_fetch_add_explicit(&h->sick_count, 1, memory_order_relaxed);
  if (++h->strikes >= cfg->sick_limit) {
    set_state(h, SYNTH_DEVICE_OUT);
    return SYNTH__HEALTH_TAKE_OUT;
  }
  set_state(h, SYNTH_DEVICE_SICK);
  return SYNTH__HEALTH_SICK;
}

enum synth__health_action synth__health_batch(struct synth__health *h,
                                              const struct synth__health_config *cfg, int status,
                                              bool settled, uint64_t now_ns)
{
  enum synth_device_state state = synth__health_state(h);
  if (state == SYNTH_DEVICE_OUT)
    return SYNTH__HEALTH_CARRY_ON;
  if (state == SYNTH_DEVICE_SICK) {
    if (!h->probing)
      return SYNTH__HEALTH_CARRY_ON; /* a batch given up on came back late: says nothing */
    if (status != 0)
      return fall_sick(h, cfg, now_ns);
    h->probing = false;
    h->healthy_since_ns = now_ns;
    atomic_store_explicit(&h->error_rate, 0.0, memory_order_relaxed);
    set_state(h, SYNTH_DEVICE_TUNING);
    return SYNTH__HEALTH_RECOVERED;
  }

  double rate = atomic_load_explicit(&h->error_rate, memory_order_relaxed);
  rate += ((status != 0 ? 1.0 : 0.0) - rate) / SYNTH_ERROR_RATE_BATCHES;
  atomic_store_explicit(&h->error_rate, rate, memory_order_relaxed);
  h->fail_streak = status != 0 ? h->fail_streak + 1 : 0;
  if (h->fail_streak >= cfg->fail_streak)
    return fall_sick(h, cfg, now_ns);
  if (h->strikes && h->healthy_since_ns && now_ns - h->healthy_since_ns > SYNTH_HEALTHY_RESET_NS)
    h->strikes = 0;

  if (rate > cfg->error_rate_limit) {
    set_state(h, SYNTH_DEVICE_BACKING_OFF);
    /* Each failure while above the limit halves again; successes hold the size. */
    return status != 0 ? SYNTH__HEALTH_BACK_OFF : SYNTH__HEALTH_CARRY_ON;
  }
  if (state == SYNTH_DEVICE_BACKING_OFF) {
    if (rate > cfg->error_rate_limit / 2)
      return SYNTH__HEALTH_CARRY_ON; /* hysteresis: not back until well under the limit */
    set_state(h, SYNTH_DEVICE_TUNING);
    return SYNTH__HEALTH_RELEASE;
  }
  set_state(h, settled ? SYNTH_DEVICE_OK : SYNTH_DEVICE_TUNING);
  return SYNTH__HEALTH_CARRY_ON;
}

enum synth__health_action synth__health_overrun(struct synth__health *h,
                                                const struct synth__health_config *cfg,
                                                uint64_t now_ns)
{
  if (synth__health_state(h) == SYNTH_DEVICE_OUT)
    return SYNTH__HEALTH_CARRY_ON;
  return fall_sick(h, cfg, now_ns);
}

bool synth__health_probe_due(const struct synth__health *h, const struct synth__health_config *cfg,
                             uint64_t now_ns)
{
  return synth__health_state(h) == SYNTH_DEVICE_SICK && !h->probing &&
         now_ns - h->sick_since_ns >= cfg->retry_ns;
}

void synth__health_probe_started(struct synth__health *h)
{
  h->probing = true;
}

void synth__health_probe_unsent(struct synth__health *h)
{
  h->probing = false;
}

void synth__health_out(struct synth__health *h)
{
  set_state(h, SYNTH_DEVICE_OUT);
}

uint64_t synth__health_deadline_ns(const struct synth__health_config *cfg, uint64_t nonces,
                                   double rate)
{
  double expected = rate > 0 ? (double)nonces / rate * 1e9 * cfg->overrun_factor : 0;
  return expected > (double)cfg->overrun_floor_ns ? (uint64_t)expected : cfg->overrun_floor_ns;
}

uint64_t synth__health_latency_limit_ns(const struct synth__health_config *cfg, double target_s)
{
  double limit = target_s * 1e9 * cfg->overrun_factor;
  return limit > (double)cfg->overrun_floor_ns ? (uint64_t)limit : cfg->overrun_floor_ns;
}

bool synth__health_late(const struct synth__health_config *cfg, double target_s,
                        uint64_t latency_ns, int status, uint32_t done, uint32_t count)
{
  if (status == 0 && done < count)
    return false;
  return latency_ns > synth__health_latency_limit_ns(cfg, target_s);
}
