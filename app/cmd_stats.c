/* cmd_stats.c: `synthminer stats`: a running instance's devices, live in the terminal. */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "http_get.h"
#include "options.h"
#include "stats_table.h"

#define DEFAULT_URL "http://127.0.0.1:4077/"
#define FETCH_TIMEOUT_MS 3000
#define BODY_MAX (4u << 20)
#define REFRESH_S 1.0

static atomic_int quit_requested; /* lock-free, so a signal handler may set it */

static void on_quit_signal(int sig)
{
  atomic_store(&quit_requested, sig);
}

struct target {
  const char *text; /* the URL as given, for messages */
  struct http_url url;
  char summary_path[600];
  const char *token;
  bool utf8; /* the terminal's locale takes UTF-8 (text_clean.h) */
};

/* Why a fetch failed, in one line; connect tells "nothing there" from other failures. */
struct failure {
  bool connect;
  char line[512];
};

/*
 * GETs the snapshot. Returns it (a new reference), or NULL with the reason in *f: nothing
 * listening, an HTTP failure, a status other than 200, or a body that is not a snapshot.
 */
static json_t *fetch(const struct target *t, struct failure *f)
{
  struct http_response r;
  char reason[256];
  memset(f, 0, sizeof *f);
  int rc = http_get(&t->url, t->summary_path, t->token, FETCH_TIMEOUT_MS, BODY_MAX, &r, reason,
                    sizeof reason);
  if (rc == HTTP_ECONNECT || rc == HTTP_ERESOLVE) {
    f->connect = true;
    snprintf(f->line, sizeof f->line, "no synthminer instance at %.200s (%.200s)", t->text, reason);
    return NULL;
  }
  if (rc != 0) {
    snprintf(f->line, sizeof f->line, "%.200s: %.200s", t->text, reason);
    return NULL;
  }
  json_t *snap = NULL;
  if (r.status == 401)
    snprintf(f->line, sizeof f->line,
             "%.200s refused the request (401): pass its API token with --token", t->text);
  else if (r.status != 200)
    snprintf(f->line, sizeof f->line, "%.200s answered %d to GET %.200s", t->text, r.status,
             t->summary_path);
  else if (!(snap = json_loadb(r.body, r.body_len, 0, NULL)) ||
           !json_is_array(json_object_get(snap, "devices")))
    snprintf(f->line, sizeof f->line, "%.200s did not answer with a synthminer snapshot", t->text);
  http_response_free(&r);
  if (f->line[0]) {
    json_decref(snap);
    return NULL;
  }
  return snap;
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One frame: header, titles, a row per device, the totals, and a status line at the bottom. */
static void draw(const struct stats_table *t, const char *status)
{
  char line[1024];
  int width = COLS < (int)sizeof line - 1 ? COLS : (int)sizeof line - 1;
  erase();
  mvaddnstr(0, 0, t->header, width);
  if (t->node[0])
    mvaddnstr(1, 0, t->node, width);
  stats_table_line(t, STATS_TITLES, width, line, sizeof line);
  attron(A_BOLD);
  mvaddnstr(2, 0, line, width);
  attroff(A_BOLD);
  for (size_t i = 0; i < t->count && (int)i + 3 < LINES - 1; i++) {
    bool total = i + 1 == t->count;
    stats_table_line(t, i, width, line, sizeof line);
    if (total)
      attron(A_BOLD);
    mvaddnstr((int)i + 3, 0, line, width);
    if (total)
      attroff(A_BOLD);
  }
  if (t->change[0] && (int)t->count + 3 < LINES - 1)
    mvaddnstr((int)t->count + 3, 0, t->change, width);
  if (LINES > 1) {
    if (status[0])
      attron(A_REVERSE);
    mvaddnstr(LINES - 1, 0, status[0] ? status : "q: quit", width);
    if (status[0])
      attroff(A_REVERSE);
  }
  refresh();
}

/* The live table until q or a signal; a lost instance shows on the status line and is
 * retried every second. */
static int live(const struct target *tg, json_t *first)
{
  struct stats_table t;
  if (stats_table_build(first, tg->utf8, &t) != 0)
    return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_quit_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  setlocale(LC_ALL, "");
  initscr();
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  curs_set(0);
  timeout(200); /* getch waits this long, so signals and the refresh are seen in time */
  char status[600] = "";
  double next = now_s() + REFRESH_S;
  while (!atomic_load(&quit_requested)) {
    draw(&t, status);
    int ch = getch(); /* KEY_RESIZE: ncurses took the new size; the next draw uses it */
    if (ch == 'q' || ch == 'Q')
      break;
    if (now_s() < next)
      continue;
    next = now_s() + REFRESH_S;
    struct failure f;
    json_t *snap = fetch(tg, &f);
    struct stats_table fresh;
    if (snap && stats_table_build(snap, tg->utf8, &fresh) == 0) {
      stats_table_free(&t);
      t = fresh;
      status[0] = '\0';
    } else if (!snap) {
      snprintf(status, sizeof status, "%.500s; retrying (q: quit)", f.line);
    }
    json_decref(snap);
  }
  endwin();
  stats_table_free(&t);
  return 0;
}

/* The snapshot as JSON in printable ASCII: whatever its strings hold (escape sequences, C1
 * controls) is written as \u escapes, which a terminal shows rather than obeys. */
static int print_json(json_t *snap)
{
  char *text = json_dumps(snap, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_ENSURE_ASCII);
  if (!text)
    return 1;
  /* jansson escapes everything but DEL, which only a string can hold: the same string. */
  for (const char *p = text; *p; p++)
    if (*p == 0x7f)
      fputs("\\u007f", stdout);
    else
      fputc(*p, stdout);
  fputc('\n', stdout);
  free(text);
  return ferror(stdout) ? 1 : 0;
}

static int print_once(json_t *snap, bool json, bool utf8)
{
  if (json)
    return print_json(snap);
  struct stats_table t;
  if (stats_table_build(snap, utf8, &t) != 0)
    return 1;
  stats_table_print(&t, stdout);
  stats_table_free(&t);
  return 0;
}

static const char about[] =
    "Shows a running 'synthminer run' (its API, default " DEFAULT_URL ") as a live table,\n"
    "refreshed every second; q quits. Without a terminal, or with --once, the table is\n"
    "printed once.";

/* The target from the flags. Returns 0, or prints one line and returns CLI_EXIT_USAGE. */
static int make_target(struct target *t, const char *url, const char *token)
{
  memset(t, 0, sizeof *t);
  t->text = url;
  t->token = token ? token : getenv("SYNTHMINER_API_TOKEN");
  if (t->token && !*t->token)
    t->token = NULL;
  if (http_parse_url(url, &t->url) != 0) {
    fprintf(stderr, "synthminer stats: --url '%s': expected http://HOST[:PORT][/]\n", url);
    return CLI_EXIT_USAGE;
  }
  /* The API may sit under a prefix (a proxy): its endpoints are relative to the URL's path. */
  size_t len = strlen(t->url.path);
  while (len > 0 && t->url.path[len - 1] == '/')
    len--;
  snprintf(t->summary_path, sizeof t->summary_path, "%.*s/api/summary", (int)len, t->url.path);
  return 0;
}

int cmd_stats(int argc, char **argv)
{
  const char *url = DEFAULT_URL, *token = NULL;
  bool once = false, json = false, help = false;
  const struct cli_option opts[] = {
      {"--url", 0, CLI_STRING, &url, 0, 0, "URL", "the instance's API (default " DEFAULT_URL ")"},
      {"--token", 0, CLI_STRING, &token, 0, 0, "TOKEN",
       "its --api-token (default: $SYNTHMINER_API_TOKEN)"},
      {"--once", 0, CLI_FLAG, &once, 0, 0, NULL, "print the table once as plain text and exit"},
      {"--json", 0, CLI_FLAG, &json, 0, 0, NULL, "print the instance's snapshot once as JSON"},
      CLI_OPTIONS_END(help),
  };
  int rc = cli_parse_command("stats", about, opts, argc, argv);
  if (rc != 0 || help)
    return rc;
  struct target t;
  if ((rc = make_target(&t, url, token)) != 0)
    return rc;
  /* The character set only (numbers stay as in C): UTF-8 names are kept where it is UTF-8. */
  setlocale(LC_CTYPE, "");
  t.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
  struct failure f;
  json_t *snap = fetch(&t, &f);
  if (!snap) {
    fprintf(stderr, "synthminer stats: %s%s\n", f.line,
            f.connect ? "; start one with 'synthminer run'" : "");
    return 1;
  }
  if (json || once || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
    rc = print_once(snap, json, t.utf8);
  else
    rc = live(&t, snap);
  json_decref(snap);
  return rc;
}
