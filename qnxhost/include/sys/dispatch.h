/*
 * qnxhost clean-room <sys/dispatch.h>: the QNX dispatch layer (dispatch
 * handles and contexts, pulse/message attach) and thread pools.
 * THREAD_POOL_PARAM_T defaults to the resmgr context; dispatch_context_t is
 * the resmgr context.
 */
#ifndef _QH_SYS_DISPATCH_H_INCLUDED
#define _QH_SYS_DISPATCH_H_INCLUDED

#include <sys/resmgr.h>
#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef THREAD_POOL_PARAM_T
#define THREAD_POOL_PARAM_T void
#endif
#ifndef THREAD_POOL_HANDLE_T
#define THREAD_POOL_HANDLE_T dispatch_t
#endif

typedef resmgr_context_t dispatch_context_t;
typedef resmgr_context_t message_context_t;

/* Context of select_attach() users (not emulated, layout only). */
typedef struct _select_context {
    _QH_RCVID_T      rcvid;
    struct _msg_info info;
    void            *msg;
    dispatch_t      *dpp;
    int              fd;
    unsigned         reserved1;
    void            *reserved2[4];
} select_context_t;

/* message_attach()/pulse_attach() attributes. */
typedef struct _message_attr {
    unsigned flags;
    unsigned nparts_max;
    size_t   msg_max_size;
    unsigned reserved[6];
} message_attr_t;

/* name_attach() result (layout only). */
typedef struct _name_attach {
    dispatch_t *dpp;
    int         chid;
    int         mntid;
    unsigned    zero[2];
} name_attach_t;

#define DISPATCH_FLAG_NOLOCK   0x00000001u
#define MSG_FLAG_TYPE_PULSE    0x00000001u
#define MSG_FLAG_ALLOC_PULSE   0x00000002u
#define MSG_FLAG_DEFAULT_FUNC  0x00000100u
#define MSG_FLAG_SIDE_CHANNEL  0x00000200u

dispatch_t         *dispatch_create(void);
dispatch_t         *dispatch_create_channel(int chid, unsigned flags);
int                 dispatch_destroy(dispatch_t *dpp);
dispatch_context_t *dispatch_context_alloc(dispatch_t *dpp);
void                dispatch_context_free(dispatch_context_t *ctp);
dispatch_context_t *dispatch_block(dispatch_context_t *ctp);
int                 dispatch_handler(dispatch_context_t *ctp);
void                dispatch_unblock(dispatch_context_t *ctp);
int                 pulse_attach(dispatch_t *dpp, int flags, int code,
                                 int (*func)(message_context_t *ctp, int code,
                                             unsigned flags, void *handle),
                                 void *handle);
int                 pulse_detach(dispatch_t *dpp, int code, int flags);
int                 message_connect(dispatch_t *dpp, int flags);

/* Thread pools. */
typedef struct _thread_pool_attr {
    THREAD_POOL_HANDLE_T *handle;
    THREAD_POOL_PARAM_T *(*block_func)(THREAD_POOL_PARAM_T *ctp);
    void                 (*unblock_func)(THREAD_POOL_PARAM_T *ctp);
    int                  (*handler_func)(THREAD_POOL_PARAM_T *ctp);
    THREAD_POOL_PARAM_T *(*context_alloc)(THREAD_POOL_HANDLE_T *handle);
    void                 (*context_free)(THREAD_POOL_PARAM_T *ctp);
    pthread_attr_t       *attr;
    unsigned short        lo_water;
    unsigned short        increment;
    unsigned short        hi_water;
    unsigned short        maximum;
    const char           *tid_name;
    void                 (*error_func)(const char *msg, unsigned num);
    unsigned              reserved[6];
} thread_pool_attr_t;

typedef struct _thread_pool thread_pool_t;

#define POOL_FLAG_EXIT_SELF       0x00000001u
#define POOL_FLAG_USE_SELF        0x00000002u
#define POOL_FLAG_CALL_BLOCK_ERRF 0x00000004u
#define POOL_FLAG_CALL_HANDLE_ERRF 0x00000008u

thread_pool_t *thread_pool_create(thread_pool_attr_t *pool_attr, unsigned flags);
int            thread_pool_start(void *pool);
int            thread_pool_destroy(thread_pool_t *pool);

#ifdef __cplusplus
}
#endif
#endif
