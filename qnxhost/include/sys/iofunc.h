/*
 * qnxhost clean-room <sys/iofunc.h>: the QNX 8.0 POSIX-layer helpers
 * (attribute, OCB and mount structures and the iofunc_* defaults).
 * Include it before <sys/resmgr.h> so that RESMGR_HANDLE_T / RESMGR_OCB_T
 * become IOFUNC_ATTR_T / IOFUNC_OCB_T. The 8.0 attr embeds an 8-byte
 * pthread_mutex_t; on the host that member is an opaque 8-byte word and the
 * real lock lives in the runtime.
 */
#ifndef _QH_SYS_IOFUNC_H_INCLUDED
#define _QH_SYS_IOFUNC_H_INCLUDED

#include <sys/types.h>
#include <sys/stat.h>
#include <time.h>

#ifndef IOFUNC_ATTR_T
#define IOFUNC_ATTR_T struct _iofunc_attr
#endif
#ifndef IOFUNC_OCB_T
#define IOFUNC_OCB_T struct _iofunc_ocb
#endif
#ifndef IOFUNC_MOUNT_T
#define IOFUNC_MOUNT_T struct _iofunc_mount
#endif
#ifndef RESMGR_HANDLE_T
#define RESMGR_HANDLE_T IOFUNC_ATTR_T
#endif
#ifndef RESMGR_OCB_T
#define RESMGR_OCB_T IOFUNC_OCB_T
#endif

struct _iofunc_attr;
struct _iofunc_ocb;
struct _iofunc_mount;

#include <sys/resmgr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Client credentials. */
struct _cred_info {
    _Uint32t ruid;
    _Uint32t euid;
    _Uint32t suid;
    _Uint32t rgid;
    _Uint32t egid;
    _Uint32t sgid;
    _Uint32t ngroups;
    _Uint32t grouplist[8];
};
struct _client_info {
    _Uint32t          nd;
    pid_t             pid;
    pid_t             sid;
    _Uint32t          flags;
    struct _cred_info cred;
};

/* OCB allocation and attr locking hooks of a mount. */
typedef struct _iofunc_funcs {
    unsigned       nfuncs;
    IOFUNC_OCB_T *(*ocb_calloc)(resmgr_context_t *ctp, IOFUNC_ATTR_T *attr);
    void          (*ocb_free)(IOFUNC_OCB_T *ocb);
    int           (*attr_lock)(IOFUNC_ATTR_T *attr);
    int           (*attr_unlock)(IOFUNC_ATTR_T *attr);
    int           (*attr_trylock)(IOFUNC_ATTR_T *attr);
} iofunc_funcs_t;
#define _IOFUNC_NFUNCS \
    ((unsigned)((sizeof(iofunc_funcs_t) - sizeof(void *)) / sizeof(void *)))

typedef struct _iofunc_mount {
    _Uint32t        flags;
    _Uint32t        conf;
    _Uint32t        dev;
    _Int32t         blocksize;
    iofunc_funcs_t *funcs;
    void           *power;
    size_t          size;
    _Uint32t        ext_flags;
    _Uint32t        timeres;
    _Uint32t        reserved[8];
} iofunc_mount_t;

#define IOFUNC_PC_CHOWN_RESTRICTED 0x00000001u
#define IOFUNC_PC_NO_TRUNC         0x00000002u
#define IOFUNC_PC_SYNC_IO          0x00000004u
#define IOFUNC_PC_LINK_DIR         0x00000008u
#define IOFUNC_PC_ACL              0x00000010u
#define IOFUNC_PC_EXT              0x00000020u
#define IOFUNC_PC_SYMLINK          0x00000040u
#define IOFUNC_MOUNT_32BIT         0x00000100u

/* The 8-byte slot where QNX 8.0 keeps the attr mutex. */
typedef struct { _Uint64t __opaque; } _qh_attr_mutex_t;

typedef struct _iofunc_attr {
    IOFUNC_MOUNT_T   *mount;
    void             *mmap_list;
    void             *lock_list;
    void             *acl;
#ifdef _QH_ANON_UNIONS
    union {
        void             *lockobj;
        _qh_attr_mutex_t  lock;
    };
#else
    _qh_attr_mutex_t  lock;
#endif
    _Uint32t          flags;
    _Uint16t          count;
    _Uint16t          rcount;
    _Uint16t          wcount;
    _Uint16t          rlocks;
    _Uint16t          wlocks;
    _Uint16t          reserved;
    _Int64t           nbytes;
    _Uint64t          inode;
    uid_t             uid;
    gid_t             gid;
    time_t            mtime;
    time_t            atime;
    time_t            ctime;
    mode_t            mode;
    _Uint32t          nlink;
    _Uint32t          rdev;
    _Uint32t          mtime_ns;
    _Uint32t          atime_ns;
    _Uint32t          ctime_ns;
} iofunc_attr_t;

