/* stratum_reject.h: why a pool rejected a share, from every shape pools answer in. */
#ifndef SYNTH_RUNTIME_STRATUM_REJECT_H
#define SYNTH_RUNTIME_STRATUM_REJECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The reason of a submit answer that is not a plain `true`, as one printable line: "23 Low
 * difficulty share", "Stale share", "no reason given". Reads error as [code, "message", ...],
 * {"code": N, "message": "..."}, or a bare string; ckpool's "reject-reason" beside a false
 * result; codes that are huge, real or missing. root is the whole response (for
 * "reject-reason"), result and error its members (error NULL when null). Returns whether the
 * reason says the share was stale (code 21, or the text names a stale or unknown job).
 */
bool stratum_reject_reason(json_t *root, json_t *result, json_t *error, char *buf, size_t size);

#endif
