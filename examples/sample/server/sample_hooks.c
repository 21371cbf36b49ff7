/*
 * server/sample_hooks.c: created once by rmgen from ../sample.yaml, then written by hand.
 * This file is yours: rmgen never overwrites it.
 *
 * /dev/sample is a plain 4 KiB buffer: the generated handlers already implement
 * read(), write(), lseek() and O_TRUNC on it. The hooks add the two commands.
 */
#include <errno.h>
#include <string.h>
#include "sample_hooks.h"

int sample_on_init(sample_dev_t *dev)
{
    (void)dev;                                /* the buffer starts empty */
    return EOK;
}

/* SAMPLE_DCMD_GET_INFO: capacity, bytes in use and open file descriptors. */
int sample_on_get_info(sample_dev_t *dev, sample_ocb_t *ocb, sample_info_t *out)
{
    (void)ocb;
    out->capacity = SAMPLE_BUFFER_SIZE;
    out->used = (uint32_t)dev->attr.nbytes;
    out->opens = dev->attr.count;             /* open OCBs, kept by the library */
    return EOK;
}

/* SAMPLE_DCMD_CLEAR: forget the contents, as if truncated. */
int sample_on_clear(sample_dev_t *dev, sample_ocb_t *ocb)
{
    (void)ocb;
    memset(dev->buffer, 0, sizeof dev->buffer);
    dev->attr.nbytes = 0;
    dev->attr.flags |= IOFUNC_ATTR_MTIME | IOFUNC_ATTR_CTIME | IOFUNC_ATTR_DIRTY_SIZE;
    return EOK;
}
