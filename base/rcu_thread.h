/* rcu_thread.h: counted liburcu registration, so nested users of RCU data share one. */
#ifndef SYNTH_PRECOMPUTE_RCU_THREAD_H
#define SYNTH_PRECOMPUTE_RCU_THREAD_H

/*
 * Every thread that reads or updates RCU-protected data (the job pointer, the job tables) must
 * be registered with liburcu. The runtime's own threads register for their whole life; public
 * API functions called from the host's threads register for the duration of the call. Calls
 * nest; the last synth__rcu_offline() unregisters. Not async-signal-safe.
 */
void synth__rcu_online(void);
void synth__rcu_offline(void);

#endif