#define IOFUNC_ATTR_MTIME          0x00000001u
#define IOFUNC_ATTR_ATIME          0x00000002u
#define IOFUNC_ATTR_CTIME          0x00000004u
#define IOFUNC_ATTR_DIRTY_SIZE     0x00000010u
#define IOFUNC_ATTR_DIRTY_OWNER    0x00000020u
#define IOFUNC_ATTR_DIRTY_TIME     0x00000040u
#define IOFUNC_ATTR_DIRTY_MODE     0x00000080u
#define IOFUNC_ATTR_DIRTY_NLINK    0x00000100u
#define IOFUNC_ATTR_DIRTY_RDEV     0x00000200u
#define IOFUNC_ATTR_DIRTY_ACL      0x00000400u
#define IOFUNC_ATTR_DIRTY_MASK     0x00000FF0u
#define IOFUNC_ATTR_NS_TIMESTAMPS  0x00001000u
#define IOFUNC_ATTR_GROUP_OWNER    0x00004000u
#define IOFUNC_ATTR_SYNTHETIC      0x00008000u

typedef struct _iofunc_ocb {
    IOFUNC_ATTR_T *attr;
    _Uint32t       ioflag;
    _Uint16t       sflag;
    _Uint16t       flags;
    _Int64t        offset;
    _Uint64t       reserved;
} iofunc_ocb_t;

#define IOFUNC_OCB_PRIVILEGED   0x0001u
#define IOFUNC_OCB_MMAP         0x0002u
#define IOFUNC_OCB_MMAP_UNIQUE  0x0004u
#define IOFUNC_OCB_FLAGS_PRIVATE 0xF000u

/* Returned by iofunc_ocb_detach(). */
#define IOFUNC_OCB_LAST_INUSE   0x0001
#define IOFUNC_OCB_LAST_READER  0x0002
#define IOFUNC_OCB_LAST_WRITER  0x0004
#define IOFUNC_OCB_LAST_RDLOCK  0x0008
#define IOFUNC_OCB_LAST_WRLOCK  0x0010

/* select()/poll()/ionotify() bookkeeping. */
typedef struct _iofunc_notify_event {
    struct _iofunc_notify_event *next;
    _QH_RCVID_T                  rcvid;
    _Int32t                      scoid;
    _Int32t                      coid;
    _Int32t                      cnt;
    _Int32t                      flags;
    struct _qh_qnx_sigevent      event;
} iofunc_notify_event_t;

typedef struct _iofunc_notify {
    _Int32t                cnt;
    _Int32t                reserved;
    iofunc_notify_event_t *list;
} iofunc_notify_t;

#define IOFUNC_NOTIFY_INPUT  0
#define IOFUNC_NOTIFY_OUTPUT 1
#define IOFUNC_NOTIFY_OBAND  2
#define IOFUNC_NOTIFY_PRI    3
#define IOFUNC_NOTIFY_ERR    5
#define IOFUNC_NOTIFY_HUP    6
#define IOFUNC_NOTIFY_NVAL   12

/* Each condition starts with a threshold of one byte and no entries. */
#define IOFUNC_NOTIFY_INIT(_nop) \
    ((void)((_nop)[IOFUNC_NOTIFY_INPUT].cnt = 1, (_nop)[IOFUNC_NOTIFY_INPUT].list = NULL, \
            (_nop)[IOFUNC_NOTIFY_OUTPUT].cnt = 1, (_nop)[IOFUNC_NOTIFY_OUTPUT].list = NULL, \
            (_nop)[IOFUNC_NOTIFY_OBAND].cnt = 1, (_nop)[IOFUNC_NOTIFY_OBAND].list = NULL))
/* Worth a trigger: someone has an entry and cnt reaches the threshold (or a transition). */
#define _QH_NOTIFY_CHECK(_nop, _i, _cnt, _tran) \
    ((_nop)[_i].list != NULL && (((_nop)[_i].cnt && (_nop)[_i].cnt <= (_cnt)) || (_tran)))
#define IOFUNC_NOTIFY_INPUT_CHECK(_nop, _cnt, _tran) \
    _QH_NOTIFY_CHECK(_nop, IOFUNC_NOTIFY_INPUT, _cnt, _tran)
