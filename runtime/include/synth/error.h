/* error.h: synth's error codes, generated from one table, and their names and messages. */
#ifndef SYNTH_ERROR_H
#define SYNTH_ERROR_H

#include "synth/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every function that can fail returns 0 on success or one of these negative codes.
 * XX(name, message): the table is the single source for the enum, synth_err_name()
 * and synth_strerror().
 */
#define SYNTH_ERRNO_MAP(XX)                                                                        \
  XX(EINVAL, -1, "invalid argument")                                                               \
  XX(ENOMEM, -2, "out of memory")                                                                  \
  XX(ENODEV, -3, "no such device")                                                                 \
  XX(ESTATE, -4, "operation not valid in the current state")                                       \
  XX(ETIMEDOUT, -5, "operation timed out")                                                         \
  XX(EDEVICE, -6, "device failure")                                                                \
  XX(ESELFTEST, -7, "device known-answer self-test failed")                                        \
  XX(ENOTSUP, -8, "operation not supported")                                                       \
  XX(ESTALE, -9, "job is no longer current")                                                       \
  XX(EDUPLICATE, -10, "duplicate result")                                                          \
  XX(ERANGE, -11, "value out of range")                                                            \
  XX(ESYSTEM, -12, "system call failed")                                                           \
  XX(ENOENT, -13, "not found")                                                                     \
  XX(EAGAIN, -14, "resource temporarily unavailable")                                              \
  XX(EDEADLK, -15, "would deadlock: not allowed from inside a callback")

enum synth_errno {
#define SYNTH__ERR_ENUM(name, value, msg) SYNTH_##name = (value),
  SYNTH_ERRNO_MAP(SYNTH__ERR_ENUM)
#undef SYNTH__ERR_ENUM
};

/* A static, human-readable message for code; "unknown error" for codes outside the table.
 * Thread-safe. */
SYNTH_EXTERN const char *synth_strerror(int code);

/* The message of the latest error the library logged on this thread (what a failed call
 * says about its cause: "workload: payload_size 4096 is over SYNTH_PAYLOAD_MAX (512)"),
 * whether or not a log callback is set; "" if none yet. Valid until the thread's next call
 * into the library. Thread-safe. */
SYNTH_EXTERN const char *synth_last_error(void);

/* The code's symbolic name ("SYNTH_EINVAL"); "SYNTH_UNKNOWN" outside the table. Thread-safe. */
SYNTH_EXTERN const char *synth_err_name(int code);

#ifdef __cplusplus
}
#endif

#endif
