/* limit.c: the duty-cycle loops behind --temp-limit, --temp-abort and --power-limit. */
#include "telemetry/limit.h"

#define GAP_MAX_NS 2000000000ull

static double clamp_duty(double d)
{
  return d < SYNTH__DUTY_MIN ? SYNTH__DUTY_MIN : d > 1 ? 1 : d;
}

void synth__limit_init(struct synth__limit *l)
{
  l->duty_temp = 1;
  l->duty_power = 1;
  l->hot = false;
}

/*
 * Power follows duty almost at once (P = idle + duty * (full - idle)), so the power loop is an
 * integral one on the relative error, its step scaled by the time since the last reading (half
 * the error per second). Growth is capped at +50 % a step so that a reading taken in an idle
 * gap does not throw the device back to full power.
 */
static void step_power(struct synth__limit *l, double limit_w, double power_w, double dt_s)
{
  double gain = 0.5 * (dt_s > 2 ? 2 : dt_s <= 0 ? 0.5 : dt_s);
  double factor = 1 + gain * (limit_w - power_w) / limit_w;
  if (factor > 1.5)
    factor = 1.5;
  if (factor < 0.5)
    factor = 0.5;
  l->duty_power = clamp_duty(l->duty_power * factor);
}

/*
 * Temperature lags load by seconds to minutes, so this loop is a slow bang-bang with a dead
 * band: above the limit it takes a tenth off every second, below limit - hysteresis it gives
 * a twentieth back, in between it holds.
 */
static void step_temp(struct synth__limit *l, double limit_c, double hyst_c, double temp_c,
                      double dt_s)
{
  double t = dt_s > 2 ? 2 : dt_s <= 0 ? 0.5 : dt_s;
  if (temp_c > limit_c)
    l->duty_temp = clamp_duty(l->duty_temp * (1 - 0.1 * t));
  else if (temp_c < limit_c - hyst_c)
    l->duty_temp = clamp_duty(l->duty_temp * (1 + 0.05 * t) + 0.01 * t);
}

void synth__limit_step(struct synth__limit *l, const struct synth__limit_config *cfg,
                       const struct synth__sensor_reading *r, double dt_s)
{
  double hyst = cfg->hysteresis_c > 0 ? cfg->hysteresis_c : 3;
  bool has_temp = (r->have & SYNTH__SENSE_TEMP) != 0;
  /* a limit taken away frees its loop at once */
  if (cfg->power_limit_w <= 0)
    l->duty_power = 1;
  if (cfg->temp_limit_c <= 0)
    l->duty_temp = 1;
  if (cfg->temp_abort_c <= 0)
    l->hot = false;
  if (cfg->power_limit_w > 0 && (r->have & SYNTH__SENSE_POWER))
    step_power(l, cfg->power_limit_w, r->power_w, dt_s);
  if (cfg->temp_limit_c > 0 && has_temp)
    step_temp(l, cfg->temp_limit_c, hyst, r->temp_c, dt_s);
  if (cfg->temp_abort_c > 0 && has_temp) {
    if (r->temp_c >= cfg->temp_abort_c)
      l->hot = true;
    else if (r->temp_c < cfg->temp_abort_c - hyst)
      l->hot = false;
  }
}

double synth__limit_duty(const struct synth__limit *l)
{
  return l->duty_temp < l->duty_power ? l->duty_temp : l->duty_power;
}

unsigned synth__limit_reasons(const struct synth__limit *l)
{
  return (l->duty_temp < 1 ? SYNTH__LIMIT_BY_TEMP : 0) |
         (l->duty_power < 1 ? SYNTH__LIMIT_BY_POWER : 0) | (l->hot ? SYNTH__LIMIT_HOT : 0);
}

uint64_t synth__limit_gap_ns(double duty, uint64_t busy_ns)
{
  if (duty >= 1)
    return 0;
  duty = clamp_duty(duty);
  double gap = (double)busy_ns * (1 - duty) / duty;
  return gap >= (double)GAP_MAX_NS ? GAP_MAX_NS : (uint64_t)gap;
}
