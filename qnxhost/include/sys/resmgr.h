/*
 * qnxhost clean-room <sys/resmgr.h>: the QNX 8.0 resource-manager layer
 * (context, attach attributes, connect/io function tables, handler return
 * protocol). RESMGR_HANDLE_T / RESMGR_OCB_T default to void unless
 * <sys/iofunc.h> was included first.
 */
#ifndef _QH_SYS_RESMGR_H_INCLUDED
#define _QH_SYS_RESMGR_H_INCLUDED

#include <sys/neutrino.h>
#include <sys/iomsg.h>
#include <sys/ftype.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef RESMGR_HANDLE_T
#define RESMGR_HANDLE_T void
#endif
#ifndef RESMGR_OCB_T
#define RESMGR_OCB_T void
#endif

typedef struct _dispatch dispatch_t;

/* Every message a resource manager can receive. */
typedef union {
    _Uint16t      type;
    struct _pulse pulse;
    io_open_t     connect;
    io_read_t     read;
    io_write_t    write;
    io_stat_t     stat;
    io_notify_t   notify;
    io_devctl_t   devctl;
    io_pathconf_t pathconf;
    io_lseek_t    lseek;
    io_chmod_t    chmod;
    io_chown_t    chown;
    io_utime_t    utime;
    io_openfd_t   openfd;
    io_fdinfo_t   fdinfo;
    io_lock_t     lock;
    io_space_t    space;
    io_mmap_t     mmap;
    io_msg_t      msg;
    io_dup_t      dup;
    io_close_t    close;
    io_sync_t     sync;
    io_power_t    power;
    io_acl_t      acl;
} resmgr_iomsgs_t;

struct _extended_context {
    void *reserved[3];
};

/* Per-thread context handed to every handler (8.0 layout; 6.x: int/unsigned fields). */
#if _NTO_VERSION >= 700
#define _QH_CTX_SIZE_T size_t
#define _QH_CTX_MAX_T  size_t
#else
#define _QH_CTX_SIZE_T int
#define _QH_CTX_MAX_T  unsigned
#endif
typedef struct _resmgr_context {
    _QH_RCVID_T               rcvid;
    struct _msg_info          info;
    resmgr_iomsgs_t          *msg;
    dispatch_t               *dpp;
    int                       id;
    struct _extended_context *extra;
    _QH_CTX_MAX_T             msg_max_size;
    _QH_STATUS_T              status;
    _QH_CTX_SIZE_T            offset;
    _QH_CTX_SIZE_T            size;
    iov_t                     iov[1];
} resmgr_context_t;

/* resmgr_attach() attributes. */
typedef struct _resmgr_attr {
    unsigned  flags;
    unsigned  nparts_max;
    _QH_CTX_MAX_T msg_max_size;
    int     (*other_func)(resmgr_context_t *ctp, void *msg);
    unsigned  reserved[4];
} resmgr_attr_t;

#define RESMGR_FLAG_ATTACH_LOCAL     0x00000002u
#define RESMGR_FLAG_ATTACH_OTHERFUNC 0x00000004u

/* Connect (path) handlers. */
typedef struct _resmgr_combomsgs _resmgr_combomsgs_t;
typedef struct _resmgr_connect_funcs {
    unsigned nfuncs;
    int (*open)(resmgr_context_t *ctp, io_open_t *msg, RESMGR_HANDLE_T *handle, void *extra);
    int (*unlink)(resmgr_context_t *ctp, io_unlink_t *msg, RESMGR_HANDLE_T *handle, void *reserved);
    int (*rename)(resmgr_context_t *ctp, io_rename_t *msg, RESMGR_HANDLE_T *handle, io_rename_extra_t *extra);
    int (*mknod)(resmgr_context_t *ctp, io_mknod_t *msg, RESMGR_HANDLE_T *handle, void *reserved);
    int (*readlink)(resmgr_context_t *ctp, io_readlink_t *msg, RESMGR_HANDLE_T *handle, void *reserved);
    int (*link)(resmgr_context_t *ctp, io_link_t *msg, RESMGR_HANDLE_T *handle, io_link_extra_t *extra);
    int (*unblock)(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_HANDLE_T *handle, void *reserved);
    int (*mount)(resmgr_context_t *ctp, io_mount_t *msg, RESMGR_HANDLE_T *handle, io_mount_extra_t *extra);
#if _NTO_VERSION >= 800
    int (*combo)(resmgr_context_t *ctp, io_open_t *msg1, RESMGR_HANDLE_T *handle, _resmgr_combomsgs_t *msg2);
#endif
} resmgr_connect_funcs_t;

