/* batch_trace.c: `run --trace FILE`: every device's batches as JSON lines, for tuning plots. */
#include "batch_trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int batch_trace_open(struct batch_trace *t, const char *path, synth_runtime *rt)
{
  memset(t, 0, sizeof *t);
  t->count = synth_runtime_device_count(rt);
  t->cursor = calloc(t->count ? t->count : 1, sizeof *t->cursor);
  t->ids = calloc(t->count ? t->count : 1, sizeof *t->ids);
  t->target_ms = calloc(t->count ? t->count : 1, sizeof *t->target_ms);
  if (!t->cursor || !t->ids || !t->target_ms) {
    fprintf(stderr, "synthminer run: --trace: out of memory\n");
    batch_trace_close(t);
    return 2;
  }
  for (unsigned i = 0; i < t->count; i++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(rt, i, &st, sizeof st) == 0) {
      snprintf(t->ids[i], sizeof t->ids[i], "%s", st.id);
      t->target_ms[i] = st.target_latency_ms;
    }
  }
  t->out = fopen(path, "w");
  if (!t->out) {
    fprintf(stderr, "synthminer run: --trace %s: %s\n", path, strerror(errno));
    batch_trace_close(t);
    return 2;
  }
  return 0;
}

int batch_trace_poll(struct batch_trace *t, synth_runtime *rt)
{
  struct synth_batch_record rec[256];
  for (unsigned i = 0; i < t->count; i++) {
    size_t n;
    do {
      uint64_t before = t->cursor[i];
      if (synth_runtime_batch_trace(rt, i, &t->cursor[i], rec, 256, &n) != 0)
        return 1;
      if (n > 0 && rec[0].seq > before + 1)
        t->missed += rec[0].seq - before - 1;
      for (size_t k = 0; k < n; k++) {
        const struct synth_batch_record *r = &rec[k];
        fprintf(t->out,
                "{\"t\":%.6f,\"device\":\"%s\",\"seq\":%llu,\"size\":%llu,\"nonces\":%llu,"
                "\"latency_ms\":%.4f,\"target_ms\":%.3f,\"next_batch\":%llu,\"status\":%d,"
                "\"state\":\"%s\"}\n",
                r->t_s, t->ids[i], (unsigned long long)r->seq, (unsigned long long)r->size,
                (unsigned long long)r->nonces, r->latency_ms, t->target_ms[i],
                (unsigned long long)r->next_batch_nonces, r->status,
                synth_device_state_name(r->state));
      }
    } while (n == 256);
  }
  if (ferror(t->out)) {
    fprintf(stderr, "synthminer run: --trace: write error\n");
    return 1;
  }
  return 0;
}

int batch_trace_close(struct batch_trace *t)
{
  int rc = 0;
  if (t->out) {
    if (t->missed)
      fprintf(stderr, "synthminer run: --trace: %llu batches were not read in time\n",
              (unsigned long long)t->missed);
    rc = fclose(t->out) == 0 ? 0 : 1;
  }
  free(t->cursor);
  free(t->ids);
  free(t->target_ms);
  memset(t, 0, sizeof *t);
  return rc;
}
