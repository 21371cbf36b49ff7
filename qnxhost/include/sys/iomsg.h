/*
 * qnxhost clean-room <sys/iomsg.h>: the QNX 8.0 I/O message protocol
 * (message types, subtypes, xtypes, flags and the message layouts that a
 * client's libc sends to a resource manager).
 */
#ifndef _QH_SYS_IOMSG_H_INCLUDED
#define _QH_SYS_IOMSG_H_INCLUDED

#include <sys/neutrino.h>
#include <sys/ftype.h>
#include <sys/stat.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define _QH_ANON_UNIONS 1
#endif

/* Message types. */
#define _IO_BASE            0x100
#define _IO_CONNECT         (_IO_BASE + 0x00)
#define _IO_READ            (_IO_BASE + 0x01)
#define _IO_WRITE           (_IO_BASE + 0x02)
#define _IO_RSVD_CLOSE_OCB  (_IO_BASE + 0x03)
#define _IO_STAT            (_IO_BASE + 0x04)
#define _IO_NOTIFY          (_IO_BASE + 0x05)
#define _IO_DEVCTL          (_IO_BASE + 0x06)
#define _IO_RSVD_UNBLOCK    (_IO_BASE + 0x07)
#define _IO_PATHCONF        (_IO_BASE + 0x08)
#define _IO_LSEEK           (_IO_BASE + 0x09)
#define _IO_CHMOD           (_IO_BASE + 0x0A)
#define _IO_CHOWN           (_IO_BASE + 0x0B)
#define _IO_UTIME           (_IO_BASE + 0x0C)
#define _IO_OPENFD          (_IO_BASE + 0x0D)
#define _IO_FDINFO          (_IO_BASE + 0x0E)
#define _IO_LOCK            (_IO_BASE + 0x0F)
#define _IO_SPACE           (_IO_BASE + 0x10)
#define _IO_SHUTDOWN        (_IO_BASE + 0x11)
#define _IO_MMAP            (_IO_BASE + 0x12)
#define _IO_MSG             (_IO_BASE + 0x13)
#if _NTO_VERSION >= 800
#define _IO_RSVD_CHECK_MSG  (_IO_BASE + 0x14)
#else
#define _IO_RSVD            (_IO_BASE + 0x14)
#endif
#define _IO_DUP             (_IO_BASE + 0x15)
#define _IO_CLOSE           (_IO_BASE + 0x16)
#define _IO_RSVD_LOCK_OCB   (_IO_BASE + 0x17)
#define _IO_RSVD_UNLOCK_OCB (_IO_BASE + 0x18)
#define _IO_SYNC            (_IO_BASE + 0x19)
#define _IO_POWER           (_IO_BASE + 0x1A)
#if _NTO_VERSION >= 700
#define _IO_ACL             (_IO_BASE + 0x1B)
#define _IO_RSVD_PAUSE      (_IO_BASE + 0x1C)
#define _IO_RSVD_UNPAUSE    (_IO_BASE + 0x1D)
#define _IO_READ64          (_IO_BASE + 0x1E)
#define _IO_WRITE64         (_IO_BASE + 0x1F)
#define _IO_NOTIFY64        (_IO_BASE + 0x20)
#define _IO_UTIME64         (_IO_BASE + 0x21)
#endif
#define _IO_MAX             (_IO_BASE + 0xFF)

/* combine_len of every part of a combine message but the last: the part's length | flag. */
#define _IO_COMBINE_FLAG    0x8000

/* Private message id base for _IO_MSG mgrid values. */
#define _IOMGR_PRIVATE_BASE 0xF000

/* _IO_CONNECT subtypes. */
#define _IO_CONNECT_COMBINE        0
#define _IO_CONNECT_COMBINE_CLOSE  1
#define _IO_CONNECT_OPEN           2
#define _IO_CONNECT_UNLINK         3
#define _IO_CONNECT_RENAME         4
#define _IO_CONNECT_MKNOD          5
#define _IO_CONNECT_READLINK       6
#define _IO_CONNECT_LINK           7
#define _IO_CONNECT_RSVD_UNBLOCK   8
#define _IO_CONNECT_MOUNT          9

/* _IO_CONNECT extra types. */
#define _IO_CONNECT_EXTRA_NONE         0
#define _IO_CONNECT_EXTRA_SYMLINK      2
#define _IO_CONNECT_EXTRA_RESMGR_LINK  7
#define _IO_CONNECT_EXTRA_LINK         13