#define IOFUNC_NOTIFY_OUTPUT_CHECK(_nop, _cnt) \
    _QH_NOTIFY_CHECK(_nop, IOFUNC_NOTIFY_OUTPUT, _cnt, 0)
#define IOFUNC_NOTIFY_OBAND_CHECK(_nop, _cnt, _tran) \
    _QH_NOTIFY_CHECK(_nop, IOFUNC_NOTIFY_OBAND, _cnt, _tran)

/* Reply counts (ctp->status: a long since 7.0, an int in 6.x, so no cast there) and, 7.0+,
   the 64-bit aware byte counts of read/write messages. */
#if _NTO_VERSION >= 700
#define _IO_SET_READ_NBYTES(_ctp, _n)     ((_ctp)->status = (long)(_n))
#define _IO_SET_WRITE_NBYTES(_ctp, _n)    ((_ctp)->status = (long)(_n))
#define _IO_SET_PATHCONF_VALUE(_ctp, _v)  ((_ctp)->status = (long)(_v))
#else
#define _IO_SET_READ_NBYTES(_ctp, _n)     ((_ctp)->status = (_n))
#define _IO_SET_WRITE_NBYTES(_ctp, _n)    ((_ctp)->status = (_n))
#define _IO_SET_PATHCONF_VALUE(_ctp, _v)  ((_ctp)->status = (_v))
#endif
#if _NTO_VERSION >= 700
#define _IO_READ_GET_NBYTES(_msg) \
    ((_msg)->i.type == _IO_READ64 \
        ? (((_Uint64t)(_msg)->i64.nbytes_hi << 32) | (_msg)->i64.nbytes) \
        : (_Uint64t)(_msg)->i.nbytes)
#define _IO_WRITE_GET_NBYTES(_msg) \
    ((_msg)->i.type == _IO_WRITE64 \
        ? (((_Uint64t)(_msg)->i64.nbytes_hi << 32) | (_msg)->i64.nbytes) \
        : (_Uint64t)(_msg)->i.nbytes)
#endif

void iofunc_func_init(unsigned nconnect, resmgr_connect_funcs_t *connect,
                      unsigned nio, resmgr_io_funcs_t *io);
void iofunc_attr_init_sized(iofunc_attr_t *attr, mode_t mode, iofunc_attr_t *dattr,
                            struct _client_info *info, size_t size);
#define iofunc_attr_init(_attr, _mode, _dattr, _info) \
    iofunc_attr_init_sized((_attr), (_mode), (_dattr), (_info), sizeof(iofunc_attr_t))
int  iofunc_mount_init(iofunc_mount_t *mountp, size_t size);
int  iofunc_attr_lock(iofunc_attr_t *attr);
int  iofunc_attr_unlock(iofunc_attr_t *attr);
int  iofunc_attr_trylock(iofunc_attr_t *attr);
int  iofunc_client_info(resmgr_context_t *ctp, int ioflag, struct _client_info *info);
/* 6.6+: *info is allocated (free it with iofunc_client_info_ext_free()); flags
   _NTO_CLIENTINFO_GETGROUPS fills the supplementary groups too. */
int  iofunc_client_info_ext(resmgr_context_t *ctp, const int ioflag, struct _client_info **info, int flags);
int  iofunc_client_info_ext_free(struct _client_info **info);
int  iofunc_check_access(resmgr_context_t *ctp, const iofunc_attr_t *attr,
                         mode_t checkmode, const struct _client_info *info);
int  iofunc_open(resmgr_context_t *ctp, io_open_t *msg, iofunc_attr_t *attr,
                 iofunc_attr_t *dattr, struct _client_info *info);
int  iofunc_open_default(resmgr_context_t *ctp, io_open_t *msg, iofunc_attr_t *attr,
                         void *extra);
int  iofunc_ocb_attach(resmgr_context_t *ctp, io_open_t *msg, iofunc_ocb_t *ocb,
                       iofunc_attr_t *attr, const resmgr_io_funcs_t *io_funcs);
int  iofunc_ocb_detach(resmgr_context_t *ctp, iofunc_ocb_t *ocb);
int  iofunc_read_verify(resmgr_context_t *ctp, io_read_t *msg, iofunc_ocb_t *ocb,
                        int *nonblock);
int  iofunc_write_verify(resmgr_context_t *ctp, io_write_t *msg, iofunc_ocb_t *ocb,
                         int *nonblock);
int  iofunc_read_default(resmgr_context_t *ctp, io_read_t *msg, iofunc_ocb_t *ocb);
int  iofunc_write_default(resmgr_context_t *ctp, io_write_t *msg, iofunc_ocb_t *ocb);
int  iofunc_devctl(resmgr_context_t *ctp, io_devctl_t *msg, iofunc_ocb_t *ocb,
                   iofunc_attr_t *attr);
