/*
 * fuzz_dict.c: prints a libFuzzer dictionary for fuzz_iomsg.c: the driver's dcmd values
 * (FUZZ_DCMDS_H, little-endian int32 as they sit in an io_devctl header) and the io
 * message types (little-endian uint16). Built and run on the host by `make fuzz-run`.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/iomsg.h>
#include <sys/dcmd_all.h>
#include <devctl.h>
#ifdef FUZZ_PUBLIC_H
#include FUZZ_PUBLIC_H
#endif

static void entry(const char *name, uint32_t v, int bytes)
{
    printf("%s=\"", name);
    for (int i = 0; i < bytes; i++)
        printf("\\x%02X", (unsigned)(v >> (8 * i)) & 0xFFu);
    printf("\"\n");
}

int main(void)
{
#ifdef FUZZ_DCMDS_H
#define FUZZ_DCMD(v) entry(#v, (uint32_t)(v), 4);
#include FUZZ_DCMDS_H
#undef FUZZ_DCMD
#endif
    entry("DCMD_ALL_GETFLAGS", (uint32_t)DCMD_ALL_GETFLAGS, 4);
    entry("DCMD_ALL_SETFLAGS", (uint32_t)DCMD_ALL_SETFLAGS, 4);
    entry("IO_READ", _IO_READ, 2);
    entry("IO_WRITE", _IO_WRITE, 2);
    entry("IO_STAT", _IO_STAT, 2);
    entry("IO_DEVCTL", _IO_DEVCTL, 2);
    entry("IO_LSEEK", _IO_LSEEK, 2);
    entry("IO_CLOSE", _IO_CLOSE, 2);
    entry("IO_CONNECT", _IO_CONNECT, 2);
    entry("IO_NOTIFY", _IO_NOTIFY, 2);
    entry("IO_XTYPE_OFFSET", _IO_XTYPE_OFFSET, 4);
    return 0;
}