/* Read/write extended types and flags. */
#define _IO_XTYPE_NONE        0
#define _IO_XTYPE_READCOND    1
#define _IO_XTYPE_MQUEUE      2
#define _IO_XTYPE_TCPIP       3
#define _IO_XTYPE_TCPIP_MSG   4
#define _IO_XTYPE_OFFSET      5
#define _IO_XTYPE_REGISTRY    6
#if _NTO_VERSION >= 700
#define _IO_XTYPE_TCPIP_MSG2  7
#define _IO_XTYPE_TCPIP_MMSG  8
#define _IO_XTYPE_READDIR     9
#endif
#define _IO_XTYPE_MASK        0x000000FFu
#define _IO_XFLAG_DIR_EXTRA_HINT 0x00000100u
#define _IO_XFLAG_NONBLOCK    0x00004000u
#define _IO_XFLAG_BLOCK       0x00008000u

/* Open mode bits in ioflag (the open() access mode plus one). */
#define _IO_FLAG_RD   0x00000001u
#define _IO_FLAG_WR   0x00000002u
#if _NTO_VERSION >= 800
#define _IO_FLAG_EX   0x00000004u
#define _IO_FLAG_MASK 0x00000007u
#else
#define _IO_FLAG_MASK 0x00000003u
#endif

#define _IO_DEVCTL_VERIFY_MSG_LEN 0x00000400u

/* _IO_CONNECT: open() and the other path-based calls. */
struct _io_connect {
    _Uint16t type;
    _Uint16t subtype;
    _Uint32t file_type;
    _Uint16t reply_max;
    _Uint16t entry_max;
#if _NTO_VERSION >= 800
    _Uint32t reserved;
#else
    _Uint32t key;
#endif
    _Uint32t handle;
    _Uint32t ioflag;
    _Uint32t mode;
    _Uint16t sflag;
    _Uint16t access;
#if _NTO_VERSION >= 800
    _Int16t  dirfd;
#else
    _Uint16t zero;
#endif
    _Uint16t path_len;
    _Uint8t  eflag;
    _Uint8t  extra_type;
    _Uint16t extra_len;
    char     path[1];
};

struct _io_connect_link_reply {
    _Uint32t reserved1;
    _Uint32t file_type;
    _Uint8t  eflag;
    _Uint8t  reserved2;
    _Uint16t chroot_len;
    _Uint32t umask;
    _Uint16t nentries;
    _Uint16t path_len;
};

struct _io_connect_ftype_reply {
    _Uint16t status;
    _Uint16t reserved;
    _Uint32t file_type;
};

struct _io_connect_entry {
    _Uint32t nd;
    _Int32t  pid;
    _Int32t  chid;
    _Uint32t handle;
    _Uint32t reserved;
    _Uint32t file_type;
    _Uint16t prefix_len;
    _Uint16t zero;
    _Uint32t zero2;
};

typedef union {
    struct _io_connect             connect;
    struct _io_connect_link_reply  link_reply;
    struct _io_connect_ftype_reply ftype_reply;
} io_open_t, io_unlink_t, io_rename_t, io_mknod_t, io_readlink_t, io_link_t,
  io_mount_t;

/* Extra data of rename/link/mount (not used by the host runtime). */
typedef union { char path[1]; } io_rename_extra_t, io_link_extra_t;
typedef struct { _Uint32t flags; _Uint32t nbytes; } io_mount_extra_t;

/* 6.x byte counts of read/write are signed; 7.0 made them unsigned (and added 64-bit). */
#if _NTO_VERSION >= 700
#define _QH_NBYTES_T _Uint32t
#else
#define _QH_NBYTES_T _Int32t
#endif

/* _IO_READ / _IO_READ64 */
struct _io_read {
    _Uint16t     type;
    _Uint16t     combine_len;
    _QH_NBYTES_T nbytes;
    _Uint32t     xtype;
    _Uint32t     zero;
};
#if _NTO_VERSION >= 700
struct _io_read64 {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t nbytes;
    _Uint32t xtype;
    _Uint32t nbytes_hi;
};
typedef union {
    struct _io_read   i;
    struct _io_read64 i64;
} io_read_t;
#else
typedef union { struct _io_read i; } io_read_t;
#endif

/* _IO_WRITE / _IO_WRITE64: the data follows the header. */
struct _io_write {
    _Uint16t     type;
    _Uint16t     combine_len;
    _QH_NBYTES_T nbytes;
    _Uint32t     xtype;
    _Uint32t     zero;
};
#if _NTO_VERSION >= 700
struct _io_write64 {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t nbytes;
    _Uint32t xtype;
    _Uint32t nbytes_hi;
};
typedef union {
    struct _io_write   i;
    struct _io_write64 i64;
} io_write_t;
#else
typedef union { struct _io_write i; } io_write_t;
#endif

