/* device_fault.h: faults a test can arm on a GPU-style device, to drive every failure path. */
#ifndef SYNTH_DEVICES_DEVICE_FAULT_H
#define SYNTH_DEVICES_DEVICE_FAULT_H

enum synth__device_fault {
  SYNTH_FAULT_NONE,
  SYNTH_FAULT_SUBMIT, /* the n-th submit fails, as a launch the driver refuses */
  SYNTH_FAULT_EXEC,   /* from the n-th poll on, batches report failure, as on a lost device */
  SYNTH_FAULT_HANG,   /* the n-th batch waits on the device for a signal that never comes */
};

#endif
