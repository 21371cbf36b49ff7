/*
 * qnxhost clean-room <sys/nto_version.h>: the version of the emulated system.
 * Compile with -DQH_NTO_VERSION=641 for the QNX 6.4.1 flavour (6.x signatures and
 * signedness, resmgr-notes.md §4, fidelity-notes.md §7); the default is 800 (QNX 8.0).
 */
#ifndef _QH_SYS_NTO_VERSION_H_INCLUDED
#define _QH_SYS_NTO_VERSION_H_INCLUDED

#ifndef QH_NTO_VERSION
#define QH_NTO_VERSION 800
#endif
#if QH_NTO_VERSION != 641 && QH_NTO_VERSION != 800
#error "qnxhost emulates QNX 6.4.1 (QH_NTO_VERSION=641) or 8.0 (800)"
#endif

#define _NTO_VERSION QH_NTO_VERSION

#if _NTO_VERSION >= 800
#define _NTO_KERNEL_VERSION_MAJOR   2
#define _NTO_KERNEL_VERSION_MINOR   6
#define _NTO_KERNEL_VERSION_PATCH   0
#endif

#endif
