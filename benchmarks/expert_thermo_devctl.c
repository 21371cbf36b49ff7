/*
 * expert_thermo_devctl.c: the thermo driver's devctl handler as an expert writes it by hand,
 * the baseline of benchmarks/bench_handler.py (issue 11).
 *
 * It makes every check the generated handler makes, no more and no less: the library's
 * DCMD_ALL_* commands first, a devctl only as the last part of a combine, the length the
 * client really sent, the fd's open mode per command, every range/enum/NUL rule of
 * examples/thermo.yaml, reply data bounded by ctp->offset, unknown commands ENOTTY. It
 * takes a payload from the receive buffer when all of it arrived there. Linked in place
 * of the generated thermo_io_devctl() (that one is renamed with -D when compiling
 * server/thermo_io.c), with the same hooks and the same runtime.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/neutrino.h>
#include "thermo_hooks.h"

static int limits_ok(const thermo_limits_t *l)
{
    return l->low >= -40000 && l->low <= 125000 && l->high >= -40000 && l->high <= 125000;
}

static int config_ok(const thermo_config_t *c)
{
    return c->rate_hz >= 1u && c->rate_hz <= 1000u && thermo_unit_valid(c->unit) && limits_ok(&c->limits) &&
           memchr(c->label, '\0', sizeof c->label) != NULL;
}

/* Where reply data of size bytes goes: after the header, aligned for its type (a combine
   may start the header anywhere), NULL when the receive buffer has no room for it. */
static void *reply_data(resmgr_context_t *ctp, io_devctl_t *msg, size_t size, uintptr_t align)
{
    uintptr_t at = ((uintptr_t)_DEVCTL_DATA(msg->o) + align - 1u) & ~(align - 1u);
    size_t used = (size_t)(at - (uintptr_t)ctp->msg);

    return used + size <= (size_t)ctp->msg_max_size ? (void *)at : NULL;
}

/* The config payload: in place when it arrived whole, else read from the client. */
static const thermo_config_t *config_in(resmgr_context_t *ctp, io_devctl_t *msg, size_t in_len,
                                        thermo_config_t *copy, int *status)
{
    if (in_len < sizeof *copy) {
        *status = EBADMSG;
        return NULL;
    }
    if ((size_t)ctp->size >= sizeof msg->i + sizeof *copy)
        return (const thermo_config_t *)_DEVCTL_DATA(msg->i);
    if (resmgr_msgread(ctp, copy, sizeof *copy, sizeof msg->i) != (ssize_t)sizeof *copy) {
        *status = EBADMSG;
        return NULL;
    }
    return copy;
}

int thermo_io_devctl(resmgr_context_t *ctp, io_devctl_t *msg, RESMGR_OCB_T *ocb)
{
    thermo_dev_t *dev = ocb->ocb.attr;
    thermo_config_t cfg;
    const thermo_config_t *in;
    void *data = NULL;
    size_t sent, in_len, out_len = 0;
    int status = iofunc_devctl_default(ctp, msg, &ocb->ocb);

    if (status != (int)_RESMGR_DEFAULT)
        return status;
    if (ctp->rcvid == 0)
        return EBADMSG;
    sent = (size_t)ctp->info.srcmsglen >= (size_t)ctp->offset ? (size_t)ctp->info.srcmsglen - (size_t)ctp->offset : 0;
    if (sent < sizeof msg->i)
        return EBADMSG;
    in_len = sent - sizeof msg->i;

    switch ((uint32_t)msg->i.dcmd) {
    case (uint32_t)THERMO_DCMD_GET_SAMPLE:
        if (!(ocb->ocb.ioflag & _IO_FLAG_RD))
            return EPERM;
        if ((data = reply_data(ctp, msg, sizeof(thermo_sample_t), 8u)) == NULL)
            return EMSGSIZE;
        memset(data, 0, sizeof(thermo_sample_t));
        status = thermo_on_get_sample(dev, ocb, data);
        out_len = sizeof(thermo_sample_t);
        break;
    case (uint32_t)THERMO_DCMD_SET_CONFIG:
        if (!(ocb->ocb.ioflag & _IO_FLAG_WR))
            return EPERM;
        if ((in = config_in(ctp, msg, in_len, &cfg, &status)) == NULL)
            return status;
        if (!config_ok(in))
            return EINVAL;
        status = thermo_on_set_config(dev, ocb, in);
        break;
    case (uint32_t)THERMO_DCMD_GET_CONFIG:
        if ((data = reply_data(ctp, msg, sizeof(thermo_config_t), 4u)) == NULL)
            return EMSGSIZE;
        memset(data, 0, sizeof(thermo_config_t));
        status = thermo_on_get_config(dev, ocb, data);
        out_len = sizeof(thermo_config_t);
        break;
    case (uint32_t)THERMO_DCMD_SWAP_CONFIG:
        if ((ocb->ocb.ioflag & (_IO_FLAG_RD | _IO_FLAG_WR)) != (_IO_FLAG_RD | _IO_FLAG_WR))
            return EPERM;
        if ((in = config_in(ctp, msg, in_len, &cfg, &status)) == NULL)
            return status;
        if (in != &cfg)                       /* the reply overwrites the payload in place */
            cfg = *in;
        if (!config_ok(&cfg))
            return EINVAL;
        if ((data = reply_data(ctp, msg, sizeof(thermo_config_t), 4u)) == NULL)
            return EMSGSIZE;
        memset(data, 0, sizeof(thermo_config_t));
        status = thermo_on_swap_config(dev, ocb, &cfg, data);
        out_len = sizeof(thermo_config_t);
        break;
    case (uint32_t)THERMO_DCMD_GET_HISTORY:
        if (!(ocb->ocb.ioflag & _IO_FLAG_RD))
            return EPERM;
        if ((data = reply_data(ctp, msg, sizeof(thermo_history_t), 8u)) == NULL)
            return EMSGSIZE;
        memset(data, 0, sizeof(thermo_history_t));
        status = thermo_on_get_history(dev, ocb, data);
        out_len = sizeof(thermo_history_t);
        break;
    case (uint32_t)THERMO_DCMD_RESET:
        if (!(ocb->ocb.ioflag & _IO_FLAG_WR))
            return EPERM;
        status = thermo_on_reset(dev, ocb);
        break;
    default:
        return ENOTTY;
    }
    if (status != EOK)
        return status;
    memset(&msg->o, 0, sizeof msg->o);
    msg->o.nbytes = (uint32_t)out_len;
    SETIOV(&ctp->iov[0], &msg->o, sizeof msg->o);
    if (out_len == 0)
        return _RESMGR_NPARTS(1);
    SETIOV(&ctp->iov[1], data, out_len);
    return _RESMGR_NPARTS(2);
}
