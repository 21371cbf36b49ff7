/*
 * qnxhost clean-room <sys/mman.h>: the host's own header plus QNX's device-memory
 * calls. On the host, physical memory is a zeroed buffer per physical address that
 * tests reach with qh_device_memory() (qnxhost/host.h).
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

#ifdef __cplusplus
}
#endif
#endif
