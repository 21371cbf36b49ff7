/*
 * fuzz_iomsg.c: libFuzzer harness that sends hand-built QNX io messages to a resource
 * manager running in-process on the qnxhost runtime.
 *
 * The driver's server main() is compiled as FUZZ_SERVER_MAIN (e.g. thermo_server_main, with
 * -Dmain=thermo_server_main, as a generated host.mk does) and started once on its own thread;
 * the device at FUZZ_PATH is opened once. Every input is one message:
 *
 *   byte 0       kind (modulo KIND_COUNT, see enum below)
 *   bytes 1..    kind-specific header fields, then the payload (the rest of the input)
 *
 * and is sent raw with MsgSend() on the open fd, so the server sees whatever header and
 * length the input describes (short headers, nbytes larger than what was sent, unknown
 * dcmds, odd xtypes, offsets and whence values, ...). The driver's own devctl commands come
 * from FUZZ_DCMDS_H, a header holding FUZZ_DCMD(<value>) lines (made by the Makefile from
 * the driver's public header), so most devctls hit a real handler.
 *
 * After every message the runtime's protocol error count must still be 0 (a double reply,
 * a reply with too many parts, a negative status, a never-replied message): otherwise the
 * harness aborts, and libFuzzer saves the input as a crash.
 *
 * The driver keeps its state between inputs (it is started once); a crash found after
 * many inputs may therefore need the inputs before it: rerun with the crash file alone
 * first, it usually reproduces.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/neutrino.h>
#include <sys/iomsg.h>
#include <sys/dcmd_all.h>
#include <devctl.h>
#include <qnxhost/host.h>
#ifdef FUZZ_PUBLIC_H
#include FUZZ_PUBLIC_H   /* the driver's public header: its DCMD macros */
#endif

#ifndef FUZZ_SERVER_MAIN
#error "define FUZZ_SERVER_MAIN, the driver's renamed main(), e.g. -DFUZZ_SERVER_MAIN=thermo_server_main"
#endif
#ifndef FUZZ_PATH
#define FUZZ_PATH "/dev/qnxhost-fuzz"
#endif

int FUZZ_SERVER_MAIN(int argc, char *argv[]);

static const int32_t dcmds[] = {
#ifdef FUZZ_DCMDS_H
#define FUZZ_DCMD(v) (int32_t)(v),
#include FUZZ_DCMDS_H
#undef FUZZ_DCMD
#endif
    /* the generic commands iofunc_devctl_default answers */
    (int32_t)DCMD_ALL_GETFLAGS, (int32_t)DCMD_ALL_SETFLAGS, (int32_t)DCMD_ALL_GETMOUNTFLAGS,
};
#define NDCMDS (sizeof dcmds / sizeof dcmds[0])

enum kind {
    K_DEVCTL,       /* a known dcmd; nbytes = payload length, or from the input */
    K_DEVCTL_RAW,   /* dcmd and nbytes from the input */
    K_WRITE,        /* io_write header (+ optional xtype offset) and data */
    K_READ,         /* io_read header (+ optional xtype offset) */
    K_LSEEK,        /* io_lseek with any whence and offset */
    K_STAT,         /* io_stat */
    K_REOPEN,       /* close the fd and open the device again with an access mode */
    K_RAW,          /* the rest of the input, as is: any type, any length */
    KIND_COUNT
};

#define MSG_MAX   (64 * 1024)
static unsigned char msg[MSG_MAX + 64];
static unsigned char reply[MSG_MAX];
static int fd = -1;

/* A cursor over the input: fields are taken little-endian, zeros once it runs out. */
struct in {
    const uint8_t *p;
    size_t n;
};

static uint32_t take(struct in *in, size_t bytes)   /* bytes <= 4 */
{
    uint32_t v = 0;

    for (size_t i = 0; i < bytes; i++) {
        if (in->n) {
            v |= (uint32_t)in->p[0] << (8 * i);
            in->p++;
            in->n--;
        }
    }
    return v;
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_iomsg: %s (errno %d: %s)\n", what, errno, strerror(errno));
    abort();
}

static void open_device(int oflag)
{
    fd = qh_open(FUZZ_PATH, oflag);
    if (fd < 0)
        die("cannot open " FUZZ_PATH);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char *server_argv[] = { "fuzz-server", "-p", FUZZ_PATH, NULL };

    (void)argc;
    (void)argv;
    /* A message the driver never answers fails in 2 s instead of 10 (and is a protocol error). */
    setenv("QH_SEND_TIMEOUT_MS", "2000", 0);
    if (qh_server_start(FUZZ_SERVER_MAIN, 3, server_argv) != 0)
        die("qh_server_start");
    open_device(O_RDWR);
    return 0;
}

/* Copy the rest of the input after a header of hlen bytes; returns the message length. */
static size_t with_payload(size_t hlen, struct in *in)
{
    size_t n = in->n > MSG_MAX - hlen ? MSG_MAX - hlen : in->n;

    memcpy(msg + hlen, in->p, n);
    return hlen + n;
}

