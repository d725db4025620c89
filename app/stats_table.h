/* stats_table.h: an API snapshot as a table of text cells, for the terminal and for --once. */
#ifndef SYNTH_CLI_STATS_TABLE_H
#define SYNTH_CLI_STATS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define STATS_COLUMNS 16
#define STATS_TITLES ((size_t)-1) /* the row index of the column titles */

struct stats_row {
  char cell[STATS_COLUMNS][48];
};

struct stats_table {
  char header[384];       /* version, uptime, job, device count, total hashrate */
  char node[384];         /* solo mining: node, chain, state, height, template age, blocks */
  char change[384];       /* the latest change made while running (a reload, the control API) */
  struct stats_row *rows; /* one per device, then the totals */
  size_t count;
  int name_width; /* the NAME column when nothing limits the width */
  bool utf8;      /* the terminal's locale is UTF-8: non-ASCII text is kept (text_clean.h) */
};

/* Fills t from snapshot (GET /api/summary), every string cleaned of control characters
 * (text_clean.h; utf8: the terminal takes UTF-8). Returns 0, or -1 when it is not a snapshot
 * (no devices array) or memory ran out. */
int stats_table_build(json_t *snapshot, bool utf8, struct stats_table *t);
void stats_table_free(struct stats_table *t);

/*
 * One line of the table into buf: row (or STATS_TITLES) with every column, at most width
 * characters (0: no limit). The NAME column gives way first, then the line is cut.
 */
void stats_table_line(const struct stats_table *t, size_t row, int width, char *buf, size_t size);

/* The header, the titles, every row and the latest change, as plain text. */
void stats_table_print(const struct stats_table *t, FILE *out);

#endif
