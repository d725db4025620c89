/* opencl_batches.c: launches batches into a device's slots and collects them in order. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/logger.h"
#include "devices/device_run.h"
#include "devices/opencl/opencl_device.h"
#include "devices/opencl/opencl_errors.h"
#include "synth/error.h"

static int abort_word_create(struct cl_device *d)
{
  cl_int err;
  d->abort_value = 0;
  d->abort_buffer = clCreateBuffer(d->ctx, CL_MEM_READ_ONLY, sizeof(uint32_t), NULL, &err);
  if (err == CL_SUCCESS)
    err = clEnqueueWriteBuffer(d->queue, d->abort_buffer, CL_TRUE, 0, sizeof(uint32_t),
                               &d->abort_value, 0, NULL, NULL);
  if (err == CL_SUCCESS)
    d->abort_queue = clCreateCommandQueue(d->ctx, d->id, 0, &err);
  if (err != CL_SUCCESS) {
    synth__log_error(d->log, "%s: cannot set up its abort word: %s", d->label,
                     synth__cl_error_name(err));
    return SYNTH_EDEVICE;
  }
  return 0;
}

void synth__cl_epoch_changed(void *dev, unsigned epoch)
{
  struct cl_device *d = dev;
  if (!d->abort_queue)
    return;
  if (!synth__abort_word_raise(&d->abort_value, epoch))
    return;
  /* Copied when the write runs: by then abort_value holds this epoch or a later one. */
  clEnqueueWriteBuffer(d->abort_queue, d->abort_buffer, CL_FALSE, 0, sizeof(uint32_t),
                       &d->abort_value, 0, NULL, NULL);
  clFlush(d->abort_queue);
}

int synth__cl_slots_create(struct cl_device *d)
{
  cl_int err = CL_SUCCESS;
  size_t results_size = (1 + (size_t)d->max_hits) * sizeof(uint32_t);
  int rc = abort_word_create(d);
  if (rc != 0)
    return rc;
  for (unsigned i = 0; i < SYNTH_CL_SLOTS; i++) {
    struct cl_slot *s = &d->slots[i];
    s->dev = d;
    s->payload = clCreateBuffer(d->ctx, CL_MEM_READ_ONLY, d->payload_size, NULL, &err);
    if (err == CL_SUCCESS)
      s->results = clCreateBuffer(d->ctx, CL_MEM_READ_WRITE, results_size, NULL, &err);
    s->host_results = calloc(1, results_size);
    if (err != CL_SUCCESS || !s->host_results) {
      synth__log_error(d->log, "%s: cannot allocate its buffers: %s", d->label,
                       synth__cl_error_name(err));
      return err == CL_SUCCESS ? SYNTH_ENOMEM : SYNTH_EDEVICE;
    }
  }
  return 0;
}

void synth__cl_slots_destroy(struct cl_device *d)
{
  if (d->abort_queue) { /* its writes read abort_value: they finish first */
    clFinish(d->abort_queue);
    clReleaseCommandQueue(d->abort_queue);
  }
  d->abort_queue = NULL;
  if (d->abort_buffer)
    clReleaseMemObject(d->abort_buffer);
  d->abort_buffer = NULL;
  for (unsigned i = 0; i < SYNTH_CL_SLOTS; i++) {
    struct cl_slot *s = &d->slots[i];
    if (s->payload)
      clReleaseMemObject(s->payload);
    if (s->results)
      clReleaseMemObject(s->results);
    free(s->host_results);
    memset(s, 0, sizeof *s);
  }
}

/* The driver calls this on one of its threads when the results have been read back. */
static void CL_CALLBACK on_done(cl_event ev, cl_int status, void *user)
{
  (void)ev;
  struct cl_slot *s = user;
  struct cl_device *d = s->dev;
  pthread_mutex_lock(&d->lock);
  s->completed = true;
  s->status = status;
  pthread_cond_broadcast(&d->cond);
  pthread_mutex_unlock(&d->lock);
}

static struct cl_slot *free_slot(struct cl_device *d)
{
  for (unsigned i = 0; i < SYNTH_CL_SLOTS; i++) {
    if (!d->slots[i].batch)
      return &d->slots[i];
  }
  return NULL;
}

/* Queues payload upload, counter reset, kernel and results read-back for one batch. To @hang,
 * the upload first waits for a user event that only draining completes. */
