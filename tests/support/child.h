/* child.h: a program run beside a test, its output read as it comes, and HTTP requests written
 * by hand (a test does not trust the client it tests). */
#ifndef SYNTH_TESTS_CHILD_H
#define SYNTH_TESTS_CHILD_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

struct child {
  pid_t pid; /* 0 once reaped */
  int out, err;
  char out_buf[65536], err_buf[16384];
  size_t out_len, err_len;
  int status; /* exit code, or 128 + signal */
};

/* Every child still running, so a failed assertion cannot leave one behind. */
#define CHILDREN_MAX 8
extern struct child *live[CHILDREN_MAX];

long long now_ms(void);
void child_start(struct child *c, const char *path, const char *const *args);
/* Reads what the child wrote within ms. */
void child_pump(struct child *c, int ms);
/* Waits up to ms for the child to end. Returns its status, or -1 after killing it. */
int child_wait(struct child *c, int ms);
/* How long a child may take to do what the test waits for, in ms. */
int patience_ms(void);
/* Runs path to its end. Returns its exit status. */
int run_to_end(struct child *c, const char *path, const char *const *args);
/* The number after prefix in the child's stderr (an "API at" line's port), waiting for it; 0 if
 * it never came. */
unsigned child_api_port_at(struct child *c, const char *prefix);
/* Kills every child still running (a fatal assertion left it), setting *rc to 1 if there was. */
void child_kill_all(int *rc);

struct reply {
  int status;
  char raw[262144]; /* head and body */
  const char *body;
};

/* A TCP connection to addr (an IPv4 literal) and port, or -1. */
int connect_to(const char *addr, unsigned port);
/* Sends the request text as it is to addr:port and reads the reply to the close. */
void raw_request(const char *addr, unsigned port, const char *text, struct reply *r);
/* Sends method path with the extra header lines (each ending in \r\n), reads to the close. */
void request(unsigned port, const char *method, const char *path, const char *headers,
             struct reply *r);
/* The same, at addr:port, with "Host: host" (NULL: no Host line) in HTTP/version. */
void host_request(const char *addr, unsigned port, const char *version, const char *host,
                  const char *method, const char *path, const char *headers, struct reply *r);
/* POST path with body (NULL: none) and the extra header lines, reads to the close. */
void post(unsigned port, const char *path, const char *headers, const char *body, struct reply *r);
/* GET path as JSON, asserting the status. New reference, or NULL. */
json_t *get_json(unsigned port, const char *path, const char *headers, int want_status);

#endif
