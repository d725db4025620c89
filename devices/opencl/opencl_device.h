/* opencl_device.h: one opened OpenCL device and its batch slots (shared by the backend files). */
#ifndef SYNTH_DEVICES_OPENCL_DEVICE_H
#define SYNTH_DEVICES_OPENCL_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <CL/cl.h>

#include "devices/batch.h"
#include "devices/device_fault.h"

struct synth__logger;

/* Batches in flight per device: the next launch is queued before the current one ends, so
 * the device never waits for the host between batches. Two, not three: a third gained nothing
 * on an H200 (8055 MH/s either way) and made a clean job switch wait for one more 50 ms batch
 * (p50 100 ms against 38 ms). */
#define SYNTH_CL_SLOTS 2

/* epoch_changed: raises the abort word to epoch (never lowers it). Any thread. */
void synth__cl_epoch_changed(void *dev, unsigned epoch);

struct cl_device;

/* One launch's buffers, reused for every batch that goes through the slot. */
struct cl_slot {
  struct cl_device *dev;
  struct synth__batch *batch; /* NULL while free */
  cl_mem payload;
  cl_mem results;         /* [0] hit count, [1 + j] hit nonces */
  uint32_t *host_results; /* where the results are read back to */
  cl_event done;          /* the read of the results */
  uint64_t submit_ns;
  bool completed; /* set by the event's callback, under dev->lock */
  cl_int status;  /* the read's final execution status */
};

struct cl_device {
  char label[192]; /* "opencl:0 (pthread-haswell-AMD EPYC)" for messages */
  cl_device_id id;
  cl_context ctx;
  cl_command_queue queue;
  cl_program program;
  cl_kernel kernel;
  size_t work_group;
  unsigned lanes; /* nonces per work-item, in a vector: the device's preferred int width */
  size_t payload_size;
  uint32_t max_hits;
  bool from_cache;
  const struct synth__logger *log;

  /* The word the kernels read at every work-group's start (argument 5): the scheduler's epoch,
   * raised from any thread by epoch_changed through a queue of its own, so the write lands
   * while the launch queue is busy (a mapped host buffer is not seen by every driver during
   * a launch). abort_value is the source of those writes and only ever rises. */
  cl_mem abort_buffer;
  cl_command_queue abort_queue;
  uint32_t abort_value;
  struct cl_slot slots[SYNTH_CL_SLOTS];
  unsigned fifo[SYNTH_CL_SLOTS]; /* slot indexes in launch order */
  unsigned fifo_head, fifo_count;
  uint64_t last_done_ns;

  pthread_mutex_t lock; /* completed flags: the driver's callback thread and the poller */
  pthread_cond_t cond;

  struct synth__fault_plan faults;
  cl_event hang; /* a user event the hung batch waits on; completed when the device drains */
};

/* opencl_batches.c: create and free the slots' buffers. Returns 0 or SYNTH_ENOMEM /
 * SYNTH_EDEVICE. */
int synth__cl_slots_create(struct cl_device *d);
void synth__cl_slots_destroy(struct cl_device *d);

/* Launches a batch (as the device ops' submit). Returns 0, SYNTH_ESTATE (every slot busy) or
 * SYNTH_EDEVICE. */
int synth__cl_submit(void *dev, struct synth__batch *batch);

/* Returns the oldest batch once it is done (as the device ops' poll). */
int synth__cl_poll(void *dev, struct synth__batch **done, int timeout_ms);

/* Waits until nothing is in flight (before the device is released). */
void synth__cl_drain(struct cl_device *d);

/* Test hook: arm a fault on the device (see devices/device_fault.h). */
void synth__cl_inject_fault(void *dev, enum synth__device_fault fault, unsigned at);

#endif
