/* callback_guard.c: whether this thread is inside user code the runtime called. */
#include "base/callback_guard.h"

_Thread_local unsigned synth__callback_depth;
