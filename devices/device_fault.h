/* device_fault.h: faults a test can arm on a GPU-style device, to drive every failure path. */
#ifndef SYNTH_DEVICES_DEVICE_FAULT_H
#define SYNTH_DEVICES_DEVICE_FAULT_H

#include <stdbool.h>

#include "base/logger.h"

enum synth__device_fault {
  SYNTH_FAULT_NONE,
  SYNTH_FAULT_SUBMIT, /* the n-th submit fails, as a launch the driver refuses */
  SYNTH_FAULT_EXEC,   /* from the n-th poll on, batches report failure, as on a lost device */
  SYNTH_FAULT_HANG,   /* the n-th batch waits on the device for a signal that never comes */
};

/* A device's armed fault and what it counts towards it: submits and polls since arming. */
struct synth__fault_plan {
  enum synth__device_fault fault;
  unsigned at;
  unsigned submits, polls;
};

/* Arms @fault for the @at-th submit (SUBMIT, HANG) or poll (EXEC) from now on. */
static inline void synth__fault_arm(struct synth__fault_plan *p, enum synth__device_fault fault,
                                    unsigned at)
{
  *p = (struct synth__fault_plan){.fault = fault, .at = at};
}

/* Counts a submit of the device @label. Returns the fault it is to suffer: SYNTH_FAULT_SUBMIT
 * (refuse it: logged here as the failed submit) or SYNTH_FAULT_HANG (let its batch wait), or
 * SYNTH_FAULT_NONE. */
static inline enum synth__device_fault
synth__fault_submit(struct synth__fault_plan *p, const struct synth__logger *log, const char *label)
{
  p->submits++;
  bool armed = p->fault == SYNTH_FAULT_SUBMIT || p->fault == SYNTH_FAULT_HANG;
  if (!armed || p->submits != p->at)
    return SYNTH_FAULT_NONE;
  if (p->fault == SYNTH_FAULT_SUBMIT)
    synth__log_error(log, "%s: submit failed: injected fault", label);
  return p->fault;
}

/* Counts a poll. Returns whether its batch is to fail (SYNTH_FAULT_EXEC from the at-th on). */
static inline bool synth__fault_poll(struct synth__fault_plan *p)
{
  p->polls++;
  return p->fault == SYNTH_FAULT_EXEC && p->polls >= p->at;
}

#endif
