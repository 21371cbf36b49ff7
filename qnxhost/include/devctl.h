/*
 * qnxhost clean-room <devctl.h>: QNX devctl() command encoding
 * (bit 31 = data to the server, bit 30 = data from the server, bits 16-29 =
 * payload size, 8-15 = class, 0-7 = command) and the client calls.
 */
#ifndef _QH_DEVCTL_H_INCLUDED
#define _QH_DEVCTL_H_INCLUDED

#include <sys/neutrino.h>

#ifdef __cplusplus
extern "C" {
#endif

#define _POSIX_DEVDIR_NONE   0u
#define _POSIX_DEVDIR_TO     0x80000000u
#define _POSIX_DEVDIR_FROM   0x40000000u
#define _POSIX_DEVDIR_TOFROM (_POSIX_DEVDIR_TO | _POSIX_DEVDIR_FROM)
#define _POSIX_DEVDIR_CMD_MASK 0x0000FFFFu

#define DEVDIR_NONE   _POSIX_DEVDIR_NONE
#define DEVDIR_TO     _POSIX_DEVDIR_TO
#define DEVDIR_FROM   _POSIX_DEVDIR_FROM
#define DEVDIR_TOFROM _POSIX_DEVDIR_TOFROM
#define DEVDIR_CMD_MASK _POSIX_DEVDIR_CMD_MASK

/* Command classes. */
#define _DCMD_ALL       0x01
#define _DCMD_FSYS      0x02
#define _DCMD_BLK       _DCMD_FSYS
#define _DCMD_CHR       0x03
#define _DCMD_NET       0x04
#define _DCMD_MISC      0x05
#define _DCMD_IP        0x06
#define _DCMD_MIXER     0x07
#define _DCMD_PROC      0x08
#define _DCMD_MEM       0x09
#define _DCMD_INPUT     0x0A
#define _DCMD_PHOTON    0x0B
#define _DCMD_CAM       0x0C
#define _DCMD_USB       0x0D
#define _DCMD_MEDIA     0x0E
#define _DCMD_CAM_SIM   0x0F
#define _DCMD_MEMCLASS  0x10
#define _DCMD_PARTITION 0x11
#define _DCMD_FSEVMGR   0x12

/* Build a command from class, number, payload size and direction: an int in 8.0; in
   6.x the sum with sizeof() is unsigned (the 32-bit size_t), __DION an int. */
#define _QH_DIO(_class, _cmd, _size, _dir) \
    ((unsigned)(_dir) + ((unsigned)(_size) << 16) + ((unsigned)(_class) << 8) + (unsigned)(_cmd))
#if _NTO_VERSION >= 800
#define __DIO_RAW(_class, _cmd, _size, _dir) ((int)_QH_DIO(_class, _cmd, _size, _dir))
#define __DION(_class, _cmd)        __DIO_RAW(_class, _cmd, 0, DEVDIR_NONE)
#define __DIOF(_class, _cmd, _data) __DIO_RAW(_class, _cmd, sizeof(_data), DEVDIR_FROM)
#define __DIOT(_class, _cmd, _data) __DIO_RAW(_class, _cmd, sizeof(_data), DEVDIR_TO)
#define __DIOTF(_class, _cmd, _data) __DIO_RAW(_class, _cmd, sizeof(_data), DEVDIR_TOFROM)
#else
#define __DION(_class, _cmd)        ((int)_QH_DIO(_class, _cmd, 0, DEVDIR_NONE))
#define __DIOF(_class, _cmd, _data) _QH_DIO(_class, _cmd, sizeof(_data), DEVDIR_FROM)
#define __DIOT(_class, _cmd, _data) _QH_DIO(_class, _cmd, sizeof(_data), DEVDIR_TO)
#define __DIOTF(_class, _cmd, _data) _QH_DIO(_class, _cmd, sizeof(_data), DEVDIR_TOFROM)
#endif

#define get_device_command(_cmd)   ((unsigned)(_cmd) & DEVDIR_CMD_MASK)
#define get_device_direction(_cmd) ((unsigned)(_cmd) & DEVDIR_TOFROM)
#if _NTO_VERSION >= 800
#define get_device_size(_cmd)      (((unsigned)(_cmd) & ~DEVDIR_TOFROM) >> 16)
#endif

/* Address of the data that follows a devctl message header. */
#define _DEVCTL_DATA(_msg) ((void *)(sizeof(_msg) + (char *)&(_msg)))

/* Both return EOK or an errno value; errno is left alone. */
int devctl(int fd, int dcmd, void *dev_data_ptr, size_t n_bytes, int *dev_info_ptr);
int devctlv(int fd, int dcmd, int sparts, int rparts, const iov_t *sv,
            const iov_t *rv, int *dev_info_ptr);
#if _NTO_VERSION >= 800
#define posix_devctl devctl
#endif

#ifdef __cplusplus
}
#endif
#endif
