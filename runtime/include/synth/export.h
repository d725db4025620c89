/* export.h: the one macro that marks a function as part of synth's public ABI. */
#ifndef SYNTH_EXPORT_H
#define SYNTH_EXPORT_H

/* The library is built with hidden visibility; only functions marked SYNTH_EXTERN are exported. */
#if defined(__GNUC__) || defined(__clang__)
#define SYNTH_EXTERN __attribute__((visibility("default")))
#else
#define SYNTH_EXTERN
#endif

#endif