/* Follows a read/write header whose xtype is _IO_XTYPE_OFFSET (pread/pwrite). */
struct _xtype_offset {
    _Int64t offset;
};

/* _IO_STAT: the reply is the host's struct stat. */
struct _io_stat {
    _Uint16t type;
    _Uint16t combine_len;
#if _NTO_VERSION < 700
    _Uint32t zero;
#elif defined(_QH_ANON_UNIONS)
    union {
        _Uint32t zero;
        _Uint32t format;
    };
#else
    _Uint32t format;
#endif
};
typedef union {
    struct _io_stat i;
    struct stat     o;
} io_stat_t;

/* _IO_NOTIFY */
struct _io_notify {
    _Uint16t                type;
    _Uint16t                combine_len;
    _Int32t                 action;
    _Int32t                 flags;
    struct _qh_qnx_sigevent event;
    _Uint32t                mgr[2];
    _Int32t                 flags_extra_mask;
    _Int32t                 flags_exten;
    _Int32t                 nfds;
    _Int32t                 fd_first;
    _Int32t                 nfds_ready;
    _Int64t                 timo;
};
struct _io_notify_reply {
    _Uint32t                zero;
    _Uint32t                flags;
    _Int32t                 flags2;
    struct _qh_qnx_sigevent event;
    _Uint32t                mgr[2];
    _Int32t                 flags_extra_mask;
    _Int32t                 flags_exten;
    _Int32t                 nfds;
    _Int32t                 fd_first;
    _Int32t                 nfds_ready;
    _Int64t                 timo;
};
typedef union {
    struct _io_notify       i;
    struct _io_notify_reply o;
#if _NTO_VERSION >= 700
    struct _io_notify       i64;
#endif
} io_notify_t;

#define _NOTIFY_ACTION_TRANARM  0x0
#define _NOTIFY_ACTION_CONDARM  0x1
#define _NOTIFY_ACTION_POLL     0x2
#define _NOTIFY_ACTION_POLLARM  0x3
#define _NOTIFY_ACTION_EDGEARM  0x4
#define _NOTIFY_ACTION_MASK     0x7
#define _NOTIFY_COND_MASK       0xF0000000u
#define _NOTIFY_COND_INPUT      0x10000000u
#define _NOTIFY_COND_OUTPUT     0x20000000u
#define _NOTIFY_COND_OBAND      0x40000000u
#define _NOTIFY_COND_EXTEN      0x80000000u
#define _NOTIFY_CONDE_RDNORM    0x00000001u
#define _NOTIFY_CONDE_ERR       0x00000020u
#define _NOTIFY_CONDE_HUP       0x00000040u
#define _NOTIFY_CONDE_NVAL      0x00001000u

/* _IO_DEVCTL: the data follows the header in both directions. */
struct _io_devctl {
    _Uint16t type;
    _Uint16t combine_len;
    _Int32t  dcmd;
    _Uint32t nbytes;
    _Int32t  zero;
};
struct _io_devctl_reply {
    _Uint32t     zero;
    _Int32t      ret_val;
    _QH_NBYTES_T nbytes;
    _Int32t      zero2;
};
typedef union {
    struct _io_devctl       i;
    struct _io_devctl_reply o;
} io_devctl_t;

/* _IO_PATHCONF */
struct _io_pathconf {
    _Uint16t type;
    _Uint16t combine_len;
    _Int16t  name;
    _Uint16t zero;
};
typedef union { struct _io_pathconf i; } io_pathconf_t;

/* _IO_LSEEK: the reply is the new offset. */
struct _io_lseek {
    _Uint16t type;
    _Uint16t combine_len;
    _Int16t  whence;
#if _NTO_VERSION >= 700
    _Uint16t flags;
#else
    _Uint16t zero;
#endif
    _Uint64t offset;
};
typedef union {
    struct _io_lseek i;
    _Uint64t         o;
} io_lseek_t;

/* _IO_CHMOD / _IO_CHOWN */
struct _io_chmod {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t mode;
};
typedef union { struct _io_chmod i; } io_chmod_t;
struct _io_chown {
    _Uint16t type;
    _Uint16t combine_len;
    _Int32t  uid;
    _Int32t  gid;
};
typedef union { struct _io_chown i; } io_chown_t;

