/* api_metrics.h: a snapshot in the Prometheus text exposition format (version 0.0.4). */
#ifndef SYNTH_CLI_API_METRICS_H
#define SYNTH_CLI_API_METRICS_H

#include <stddef.h>

#include <jansson.h>

/* The content type the format asks for. */
#define API_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Renders snapshot (api_snapshot()'s document) as metric families named synthminer_*, each
 * with its HELP and TYPE lines (the list is in docs/cli.md). Returns a malloc'd text and its
 * length in *len, or NULL when out of memory. Thread-safe.
 */
char *api_metrics_render(json_t *snapshot, size_t *len);

#endif
