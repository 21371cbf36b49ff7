/*
 * Device logic of the can server: CAN controller with receive and transmit mailboxes.
 *
 * Hand-written (rmgen never overwrites this file). One process serves eight paths,
 * /dev/can1/rx0..rx3 and /dev/can1/tx0..tx3; every hook finds its mailbox through the
 * open file's path (ocb->ocb.attr: role and index). All hooks run with the device
 * locked, so the queues, statistics and registers need no lock of their own.
 *
 * The controller's registers (a window of 32-bit registers, see the REG_* offsets):
 * the receive interrupt leaves one frame in RX_ID, RX_CTRL, RX_DATA0/1 and RX_TIME, which
 * can_on_irq_rx() moves into the first rx mailbox that accepts its id, then
 * acknowledges with RX_ACK. A tx mailbox's oldest frame is loaded into its transmit
 * slot (TX_SLOT(i)) and requested with bit i of TX_REQ; the transmit interrupt sets
 * bit i of TX_DONE for each slot sent, and can_on_irq_tx() drops those frames, loads
 * the next and wakes writers held on a full mailbox.
 */
#include <errno.h>
#include <string.h>
#include "can_hooks.h"

#define REG_RX_ID       0x00u   /* received identifier */
#define REG_RX_CTRL     0x04u   /* bits 0-3: dlc, bit 4: extended identifier */
#define REG_RX_DATA0    0x08u   /* data bytes 0..3, little-endian */
#define REG_RX_DATA1    0x0cu   /* data bytes 4..7 */
#define REG_RX_TIME     0x10u   /* time stamp */
#define REG_RX_ACK      0x14u   /* write 1: the receive registers are free again */
#define REG_TX_REQ      0x20u   /* bit i: send the frame in transmit slot i */
#define REG_TX_DONE     0x24u   /* bit i: slot i was sent (write the bits back to clear) */
#define REG_BITRATE     0x28u
#define REG_MODE        0x2cu
#define TX_SLOT(i)      (0x40u + 0x10u * (i))  /* id, ctrl, data0, data1 of slot i */

#define CTRL_DLC_MASK   0x0fu
#define CTRL_EXTENDED   0x10u
#define FLAG_EXTENDED   0x01u       /* CANIF_FRAME.flags: a 29-bit identifier */
#define MAX_STD_ID      0x7ffu      /* 11-bit identifiers */
#define MAX_EXT_ID      0x1fffffffu /* 29-bit identifiers */
#define MAX_DLC         8u
#define QUEUE_LEN       (sizeof ((can_queue_t *)0)->frames / sizeof(CANIF_FRAME))
#define TX_BOX_BASE     CAN_RX_COUNT  /* dev->boxes: rx0..rx3, then tx0..tx3 */

/* The mailbox queue of the path an open file was opened on. */
static can_queue_t *mailbox_of(can_dev_t *dev, const can_path_t *path)
{
    return path->role == CAN_ROLE_RX ? &dev->rx[path->index] : &dev->tx[path->index];
}

static const can_path_t *path_of(const can_ocb_t *ocb)
{
    return ocb->ocb.attr;
}

/* A frame a client wrote is one the controller can send. */
static int frame_valid(const CANIF_FRAME *f)
{
    if (f->dlc > MAX_DLC || (f->flags & ~FLAG_EXTENDED) != 0)
        return 0;
    return f->id <= ((f->flags & FLAG_EXTENDED) ? MAX_EXT_ID : MAX_STD_ID);
}

static int queue_push(can_queue_t *q, const CANIF_FRAME *f)
{
    if (q->count == QUEUE_LEN)
        return 0;
    q->frames[(q->head + q->count) % QUEUE_LEN] = *f;
    q->count++;
    return 1;
}