/* _IO_UTIME / _IO_UTIME64 */
struct _io_utime {
    _Uint16t type;
    _Uint16t combine_len;
    _Int32t  cur_flag;
    struct { _Uint32t actime; _Uint32t modtime; } times;
};
struct _qh_time64 {
    _Int64t tv_sec;
    _Int64t tv_nsec;
};
#if _NTO_VERSION >= 700
struct _io_utime64 {
    _Uint16t          type;
    _Uint16t          combine_len;
    _Int32t           cur_flag;
    struct _qh_time64 times[2];
};
typedef union {
    struct _io_utime   i;
    struct _io_utime64 i64;
} io_utime_t;
#else
typedef union { struct _io_utime i; } io_utime_t;
#endif

/* _IO_OPENFD / _IO_DUP: name the client's connection (8.0: a header and a handle;
   6.x: the whole message info and a key). */
#if _NTO_VERSION >= 800
#define _QH_DUP_INFO struct _msg_info_hdr info; dupfd_handle_t handle
#else
#define _QH_DUP_INFO struct _msg_info info; _Uint32t reserved; _Uint32t key
#endif
struct _io_openfd {
    _Uint16t             type;
    _Uint16t             combine_len;
    _Uint32t             ioflag;
    _Uint16t             sflag;
    _Uint16t             xtype;
    _QH_DUP_INFO;
};
typedef union { struct _io_openfd i; } io_openfd_t;
struct _io_dup {
    _Uint16t             type;
    _Uint16t             combine_len;
    _QH_DUP_INFO;
};
typedef union { struct _io_dup i; } io_dup_t;

/* _IO_FDINFO */
struct _io_fdinfo {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t flags;
    _Int32t  path_len;
    _Uint32t reserved;
};
struct _fdinfo {
    _Uint32t mode;
    _Uint32t ioflag;
    _Uint64t offset;
    _Uint64t size;
    _Uint32t flags;
    _Uint16t sflag;
    _Uint16t count;
    _Uint16t rcount;
    _Uint16t wcount;
    _Uint16t rlocks;
    _Uint16t wlocks;
    _Uint32t zero[6];
};
typedef union {
    struct _io_fdinfo i;
    struct _fdinfo    o;
} io_fdinfo_t;

/* _IO_LOCK */
struct _io_lock {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t subtype;
    _Int32t  nbytes;
};
typedef union { struct _io_lock i; } io_lock_t;

/* _IO_SPACE */
struct _io_space {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint16t subtype;
    _Int16t  whence;
    _Uint64t start;
    _Uint64t len;
};
typedef union {
    struct _io_space i;
    _Uint64t         o;
} io_space_t;

/* _IO_SHUTDOWN (reserved) */
struct _io_shutdown {
    _Uint16t type;
    _Uint16t combine_len;
};
typedef union { struct _io_shutdown i; } io_shutdown_t;

/* _IO_MMAP */
struct _io_mmap {
    _Uint16t             type;
    _Uint16t             combine_len;
    _Uint32t             prot;
    _Uint64t             offset;
#if _NTO_VERSION >= 800
    struct _msg_info_hdr info;
#else
    struct _msg_info     info;
#endif
    _Uint32t             zero[11];
};
struct _io_mmap_reply {
    _Uint32t zero;
    _Uint32t allowed_prot;   /* the protections the fd allows */
    _Uint64t offset;
    _Int32t  coid;
    _Int32t  fd;
};
typedef union {
    struct _io_mmap       i;
    struct _io_mmap_reply o;
} io_mmap_t;

/* _IO_MSG: a manager-specific message, the payload follows the header. */
struct _io_msg {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint16t mgrid;
    _Uint16t subtype;
};
typedef union { struct _io_msg i; } io_msg_t;

/* _IO_CLOSE */
struct _io_close {
    _Uint16t type;
    _Uint16t combine_len;
};
typedef union { struct _io_close i; } io_close_t;

/* _IO_SYNC */
struct _io_sync {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t flag;
};
typedef union { struct _io_sync i; } io_sync_t;

/* _IO_POWER */
struct _io_power {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t subtype;
    _Uint32t nbytes;
    _Uint32t zero;
};
typedef union { struct _io_power i; } io_power_t;

/* _IO_ACL */
struct _io_acl {
    _Uint16t type;
    _Uint16t combine_len;
    _Uint32t subtype;
    _Uint32t size;
    _Uint32t zero;
};
typedef union { struct _io_acl i; } io_acl_t;

/* A pulse delivered to an unblock handler. */
typedef struct _pulse io_pulse_t;

#ifdef __cplusplus
}
#endif
#endif
