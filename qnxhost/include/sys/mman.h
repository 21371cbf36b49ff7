/*
 * qnxhost clean-room <sys/mman.h>: the host's own header plus QNX's device-memory
 * and port I/O calls. On the host, physical memory is a zeroed buffer per physical address
 * that tests reach with qh_device_memory(), and port I/O likewise with qh_device_io()
 * (qnxhost/host.h).
 */
#ifndef _QH_SYS_MMAN_H_INCLUDED
#define _QH_SYS_MMAN_H_INCLUDED

#include_next <sys/mman.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Uncached mapping (device registers). The value is the host's choice. */
#ifndef PROT_NOCACHE
#define PROT_NOCACHE 0x0800
#endif

void *mmap_device_memory(void *addr, size_t len, int prot, int flags, uint64_t physical);
int   munmap_device_memory(void *addr, size_t len);

/* Port I/O: a handle for the in*()/out*() calls of <hw/inout.h>, or MAP_DEVICE_FAILED. */
#define MAP_DEVICE_FAILED ((uintptr_t)MAP_FAILED)
uintptr_t mmap_device_io(size_t len, uint64_t io);
int       munmap_device_io(uintptr_t io, size_t len);

#ifdef __cplusplus
}
#endif
#endif