int  iofunc_devctl_default(resmgr_context_t *ctp, io_devctl_t *msg, iofunc_ocb_t *ocb);
int  iofunc_lseek(resmgr_context_t *ctp, io_lseek_t *msg, iofunc_ocb_t *ocb,
                  iofunc_attr_t *attr);
int  iofunc_lseek_default(resmgr_context_t *ctp, io_lseek_t *msg, iofunc_ocb_t *ocb);
int  iofunc_stat(resmgr_context_t *ctp, iofunc_attr_t *attr, struct stat *statp);
int  iofunc_stat_default(resmgr_context_t *ctp, io_stat_t *msg, iofunc_ocb_t *ocb);
int  iofunc_close_ocb(resmgr_context_t *ctp, iofunc_ocb_t *ocb, iofunc_attr_t *attr);
int  iofunc_close_ocb_default(resmgr_context_t *ctp, void *reserved, iofunc_ocb_t *ocb);
int  iofunc_close_dup_default(resmgr_context_t *ctp, io_close_t *msg, iofunc_ocb_t *ocb);
int  iofunc_unblock_default(resmgr_context_t *ctp, io_pulse_t *msg, iofunc_ocb_t *ocb);
int  iofunc_lock_ocb_default(resmgr_context_t *ctp, void *reserved, iofunc_ocb_t *ocb);
int  iofunc_unlock_ocb_default(resmgr_context_t *ctp, void *reserved, iofunc_ocb_t *ocb);
int  iofunc_time_update(iofunc_attr_t *attr);
int  iofunc_chmod(resmgr_context_t *ctp, io_chmod_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr);
int  iofunc_chmod_default(resmgr_context_t *ctp, io_chmod_t *msg, iofunc_ocb_t *ocb);
int  iofunc_chown(resmgr_context_t *ctp, io_chown_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr);
int  iofunc_chown_default(resmgr_context_t *ctp, io_chown_t *msg, iofunc_ocb_t *ocb);
int  iofunc_utime(resmgr_context_t *ctp, io_utime_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr);
int  iofunc_utime_default(resmgr_context_t *ctp, io_utime_t *msg, iofunc_ocb_t *ocb);
int  iofunc_openfd(resmgr_context_t *ctp, io_openfd_t *msg, iofunc_ocb_t *ocb,
                   iofunc_attr_t *attr);
int  iofunc_openfd_default(resmgr_context_t *ctp, io_openfd_t *msg, iofunc_ocb_t *ocb);
int  iofunc_fdinfo(resmgr_context_t *ctp, iofunc_ocb_t *ocb, iofunc_attr_t *attr,
                   struct _fdinfo *info);
int  iofunc_fdinfo_default(resmgr_context_t *ctp, io_fdinfo_t *msg, iofunc_ocb_t *ocb);
int  iofunc_sync_default(resmgr_context_t *ctp, io_sync_t *msg, iofunc_ocb_t *ocb);
int  iofunc_mmap(resmgr_context_t *ctp, io_mmap_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr);
int  iofunc_mmap_default(resmgr_context_t *ctp, io_mmap_t *msg, iofunc_ocb_t *ocb);
int  iofunc_power_default(resmgr_context_t *ctp, io_power_t *msg, iofunc_ocb_t *ocb);
int  iofunc_pathconf(resmgr_context_t *ctp, io_pathconf_t *msg, iofunc_ocb_t *ocb,
                     iofunc_attr_t *attr);
int  iofunc_pathconf_default(resmgr_context_t *ctp, io_pathconf_t *msg, iofunc_ocb_t *ocb);
int  iofunc_lock(resmgr_context_t *ctp, io_lock_t *msg, iofunc_ocb_t *ocb, iofunc_attr_t *attr);
int  iofunc_lock_default(resmgr_context_t *ctp, io_lock_t *msg, iofunc_ocb_t *ocb);
#if _NTO_VERSION >= 800
int  iofunc_check_msg_default(resmgr_context_t const *ctp, resmgr_iomsgs_t const *msg,
                              _Bool combine, iofunc_ocb_t const *ocb);
#endif
int  iofunc_notify(resmgr_context_t *ctp, io_notify_t *msg, iofunc_notify_t *nop,
                   int trig, const int *notifycnts, int *armed);
void iofunc_notify_trigger(iofunc_notify_t *nop, int cnt, int index);
void iofunc_notify_remove(resmgr_context_t *ctp, iofunc_notify_t *nop);

#ifdef __cplusplus
}
#endif
#endif