static void queue_pop(can_queue_t *q, CANIF_FRAME *f)
{
    if (f != NULL)
        *f = q->frames[q->head];
    q->head = (uint8_t)((q->head + 1u) % QUEUE_LEN);
    q->count--;
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_le32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* Load tx mailbox i's oldest frame into its transmit slot and request it. */
static void tx_start(can_dev_t *dev, unsigned i)
{
    const CANIF_FRAME *f = &dev->tx[i].frames[dev->tx[i].head];

    can_regs_write32(dev, TX_SLOT(i), f->id);
    can_regs_write32(dev, TX_SLOT(i) + 4u, f->dlc | ((f->flags & FLAG_EXTENDED) ? CTRL_EXTENDED : 0u));
    can_regs_write32(dev, TX_SLOT(i) + 8u, le32(f->data));
    can_regs_write32(dev, TX_SLOT(i) + 12u, le32(f->data + 4));
    can_regs_write32(dev, REG_TX_REQ, can_regs_read32(dev, REG_TX_REQ) | 1u << i);
}

/* Queue a frame on a tx mailbox (starting it when the mailbox was idle); 0 when full. */
static int tx_queue(can_dev_t *dev, const can_path_t *path, const CANIF_FRAME *in)
{
    can_queue_t *q = &dev->tx[path->index];

    if (!queue_push(q, in)) {
        dev->stats.bus_off++;                 /* counts writes that found the mailbox full */
        return 0;
    }
    if (q->count == 1)
        tx_start(dev, path->index);
    return 1;
}

int can_on_init(can_dev_t *dev)
{
    can_regs_write32(dev, REG_BITRATE, dev->bitrate);
    can_regs_write32(dev, REG_MODE, dev->mode);
    return EOK;
}

/* rx paths only (the generated code refuses read() elsewhere): whole frames, oldest first. */
int can_on_read(can_dev_t *dev, can_ocb_t *ocb, void *buf, size_t nbytes, size_t *done)
{
    can_queue_t *q = mailbox_of(dev, path_of(ocb));
    size_t n = 0;

    if (q->count == 0)
        return EAGAIN;                        /* the reader waits for can_data_ready() */
    if (nbytes < sizeof(CANIF_FRAME))         /* frames are never split */
        return EINVAL;
    while (q->count > 0 && (n + 1) * sizeof(CANIF_FRAME) <= nbytes) {
        queue_pop(q, (CANIF_FRAME *)buf + n);
        n++;
    }
    *done = n * sizeof(CANIF_FRAME);
    return EOK;
}

/* tx paths only: whole valid frames; a full mailbox takes nothing (EAGAIN: held). */
int can_on_write(can_dev_t *dev, can_ocb_t *ocb, const void *buf, size_t nbytes, size_t *done)
{
    size_t n = 0;

    if (nbytes < sizeof(CANIF_FRAME) || nbytes % sizeof(CANIF_FRAME) != 0)
        return EINVAL;
    while ((n + 1) * sizeof(CANIF_FRAME) <= nbytes) {
        CANIF_FRAME f;
        memcpy(&f, (const char *)buf + n * sizeof f, sizeof f);  /* buf has no alignment */
        if (!frame_valid(&f)) {               /* a bad frame ends the write */
            if (n == 0)
                return EINVAL;
            break;
        }
        if (!tx_queue(dev, path_of(ocb), &f))
            break;                            /* the mailbox is full */
        n++;
    }
    *done = n * sizeof(CANIF_FRAME);
    return n > 0 ? EOK : EAGAIN;
}

size_t can_on_readable(const can_dev_t *dev, const can_path_t *path)
{
    return path->role == CAN_ROLE_RX ? dev->rx[path->index].count * sizeof(CANIF_FRAME) : 0;
}

size_t can_on_writable(const can_dev_t *dev, const can_path_t *path)
{
    if (path->role != CAN_ROLE_TX)
        return 0;
    return (QUEUE_LEN - dev->tx[path->index].count) * sizeof(CANIF_FRAME);
}

int can_on_get_bitrate(can_dev_t *dev, can_ocb_t *ocb, uint32_t *out)
{
    (void)ocb;
    *out = dev->bitrate;
    return EOK;
}

int can_on_set_bitrate(can_dev_t *dev, can_ocb_t *ocb, const uint32_t *in)
{
    (void)ocb;
    if (*in == 0)                             /* no divider gives 0 bit/s */
        return EINVAL;
    dev->bitrate = *in;                       /* the controller runs at the nearest it can */
    can_regs_write32(dev, REG_BITRATE, *in);
    return EOK;
}

int can_on_get_mode(can_dev_t *dev, can_ocb_t *ocb, canif_mode_t *out)
{
    (void)ocb;
    *out = dev->mode;
    return EOK;
}

int can_on_set_mode(can_dev_t *dev, can_ocb_t *ocb, const canif_mode_t *in)
{
    (void)ocb;
    dev->mode = *in;                          /* a canif_mode_t value: checked by the generated code */
    can_regs_write32(dev, REG_MODE, *in);
    return EOK;
}

int can_on_swap_mode(can_dev_t *dev, can_ocb_t *ocb, const canif_mode_t *in, canif_mode_t *out)
{
    canif_mode_t old = dev->mode;             /* in and out may share the receive buffer */

    can_on_set_mode(dev, ocb, in);
    *out = old;
    return EOK;
}

int can_on_get_stats(can_dev_t *dev, can_ocb_t *ocb, canif_stats_t *out)
{
    (void)ocb;
    *out = dev->stats;
    return EOK;
}

int can_on_reset(can_dev_t *dev, can_ocb_t *ocb)
{
    (void)ocb;
    memset(dev->rx, 0, sizeof dev->rx);
    memset(dev->tx, 0, sizeof dev->tx);
    memset(&dev->stats, 0, sizeof dev->stats);
    can_regs_write32(dev, REG_TX_REQ, 0);     /* nothing left to send */
    can_room_ready(dev);                      /* held writers find room again */
    return EOK;
}

/* Each mailbox's identifier: dev->boxes holds rx0..rx3, then tx0..tx3. */
static can_mailbox_t *box_of(can_dev_t *dev, const can_path_t *path)
{
    return &dev->boxes[(path->role == CAN_ROLE_TX ? TX_BOX_BASE : 0u) + path->index];
}

int can_on_get_mailbox(can_dev_t *dev, can_ocb_t *ocb, can_mailbox_t *out)
{
    *out = *box_of(dev, path_of(ocb));
    return EOK;
}

int can_on_set_mailbox(can_dev_t *dev, can_ocb_t *ocb, const can_mailbox_t *in)
{
    *box_of(dev, path_of(ocb)) = *in;         /* rx: mask 0 accepts any frame */
    return EOK;
}

/* Held (by the generated code) while it says EAGAIN; can_rx_frame_ready() asks again. */
int can_on_rx_frame(can_dev_t *dev, can_ocb_t *ocb, CANIF_FRAME *out)
{
    can_queue_t *q = mailbox_of(dev, path_of(ocb));

    if (q->count == 0)
        return EAGAIN;                        /* no frame yet: the command waits */
    queue_pop(q, out);
    return EOK;
}

int can_on_tx_frame(can_dev_t *dev, can_ocb_t *ocb, const CANIF_FRAME *in)
{
    if (!frame_valid(in))                     /* id width and flags (dlc, id range: checked already) */
        return EINVAL;
    return tx_queue(dev, path_of(ocb), in) ? EOK : EAGAIN;
}

int can_on_rx_pending(can_dev_t *dev, can_ocb_t *ocb, uint32_t *out)
{
    *out = mailbox_of(dev, path_of(ocb))->count;
    return EOK;
}

/* The rx mailbox for a frame with this id: the first whose filter (mask nonzero) matches
   it, else the first accepting any frame (mask 0) that has room; -1 if none. */
static int rx_mailbox_for(const can_dev_t *dev, uint32_t id)
{
    int any = -1;

    for (unsigned i = 0; i < CAN_RX_COUNT; i++) {
        const can_mailbox_t *b = &dev->boxes[i];
        if (b->mask != 0 && (id & b->mask) == (b->id & b->mask))
            return (int)i;
        if (b->mask == 0 && any < 0 && dev->rx[i].count < QUEUE_LEN)
            any = (int)i;
    }
    return any;
}

int can_on_irq_rx(can_dev_t *dev)
{
    CANIF_FRAME f;
    uint32_t ctrl = can_regs_read32(dev, REG_RX_CTRL);
    uint32_t dlc = ctrl & CTRL_DLC_MASK;
    int box;

    memset(&f, 0, sizeof f);
    f.id = can_regs_read32(dev, REG_RX_ID) & MAX_EXT_ID;
    f.dlc = (uint8_t)(dlc > MAX_DLC ? MAX_DLC : dlc);
    f.flags = (ctrl & CTRL_EXTENDED) ? FLAG_EXTENDED : 0u;
    put_le32(f.data, can_regs_read32(dev, REG_RX_DATA0));
    put_le32(f.data + 4, can_regs_read32(dev, REG_RX_DATA1));
    f.timestamp = can_regs_read32(dev, REG_RX_TIME);
    can_regs_write32(dev, REG_RX_ACK, 1u);    /* the registers may take the next frame */
    box = rx_mailbox_for(dev, f.id);
    if (box < 0 || !queue_push(&dev->rx[box], &f)) {
        dev->stats.errors++;                  /* nobody listens for it, or its mailbox is full */
        return EOK;
    }
    dev->stats.rx_frames++;
    can_rx_frame_ready(dev);                  /* rx_frame commands held on that mailbox */
    can_data_ready(dev);                      /* held readers of that mailbox, select() */
    return EOK;
}

int can_on_irq_tx(can_dev_t *dev)
{
    uint32_t sent = can_regs_read32(dev, REG_TX_DONE);

    can_regs_write32(dev, REG_TX_DONE, sent); /* acknowledge what we handle */
    for (unsigned i = 0; i < CAN_TX_COUNT; i++) {
        if ((sent & (1u << i)) == 0 || dev->tx[i].count == 0)
            continue;
        can_regs_write32(dev, REG_TX_REQ, can_regs_read32(dev, REG_TX_REQ) & ~(1u << i));
        queue_pop(&dev->tx[i], NULL);
        dev->stats.tx_frames++;
        if (dev->tx[i].count > 0)
            tx_start(dev, i);
    }
    can_room_ready(dev);                      /* writers held on a full mailbox, select() */
    return EOK;
}
