/*
 * qnxhost clean-room <sys/ftype.h>: the QNX file types passed to
 * resmgr_attach() (values from the 8.0 ABI figures).
 */
#ifndef _QH_SYS_FTYPE_H_INCLUDED
#define _QH_SYS_FTYPE_H_INCLUDED

enum _file_type {
    _FTYPE_ANY     = 0,
    _FTYPE_FILE    = 1,
    _FTYPE_LINK    = 2,
    _FTYPE_SYMLINK = 3,
    _FTYPE_PIPE    = 4,
    _FTYPE_SHMEM   = 5,
    _FTYPE_MQUEUE  = 6,
    _FTYPE_SOCKET  = 7,
    _FTYPE_SEM     = 8,
    _FTYPE_PHOTON  = 9,
    _FTYPE_DUMPER  = 10,
    _FTYPE_MOUNT   = 11,
    _FTYPE_NAME    = 12,
    _FTYPE_TYMEM   = 13
};

#endif
