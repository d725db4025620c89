/* happens_before.h: tells ThreadSanitizer about orderings made inside liburcu, which it cannot see.
 */
#ifndef SYNTH_PRECOMPUTE_HAPPENS_BEFORE_H
#define SYNTH_PRECOMPUTE_HAPPENS_BEFORE_H

/*
 * liburcu's queues and call_rcu order memory with inline-assembly atomics and futexes, which
 * ThreadSanitizer does not instrument. Where our data crosses threads through them, the sender
 * marks the object before handing it over and the receiver after taking it, so TSan still
 * checks every access we make to it. Outside TSan builds these compile to nothing.
 */
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define SYNTH_HAPPENS_BEFORE(obj) __tsan_release((void *)(obj))
#define SYNTH_HAPPENS_AFTER(obj) __tsan_acquire((void *)(obj))
#else
#define SYNTH_HAPPENS_BEFORE(obj) ((void)(obj))
#define SYNTH_HAPPENS_AFTER(obj) ((void)(obj))
#endif

#endif
