/* solo_zmq.c: the node's ZMQ hashblock notifications (zmqpubhashblock): each one tells the
 * worker a new template is due at once, before a long poll would answer. */
#include "pool/solo_state.h"

#include "base/clock.h"

#ifdef SYNTH_HAVE_ZMQ
#include <string.h>

#include <zmq.h>

bool solo_zmq_available(void)
{
  return true;
}

/* One multipart message: "hashblock", the 32-byte hash, a 4-byte sequence. Returns 1 for a
 * hashblock, 0 for anything else (read and dropped), -1 when the socket failed. */
static int read_message(void *sock)
{
  int parts = 0, hashblock = 0, more = 1;
  size_t sizes[3] = {0};
  while (more) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&m);
      return -1;
    }
    if (parts == 0)
      hashblock = zmq_msg_size(&m) == 9 && memcmp(zmq_msg_data(&m), "hashblock", 9) == 0;
    if (parts < 3)
      sizes[parts] = zmq_msg_size(&m);
    parts++;
    more = zmq_msg_more(&m);
    zmq_msg_close(&m);
  }
  return hashblock && parts == 3 && sizes[1] == 32 && sizes[2] == 4;
}

void *solo_zmq_main(void *arg)
{
  struct synth_solo *s = arg;
  void *ctx = zmq_ctx_new();
  void *sock = ctx ? zmq_socket(ctx, ZMQ_SUB) : NULL;
  int linger = 0;
  if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
      zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "hashblock", 9) != 0 ||
      zmq_connect(sock, s->zmq_url) != 0) {
    synth__log_error(&s->log, "--zmq %s: %s: new blocks come by long poll and refresh only",
                     s->zmq_url, zmq_strerror(zmq_errno()));
  } else {
    synth__log_info(&s->log, "listening for new blocks at %s", s->zmq_url);
    unsigned odd = 0;
    while (!atomic_load(&s->stopping)) {
      zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
      int n = zmq_poll(&item, 1, 100); /* ms: the stop flag is seen that often */
      if (n <= 0 || !(item.revents & ZMQ_POLLIN))
        continue;
      uint64_t got = synth__now_ns();
      int kind = read_message(sock);
      if (kind == 1) {
        solo_add(&s->zmq_blocks, 1);
        pthread_mutex_lock(&s->lock);
        s->zmq_hint = true;
        s->zmq_ns = got;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
      } else if (kind == 0 && odd++ == 0) {
        synth__log_warn(&s->log, "--zmq %s: a message that is not hashblock (ignored; said once)",
                        s->zmq_url);
      }
    }
  }
  if (sock)
    zmq_close(sock);
  if (ctx)
    zmq_ctx_term(ctx);
  return NULL;
}

#else

bool solo_zmq_available(void)
{
  return false;
}

void *solo_zmq_main(void *arg)
{
  (void)arg;
  return NULL;
}

#endif