static cl_int enqueue(struct cl_device *d, struct cl_slot *s, const struct synth__batch *b,
                      bool hang)
{
  static const cl_uint zero = 0;
  cl_event *wait = NULL;
  cl_int err = CL_SUCCESS;
  if (hang && !d->hang) {
    d->hang = clCreateUserEvent(d->ctx, &err);
    wait = &d->hang;
  }
  cl_uint base = b->range.nonce_start, count = b->range.count, max_hits = d->max_hits;
  size_t items = (count + d->lanes - 1) / d->lanes;
  size_t global = (items + d->work_group - 1) / d->work_group * d->work_group;
  if (err == CL_SUCCESS)
    err = clEnqueueWriteBuffer(d->queue, s->payload, CL_FALSE, 0, d->payload_size, b->payload,
                               wait ? 1 : 0, wait, NULL);
  if (err == CL_SUCCESS)
    err =
        clEnqueueWriteBuffer(d->queue, s->results, CL_FALSE, 0, sizeof zero, &zero, 0, NULL, NULL);
  if (err == CL_SUCCESS)
    err = clSetKernelArg(d->kernel, 0, sizeof s->payload, &s->payload);
  if (err == CL_SUCCESS)
    err = clSetKernelArg(d->kernel, 1, sizeof base, &base);
  if (err == CL_SUCCESS)
    err = clSetKernelArg(d->kernel, 2, sizeof count, &count);
  if (err == CL_SUCCESS)
    err = clSetKernelArg(d->kernel, 3, sizeof s->results, &s->results);
  if (err == CL_SUCCESS)
    err = clSetKernelArg(d->kernel, 4, sizeof max_hits, &max_hits);
  cl_uint epoch = b->ctl.epoch;
  if (err == CL_SUCCESS)
    err = clSetKernelArg(d->kernel, 5, sizeof d->abort_buffer, &d->abort_buffer);
  if (err == CL_SUCCESS)
    err = clSetKernelArg(d->kernel, 6, sizeof epoch, &epoch);
  if (err == CL_SUCCESS)
    err = clEnqueueNDRangeKernel(d->queue, d->kernel, 1, NULL, &global, &d->work_group, 0, NULL,
                                 NULL);
  if (err == CL_SUCCESS)
    err = clEnqueueReadBuffer(d->queue, s->results, CL_FALSE, 0,
                              (1 + (size_t)max_hits) * sizeof(uint32_t), s->host_results, 0, NULL,
                              &s->done);
  if (err == CL_SUCCESS)
    err = clSetEventCallback(s->done, CL_COMPLETE, on_done, s);
  if (err == CL_SUCCESS)
    err = clFlush(d->queue);
  return err;
}

int synth__cl_submit(void *dev, struct synth__batch *b)
{
  struct cl_device *d = dev;
  struct cl_slot *s = free_slot(d);
  if (!s)
    return SYNTH_ESTATE;
  enum synth__device_fault fault = synth__fault_submit(&d->faults, d->log, d->label);
  if (fault == SYNTH_FAULT_SUBMIT)
    return SYNTH_EDEVICE;
  pthread_mutex_lock(&d->lock);
  s->completed = false;
  s->status = CL_COMPLETE;
  pthread_mutex_unlock(&d->lock);
  s->batch = b;
  s->submit_ns = b->t_submit_ns ? b->t_submit_ns : synth__now_ns();
  cl_int err = enqueue(d, s, b, fault == SYNTH_FAULT_HANG);
  if (err != CL_SUCCESS) {
    synth__log_error(d->log, "%s: launch failed: %s", d->label, synth__cl_error_name(err));
    if (s->done) { /* queued as far as the read: let it finish before the slot is reused */
      clWaitForEvents(1, &s->done);
      clReleaseEvent(s->done);
      s->done = NULL;
    }
    s->batch = NULL;
    return SYNTH_EDEVICE;
  }
  d->fifo[(d->fifo_head + d->fifo_count++) % SYNTH_CL_SLOTS] = (unsigned)(s - d->slots);
  return 0;
}

/* Waits for slot s up to timeout_ms. Returns whether it completed. */
static bool wait_slot(struct cl_device *d, struct cl_slot *s, int timeout_ms)
{
  struct timespec deadline = synth__deadline_ms((unsigned)(timeout_ms > 0 ? timeout_ms : 0));
  pthread_mutex_lock(&d->lock);
  while (!s->completed) {
    if (pthread_cond_timedwait(&d->cond, &d->lock, &deadline) != 0)
      break;
  }
  bool done = s->completed;
  pthread_mutex_unlock(&d->lock);
  return done;
}

int synth__cl_poll(void *dev, struct synth__batch **done, int timeout_ms)
{
  struct cl_device *d = dev;
  *done = NULL;
  if (d->fifo_count == 0)
    return SYNTH_EAGAIN;
  struct cl_slot *s = &d->slots[d->fifo[d->fifo_head]];
  if (!wait_slot(d, s, timeout_ms))
    return SYNTH_EAGAIN;
  d->fifo_head = (d->fifo_head + 1) % SYNTH_CL_SLOTS;
  d->fifo_count--;
  struct synth__batch *b = s->batch;
  s->batch = NULL;
  clReleaseEvent(s->done);
  s->done = NULL;
  synth__batch_stamp_done(b, s->submit_ns, &d->last_done_ns);
  *done = b;
  cl_int status = s->status;
  if (synth__fault_poll(&d->faults))
    status = CL_OUT_OF_RESOURCES;
  if (status < 0) {
    synth__log_error(d->log, "%s: batch failed on the device: %s", d->label,
                     synth__cl_error_name(status));
    b->done = 0;
    b->status = SYNTH_EDEVICE;
    return SYNTH_EDEVICE;
  }
  /* A launch runs whole unless its epoch passed, and then none of it counts. */
  b->done = synth__device_take_hits(b, s->host_results, d->max_hits) ? b->range.count : 0;
  return 0;
}

void synth__cl_drain(struct cl_device *d)
{
  if (d->hang) { /* let the hung batch through, so the queue can finish */
    clSetUserEventStatus(d->hang, CL_COMPLETE);
    clReleaseEvent(d->hang);
    d->hang = NULL;
  }
  if (d->queue)
    clFinish(d->queue);
  for (unsigned i = 0; i < SYNTH_CL_SLOTS; i++) {
    struct cl_slot *s = &d->slots[i];
    if (s->done) { /* finished, but its callback may still be running: wait for it */
      wait_slot(d, s, 10000);
      clReleaseEvent(s->done);
      s->done = NULL;
    }
    s->batch = NULL;
  }
  d->fifo_count = 0;
}

void synth__cl_inject_fault(void *dev, enum synth__device_fault fault, unsigned at)
{
  struct cl_device *d = dev;
  synth__fault_arm(&d->faults, fault, at);
}
