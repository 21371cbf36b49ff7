/*
 * qnxhost clean-room <hw/inout.h>: port I/O, written from the public QNX documentation.
 * On QNX the port is a handle from mmap_device_io() (<sys/mman.h>) and the calling
 * thread needs I/O privity (ThreadCtl(_NTO_TCTL_IO)). On the host each port range mapped
 * with mmap_device_io() is a zeroed buffer that tests reach with qh_device_io()
 * (qnxhost/host.h); an access outside every mapped range, or without I/O privity, is
 * counted as a protocol error and reads all ones, as a floating bus would.
 */
#ifndef _QH_HW_INOUT_H_INCLUDED
#define _QH_HW_INOUT_H_INCLUDED

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint8_t  in8(uintptr_t port);
uint16_t in16(uintptr_t port);
uint32_t in32(uintptr_t port);
void     out8(uintptr_t port, uint8_t val);
void     out16(uintptr_t port, uint16_t val);
void     out32(uintptr_t port, uint32_t val);

#ifdef __cplusplus
}
#endif
#endif