/* Send a message; the reply buffer size is the one the input chose. */
static void send_msg(size_t len, size_t rbytes)
{
    long r = MsgSend(fd, msg, len, reply, rbytes > sizeof reply ? sizeof reply : rbytes);

    if (r == -1 && errno == EBADF) {
        /* a raw _IO_CLOSE ended the binding under the fd: start over with a new one */
        qh_close(fd);
        open_device(O_RDWR);
    }
}

static uint16_t rw_xtype(uint32_t sel)
{
    switch (sel & 3) {
    case 0: return _IO_XTYPE_NONE;
    case 1: return _IO_XTYPE_OFFSET;
    case 2: return (uint16_t)(sel >> 2);   /* anything */
    default: return (uint16_t)(0x100u << (sel >> 2 & 7));   /* a flag bit above the type */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = { data, size };
    size_t len = 0;
    size_t rbytes;

    if (size == 0)
        return 0;
    memset(msg, 0, 64);
    enum kind kind = (enum kind)(take(&in, 1) % KIND_COUNT);
    rbytes = take(&in, 2);   /* 0 .. 65535 reply bytes */

    switch (kind) {
    case K_DEVCTL:
    case K_DEVCTL_RAW: {
        struct _io_devctl *h = (struct _io_devctl *)msg;
        uint32_t sel = take(&in, 1);

        h->type = _IO_DEVCTL;
        if (kind == K_DEVCTL) {
            h->dcmd = dcmds[sel % NDCMDS];
            len = with_payload(sizeof *h, &in);
            h->nbytes = (uint32_t)(len - sizeof *h);
            if (sel & 0x80)                      /* sometimes claim a different size */
                h->nbytes = (uint32_t)get_device_size(h->dcmd) + (sel & 0x40 ? 1u : 0u);
        } else {
            h->dcmd = (int32_t)take(&in, 4);
            h->nbytes = take(&in, 4);
            h->zero = (int32_t)take(&in, 1);
            h->combine_len = (uint16_t)take(&in, 1);
            len = with_payload(sizeof *h, &in);
        }
        break;
    }
    case K_WRITE: {
        struct _io_write *h = (struct _io_write *)msg;
        uint32_t sel = take(&in, 2);
        size_t hlen = sizeof *h;

        h->type = _IO_WRITE;
        h->xtype = rw_xtype(sel);
        if ((h->xtype & 0xff) == _IO_XTYPE_OFFSET) {
            int64_t off = (int64_t)take(&in, 4) - (sel & 0x8000 ? 0x80000000ll : 0);
            memcpy(msg + hlen, &off, sizeof off);
            hlen += sizeof(struct _xtype_offset);
        }
        len = with_payload(hlen, &in);
        h->nbytes = (uint32_t)(len - hlen);
        if (sel & 0x4000)
            h->nbytes = take(&in, 4);   /* claim any length */
        break;
    }
    case K_READ: {
        struct _io_read *h = (struct _io_read *)msg;
        uint32_t sel = take(&in, 2);

        h->type = _IO_READ;
        h->xtype = rw_xtype(sel);
        h->nbytes = take(&in, 4);
        len = sizeof *h;
        if ((h->xtype & 0xff) == _IO_XTYPE_OFFSET) {
            int64_t off = (int64_t)((uint64_t)take(&in, 4) | (uint64_t)take(&in, 4) << 32);
            memcpy(msg + len, &off, sizeof off);
            len += sizeof(struct _xtype_offset);
        }
        break;
    }
    case K_LSEEK: {
        struct _io_lseek *h = (struct _io_lseek *)msg;

        h->type = _IO_LSEEK;
        h->whence = (int16_t)take(&in, 2);
        h->flags = (uint16_t)take(&in, 1);
        h->offset = ((uint64_t)take(&in, 4) | (uint64_t)take(&in, 4) << 32);
        len = sizeof *h;
        break;
    }
    case K_STAT: {
        struct _io_stat *h = (struct _io_stat *)msg;

        h->type = _IO_STAT;
        len = sizeof *h;
        break;
    }
    case K_REOPEN: {
        static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
        uint32_t sel = take(&in, 1);

        /* EBADF: a raw _IO_CLOSE already ended the binding (the fd is freed either way) */
        if (qh_close(fd) != 0 && errno != EBADF)
            die("close");
        open_device(modes[sel % 3] | (sel & 0x10 ? O_NONBLOCK : 0));
        break;
    }
    case K_RAW:
        len = with_payload(0, &in);
        break;
    case KIND_COUNT:
        break;
    }
    /* Cut the message short sometimes: headers the server must not read past. */
    if (len && size > 3 && (data[size - 1] & 0xF0) == 0xF0 && len > (size_t)(data[size - 1] & 0x0F))
        len -= (size_t)(data[size - 1] & 0x0F) + 1;
    if (len)
        send_msg(len, rbytes);

    if (qh_protocol_errors() != 0) {
        fprintf(stderr, "fuzz_iomsg: the driver made a protocol error (kind %d)\n", (int)kind);
        abort();
    }
    return 0;
}
