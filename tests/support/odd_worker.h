/* odd_worker.h: the one CPU worker of a runtime that a test makes misbehave: the first worker
 * thread whose scan asks becomes it, and its device is found again by its thread's name. */
#ifndef SYNTH_TESTS_ODD_WORKER_H
#define SYNTH_TESTS_ODD_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>

#include "synth/runtime.h"

struct odd_worker {
  atomic_bool claimed; /* a worker thread is the odd one */
  atomic_bool named;   /* and thread holds its name, "synth-cpu:N" */
  char thread[16];
};

/* Forgets the odd worker, before a fresh runtime (whose threads have not asked yet). */
void odd_worker_reset(struct odd_worker *o);

/* From a scan: whether the calling worker thread is the odd one. A thread decides on its first
 * call and keeps the answer for its life, so one runtime's workers serve one odd_worker. */
bool odd_worker_is_me(struct odd_worker *o);

/* The index of @rt's device whose worker is the odd one; fatal when there is none. */
unsigned odd_worker_device(struct odd_worker *o, synth_runtime *rt);

#endif
