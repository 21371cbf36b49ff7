/*
 * qnxhost clean-room <sys/dcmd_all.h>: the _DCMD_ALL commands every
 * resource manager answers through iofunc_devctl_default().
 */
#ifndef _QH_SYS_DCMD_ALL_H_INCLUDED
#define _QH_SYS_DCMD_ALL_H_INCLUDED

#include <devctl.h>

/* Argument of DCMD_ALL_FADVISE. */
struct _fadvise {
    int      advice;
    int      spare;
    _Int64t  offset;
    _Int64t  len;
};

#define DCMD_ALL_GETFLAGS      __DIOF(_DCMD_ALL, 1, int)
#define DCMD_ALL_SETFLAGS      __DIOT(_DCMD_ALL, 2, int)
#define DCMD_ALL_GETMOUNTFLAGS __DIOF(_DCMD_ALL, 3, int)
#define DCMD_ALL_GETOWN        __DIOF(_DCMD_ALL, 4, pid_t)
#define DCMD_ALL_SETOWN        __DIOT(_DCMD_ALL, 5, pid_t)
#define DCMD_ALL_FADVISE       __DIOT(_DCMD_ALL, 6, struct _fadvise)

#endif
