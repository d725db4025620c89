/* rcu_thread.c: counted liburcu registration, so nested users of RCU data share one. */
#include "base/rcu_thread.h"

#include <urcu/urcu-memb.h>

static _Thread_local unsigned rcu_depth;

void synth__rcu_online(void)
{
  if (rcu_depth++ == 0)
    urcu_memb_register_thread();
}

void synth__rcu_offline(void)
{
  if (--rcu_depth == 0)
    urcu_memb_unregister_thread();
}