/* I/O (fd) handlers, slot i handles message type _IO_READ + i. */
typedef struct _resmgr_io_funcs {
    unsigned nfuncs;
    int (*read)(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb);
    int (*write)(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb);
    int (*close_ocb)(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb);
    int (*stat)(resmgr_context_t *ctp, io_stat_t *msg, RESMGR_OCB_T *ocb);
    int (*notify)(resmgr_context_t *ctp, io_notify_t *msg, RESMGR_OCB_T *ocb);
    int (*devctl)(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb);
    int (*unblock)(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *ocb);
    int (*pathconf)(resmgr_context_t *ctp, io_pathconf_t *msg, RESMGR_OCB_T *ocb);
    int (*lseek)(resmgr_context_t *ctp, io_lseek_t *msg, RESMGR_OCB_T *ocb);
    int (*chmod)(resmgr_context_t *ctp, io_chmod_t *msg, RESMGR_OCB_T *ocb);
    int (*chown)(resmgr_context_t *ctp, io_chown_t *msg, RESMGR_OCB_T *ocb);
    int (*utime)(resmgr_context_t *ctp, io_utime_t *msg, RESMGR_OCB_T *ocb);
    int (*openfd)(resmgr_context_t *ctp, io_openfd_t *msg, RESMGR_OCB_T *ocb);
    int (*fdinfo)(resmgr_context_t *ctp, io_fdinfo_t *msg, RESMGR_OCB_T *ocb);
    int (*lock)(resmgr_context_t *ctp, io_lock_t *msg, RESMGR_OCB_T *ocb);
    int (*space)(resmgr_context_t *ctp, io_space_t *msg, RESMGR_OCB_T *ocb);
    int (*shutdown)(resmgr_context_t *ctp, io_shutdown_t *msg, RESMGR_OCB_T *ocb);
    int (*mmap)(resmgr_context_t *ctp, io_mmap_t *msg, RESMGR_OCB_T *ocb);
    int (*msg)(resmgr_context_t *ctp, io_msg_t *msg, RESMGR_OCB_T *ocb);
#if _NTO_VERSION >= 800
    int (*check_msg)(resmgr_context_t const *ctp, resmgr_iomsgs_t const *msg,
                     _Bool combine, RESMGR_OCB_T const *ocb);
#else
    int (*reserved)(resmgr_context_t *ctp, void *msg, RESMGR_OCB_T *ocb);
#endif
    int (*dup)(resmgr_context_t *ctp, io_dup_t *msg, RESMGR_OCB_T *ocb);
    int (*close_dup)(resmgr_context_t *ctp, io_close_t *msg, RESMGR_OCB_T *ocb);
    int (*lock_ocb)(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb);
    int (*unlock_ocb)(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb);
    int (*sync)(resmgr_context_t *ctp, io_sync_t *msg, RESMGR_OCB_T *ocb);
    int (*power)(resmgr_context_t *ctp, io_power_t *msg, RESMGR_OCB_T *ocb);
#if _NTO_VERSION >= 800
    int (*acl)(resmgr_context_t *ctp, io_acl_t *msg, RESMGR_OCB_T *ocb);
    int (*pause)(resmgr_context_t *ctp, void *reserved, RESMGR_OCB_T *ocb);
    int (*unpause)(resmgr_context_t *ctp, io_pulse_t *msg, RESMGR_OCB_T *ocb);
    int (*read64)(resmgr_context_t *ctp, io_read_t *msg, RESMGR_OCB_T *ocb);
    int (*write64)(resmgr_context_t *ctp, io_write_t *msg, RESMGR_OCB_T *ocb);
    int (*notify64)(resmgr_context_t *ctp, io_notify_t *msg, RESMGR_OCB_T *ocb);
    int (*utime64)(resmgr_context_t *ctp, io_utime_t *msg, RESMGR_OCB_T *ocb);
#endif
} resmgr_io_funcs_t;

