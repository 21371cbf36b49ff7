/*
 * qnxhost runtime internals shared by the source files: the emulated kernel
 * objects (channels, connections, messages), the dispatch handle and the
 * helpers the areas call in each other. Not part of the public API.
 */
#ifndef QH_INTERNAL_H
#define QH_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <sys/iofunc.h>
#include <sys/dispatch.h>
#include <qnxhost/host.h>

/* Host rule: every non-final part of a combine message is a multiple of this long, so
   that each part's header is aligned for the handlers (QNX libc's combines are). */
#define QH_COMBINE_ALIGN 8
#define QH_ALIGN_UP(_n) (((_n) + QH_COMBINE_ALIGN - 1) & ~(size_t)(QH_COMBINE_ALIGN - 1))

#if _NTO_VERSION < 800
typedef _QH_RCVID_T rcvid_t;                  /* the runtime's name for a receive id */
#endif
/* The handler return values as the ints handlers return (unsigned constants in 6.x). */
#define QH_NOREPLY ((int)_RESMGR_NOREPLY)
#define QH_DEFAULT ((int)_RESMGR_DEFAULT)

/* ctp lengths as size_t (ints in 6.x); never negative when the runtime set them. */
#define QH_SIZE(_ctp)   ((size_t)(_ctp)->size)
#define QH_MSGLEN(_ctp) ((size_t)(_ctp)->info.msglen)
/* A write's byte count (7.0+: the 64-bit aware macro). */
#if _NTO_VERSION >= 700
#define QH_WRITE_NBYTES(_msg) _IO_WRITE_GET_NBYTES(_msg)
#else
#define QH_WRITE_NBYTES(_msg) ((_Uint64t)(_msg)->i.nbytes)
#endif

/* One lock protects every emulated kernel object. */
extern pthread_mutex_t qh_lock;

enum qh_msg_state { QH_QUEUED, QH_RECEIVED, QH_REPLIED };

/* A message (or pulse) in flight between a client and a server. */
struct qh_msg {
    struct qh_msg  *next;
    rcvid_t         rcvid;
    enum qh_msg_state state;
    int             abandoned;   /* the client's send timed out, or its process died */
    int             killed;      /* the client process died: reply fails with ESRCH */
    int             unblock_req; /* _NTO_MI_UNBLOCK_REQ: REPLY timeout, server was told */
    int             unblock_due; /* timeout expired while SEND-blocked: ask once received */
    int             handled;     /* its dispatch ended unreplied: the server holds it */
    int             is_pulse;
    unsigned        type;        /* first 16 bits, for diagnostics */
    int             coid;
    int             scoid;       /* the sending client process's server connection */
    int             client;      /* simulated client process (qh_client_new) */
    int             sender_len;  /* its channel has _NTO_CHF_SENDER_LEN */
    pid_t           tid;
    const iov_t    *siov;
    size_t          sparts, slen;
    const iov_t    *riov;
    size_t          rparts, rlen;
    long            status;
    int             err;
    _Atomic unsigned word;       /* the client's reply wait: QH_WORD_* (futex.c) */
    struct _pulse   pulse;
};

/* A message's wait word: the client sleeps on it until the server (or a stop, a kill) ends
   the wait; status, err and state are written before it becomes DONE. */
#define QH_WORD_PENDING  0u
#define QH_WORD_SLEEPING 1u          /* the client is (about to be) asleep on it: wake it */
#define QH_WORD_DONE     2u

/* A channel: the queue of pending sends and pulses. */
struct qh_chan {
    struct qh_msg  *head, *tail;
    _Atomic unsigned seq;        /* receivers sleep on it; bumped by every change (futex.c) */
    _Atomic int     nasleep;     /* receivers asleep (or about to be) on seq (futex.c) */
    void *_Atomic   spinner;     /* the receiver polling seq before it sleeps, if any (futex.c) */
    int             shutdown;
    unsigned        flags;       /* _NTO_CHF_* it was created with */
};

/* An OCB and the connections bound to it (open binds one, each _IO_DUP one more). */
struct qh_bind {
    void                     *ocb;
    const resmgr_io_funcs_t  *io_funcs;
    unsigned                  links;     /* connections bound to the OCB */
    unsigned                  busy;      /* threads inside a handler for it */
    int                       closed;    /* close_ocb has run (or is running) */
};

/* A client connection (an emulated fd or a side-channel coid). */
struct qh_conn {
    int                       coid;
    int                       client;    /* simulated client process that owns it */
    int                       dead;      /* its client died: the disconnect pulse frees it */
    dispatch_t               *dpp;
    struct qh_bind           *bind;      /* NULL until open (or _IO_DUP) binds an OCB */
};

/* A path attached with resmgr_attach(). */
struct qh_attach {
    struct qh_attach             *next;
    int                           id;
    char                         *path;
    unsigned                      flags;
    dispatch_t                   *dpp;
    const resmgr_connect_funcs_t *connect_funcs;
    const resmgr_io_funcs_t      *io_funcs;
    void                         *handle;
};

