/* odd_worker.c: the one CPU worker of a runtime that a test makes misbehave. */
#include "support/odd_worker.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "support/harness.h"

static _Thread_local int role; /* 0 not yet known, 1 the odd worker, 2 another */

void odd_worker_reset(struct odd_worker *o)
{
  atomic_store(&o->claimed, false);
  atomic_store(&o->named, false);
}

bool odd_worker_is_me(struct odd_worker *o)
{
  if (role == 0) {
    bool expect = false;
    role = atomic_compare_exchange_strong(&o->claimed, &expect, true) ? 1 : 2;
    if (role == 1) {
      pthread_getname_np(pthread_self(), o->thread, sizeof o->thread);
      atomic_store(&o->named, true); /* seq_cst: the name is written before */
    }
  }
  return role == 1;
}

unsigned odd_worker_device(struct odd_worker *o, synth_runtime *rt)
{
  CU_ASSERT_FATAL(atomic_load(&o->named));
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st = synth_test_device_stats(rt, i);
    char name[32];
    snprintf(name, sizeof name, "synth-%.9s", st.id); /* as the runtime names its threads */
    if (strcmp(name, o->thread) == 0)
      return i;
  }
  CU_FAIL_FATAL("no device runs the odd worker's thread");
  return 0;
}
