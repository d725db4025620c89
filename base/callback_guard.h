/* callback_guard.h: whether this thread is inside user code the runtime called. */
#ifndef SYNTH_SCHEDULER_CALLBACK_GUARD_H
#define SYNTH_SCHEDULER_CALLBACK_GUARD_H

#include <stdbool.h>

/*
 * A callback (on_hit, on_done, a share or log callback, a workload's functions) that stops or
 * destroys the runtime, or waits for work, would wait for the very thread it runs on, or free
 * what that thread goes on to touch. The runtime's own threads count as inside a callback for
 * their whole life; host threads while the runtime calls back into user code from them. The
 * public calls that would deadlock refuse with SYNTH_EDEADLK instead.
 */
extern _Thread_local unsigned synth__callback_depth;

static inline void synth__callback_enter(void)
{
  synth__callback_depth++;
}

static inline void synth__callback_leave(void)
{
  synth__callback_depth--;
}

static inline bool synth__in_callback(void)
{
  return synth__callback_depth > 0;
}

#endif