#define _RESMGR_CONNECT_NFUNCS \
    ((unsigned)((sizeof(resmgr_connect_funcs_t) - sizeof(void *)) / sizeof(void *)))
#define _RESMGR_IO_NFUNCS \
    ((unsigned)((sizeof(resmgr_io_funcs_t) - sizeof(void *)) / sizeof(void *)))

/* Handler return values (how the library replies): ints in 8.0, unsigned in 6.x. */
#if _NTO_VERSION >= 800
#define _RESMGR_NOREPLY          (-2147483647 - 1)
#define _RESMGR_DEFAULT          (-2147483647)
#define _RESMGR_DELAY_CLOSE      (-2147483646)
#else
#define _RESMGR_NOREPLY          ((~0u ^ (~0u >> 1)) | 0u)
#define _RESMGR_DEFAULT          ((~0u ^ (~0u >> 1)) | 1u)
#endif
#define _RESMGR_ERRNO(_err)      (_err)
#define _RESMGR_NPARTS(_n)       (-(_n))
#define _RESMGR_PTR(_ctp, _addr, _len) \
    (SETIOV((_ctp)->iov, (_addr), (_len)), _RESMGR_NPARTS(1))
#define _RESMGR_STATUS(_ctp, _status) ((_ctp)->status = (_status))

/* resmgr_attach() flags. */
#define _RESMGR_FLAG_BEFORE     0x0001u
#define _RESMGR_FLAG_AFTER      0x0002u
#define _RESMGR_FLAG_OPAQUE     0x0004u
#define _RESMGR_FLAG_FTYPEONLY  0x0008u
#define _RESMGR_FLAG_FTYPEALL   0x0010u
#define _RESMGR_FLAG_DIR        0x0100u
#define _RESMGR_FLAG_SELF       0x0200u
#define _RESMGR_FLAG_MASK       0x031Fu
#define _RESMGR_FLAG_DETACH_CTP 0x80000000u

/* resmgr_detach() flags. */
#define _RESMGR_DETACH_ALL      0x0000u
#define _RESMGR_DETACH_PATHNAME 0x0001u
#define _RESMGR_DETACH_CLOSE    0x8000u

int     resmgr_attach(dispatch_t *dpp, resmgr_attr_t *attr, const char *path,
                      enum _file_type file_type, unsigned flags,
                      const resmgr_connect_funcs_t *connect_funcs,
                      const resmgr_io_funcs_t *io_funcs, RESMGR_HANDLE_T *handle);
int     resmgr_detach(dispatch_t *dpp, int id, unsigned flags);
int     resmgr_open_bind(resmgr_context_t *ctp, void *ocb, const resmgr_io_funcs_t *iofuncs);
_QH_MSGSSIZE_T resmgr_msgread(resmgr_context_t *ctp, void *msg, _QH_MSGSIZE_T bytes,
                              _QH_MSGSIZE_T offset);
_QH_MSGSSIZE_T resmgr_msgreadv(resmgr_context_t *ctp, const iov_t *iov, _QH_MSGSIZE_T parts,
                               _QH_MSGSIZE_T offset);
_QH_MSGSSIZE_T resmgr_msgwrite(resmgr_context_t *ctp, const void *msg, _QH_MSGSIZE_T bytes,
                               _QH_MSGSIZE_T offset);
int            resmgr_msgreply(resmgr_context_t *ctp, const void *msg, _QH_MSGSIZE_T bytes);
int            resmgr_msgreplyv(resmgr_context_t *ctp, const iov_t *iov, _QH_MSGSIZE_T parts);
#if _NTO_VERSION >= 710
/* 7.1+: the message's size and its parts, from the receive buffer where they arrived. */
ssize_t resmgr_msgget(resmgr_context_t *ctp, void *msg, size_t bytes, size_t offset);
size_t  resmgr_msggetsize(resmgr_context_t *ctp, size_t start_offset,
                          size_t *local, size_t *remote);
#endif

#ifndef THREAD_POOL_PARAM_T
#define THREAD_POOL_PARAM_T resmgr_context_t
#endif

#ifdef __cplusplus
}
#endif

#include <sys/dispatch.h>

#endif
