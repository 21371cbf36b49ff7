/*
 * qnxhost clean-room <sys/dcmd_misc.h>: the _DCMD_MISC class, the class QNX
 * recommends for commands of third-party resource managers.
 */
#ifndef _QH_SYS_DCMD_MISC_H_INCLUDED
#define _QH_SYS_DCMD_MISC_H_INCLUDED

#include <devctl.h>

#endif