/* A pulse handler from pulse_attach(). */
struct qh_pulse_attach {
    struct qh_pulse_attach *next;
    int                     code;
    int                   (*func)(message_context_t *, int, unsigned, void *);
    void                   *handle;
};

/* A context from dispatch_context_alloc(); the public part must stay last. */
struct qh_ctx {
    struct qh_ctx    *next;
    unsigned          nparts_max;
    int               stopped;   /* dispatch_block() already returned the stop */
    int               kicked;    /* dispatch_unblock() was called */
    rcvid_t           msg_rcvid; /* the received message's rcvid (also in mid-combine) */
    int               closed_here; /* this message closed its connection's binding */
    const resmgr_io_funcs_t *openfd_funcs; /* _IO_OPENFD: the table a new OCB is bound with */
    resmgr_context_t  ctp;
};

struct _dispatch {
    struct _dispatch       *next;
    struct qh_chan          chan;
    unsigned                flags;
    size_t                  msg_max_size;
    unsigned                nparts_max;
    int                     context_alloced;
    int                     starting;   /* created by the server being started */
    int                     nattach;
    struct qh_ctx          *ctxs;
    struct qh_pulse_attach *pulses;
};

/* msg.c */
int             qh_receive(struct qh_ctx *ctx);
long            qh_send(int coid, const iov_t *siov, size_t sparts,
                        const iov_t *riov, size_t rparts);
void            qh_chan_stop(struct qh_chan *chan);
void            qh_chan_drain(struct qh_chan *chan);
void            qh_rcvids_flush(void);
size_t          qh_iov_total(const iov_t *iov, size_t parts);
struct qh_conn *qh_conn_new(dispatch_t *dpp, int client);
struct qh_conn *qh_conn_find(int coid);
struct qh_conn *qh_conn_at(int coid, dispatch_t *dpp, int client);
void            qh_conn_free(int coid);
void            qh_conn_release(struct qh_conn *c);
void            qh_conns_close_all(void);
int             qh_client_current(void);
int             qh_client_scoid(int client);
pid_t           qh_client_pid(int client);
struct qh_conn *qh_conn_dead_next(dispatch_t *dpp, int scoid);
ssize_t         qh_held_peek(rcvid_t rcvid, struct _msg_info *info, void *hdr, size_t n);
void            qh_rcvid_handled(rcvid_t rcvid);

/* futex.c */
int  qh_futex_wait(_Atomic unsigned *word, unsigned value, const struct timespec *deadline);
void qh_futex_wake(_Atomic unsigned *word, int n);
void qh_wake_finish(_Atomic unsigned *word);
void qh_wakers_drain(void);
int  qh_reply_wait(struct qh_msg *m, const struct timespec *deadline);
int  qh_reply_post(struct qh_msg *m);
void qh_reply_wake(struct qh_msg *m);
int  qh_chan_post(struct qh_chan *chan);
void qh_chan_wake(struct qh_chan *chan, int n);
void qh_chan_wait(struct qh_chan *chan);

/* dispatch.c */
extern struct _dispatch *qh_dispatches;
void qh_ready_notify(dispatch_t *dpp);

/* resmgr.c */
extern struct qh_attach *qh_attaches;
int  qh_resmgr_handle(resmgr_context_t *ctp);
int  qh_resmgr_unblock(resmgr_context_t *ctp);
void qh_resmgr_disconnect(resmgr_context_t *ctp);
struct qh_bind *qh_bind_enter(int coid);
void qh_bind_leave(resmgr_context_t *ctp, struct qh_bind *b);
struct qh_attach *qh_attach_lookup(const char *path, const char **rel);
void qh_attaches_free(dispatch_t *dpp);

/* pool.c */
void qh_pools_stop(void);

/* signals.c: SignalWaitinfo() threads */
void qh_signals_stop(void);
void qh_signals_owned_by_front_end(void);

/* resmgr.c: resmgr_msggetsize() for every flavour */
size_t qh_msggetsize(resmgr_context_t *ctp, size_t start_offset, size_t *local, size_t *remote);

/* lock.c (called with the attr lock held) */
void qh_locks_close(resmgr_context_t *ctp, iofunc_attr_t *attr);
int  qh_locks_unblock(resmgr_context_t *ctp, iofunc_attr_t *attr);
void qh_locks_free(iofunc_attr_t *attr);

/* check.c */
void qh_protocol_error(rcvid_t rcvid, unsigned type, const char *what);
void qh_replied_remember(rcvid_t rcvid, unsigned type);   /* qh_lock held */
unsigned qh_replied_type(rcvid_t rcvid);                  /* qh_lock held */
long qh_send_timeout_ms(void);

#define QH_CTX(_ctp) ((struct qh_ctx *)(void *)((char *)(_ctp) - offsetof(struct qh_ctx, ctp)))

#endif
