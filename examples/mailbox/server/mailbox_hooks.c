/*
 * server/mailbox_hooks.c: created once by rmgen 0.1.0 from ../mailbox.yaml.
 * This file is yours: rmgen never overwrites it. Fill in the device logic here.
 * When the spec gains hooks, rmgen names the missing ones and the stubs to copy.
 */

/*
 * Device logic of the mailbox server: Inter-processor mailbox with sixteen letter slots.
 * Each hook returns EOK or an errno value; see mailbox_hooks.h. Letters live in
 * dev->slots; dev->status.full_mask says which slots hold one. The generated handlers
 * have checked open modes, privileges (purge, set_lock, reset_counters) and every
 * field (slot <= 15, length <= 60, urgent 0 or 1) before these run, device locked.
 */
#include <errno.h>
#include <string.h>
#include "mailbox_hooks.h"

/* Called once before the path is attached: the mailbox starts empty and unlocked
   (init_state() zeroed the device). */
int mailbox_on_init(mailbox_dev_t *dev)
{
    (void)dev;
    return EOK;
}

/* devctl get_status: what the mailbox holds (the generated stub's state binding). */
int mailbox_on_get_status(mailbox_dev_t *dev, mailbox_ocb_t *ocb, mailbox_box_status_t *out)
{
    (void)ocb;
    memcpy(out, &dev->status, sizeof dev->status);
    return EOK;
}

/* devctl set_lock (privileged): while locked, posting fails with EBUSY. */
int mailbox_on_set_lock(mailbox_dev_t *dev, mailbox_ocb_t *ocb, const uint8_t *in)
{
    (void)ocb;
    dev->status.locked = *in;                 /* 0 or 1: checked by the generated handler */
    return EOK;
}

/* devctl reset_counters (privileged): zero the posted and fetched counters. */
int mailbox_on_reset_counters(mailbox_dev_t *dev, mailbox_ocb_t *ocb)
{
    (void)ocb;
    dev->status.posted = 0;
    dev->status.fetched = 0;
    return EOK;
}

/* Message post: store the letter in its slot, replacing what it held. */
int mailbox_on_msg_post(mailbox_dev_t *dev, mailbox_ocb_t *ocb, const mailbox_letter_t *in)
{
    (void)ocb;
    if (dev->status.locked)
        return EBUSY;
    dev->slots[in->slot] = *in;               /* slot <= 15: checked by the generated handler */
    memset(dev->slots[in->slot].body + in->length, 0, sizeof in->body - in->length);  /* no stale tail */
    dev->status.full_mask |= 1u << in->slot;
    dev->status.posted++;
    return EOK;
}

/* Message fetch: hand out the slot's letter and empty the slot; an empty slot gives a
   letter of length 0 for that slot. */
int mailbox_on_msg_fetch(mailbox_dev_t *dev, mailbox_ocb_t *ocb, const mailbox_slot_ref_t *in, mailbox_letter_t *out)
{
    uint32_t bit = 1u << in->slot;            /* slot <= 15: checked by the generated handler */

    (void)ocb;
    if ((dev->status.full_mask & bit) == 0) {
        out->slot = (uint8_t)in->slot;        /* out arrives zeroed: length 0 */
        return EOK;
    }
    *out = dev->slots[in->slot];
    memset(&dev->slots[in->slot], 0, sizeof dev->slots[in->slot]);
    dev->status.full_mask &= ~bit;
    dev->status.fetched++;
    return EOK;
}

/* Message peek_status: what the mailbox holds. */
int mailbox_on_msg_peek_status(mailbox_dev_t *dev, mailbox_ocb_t *ocb, mailbox_box_status_t *out)
{
    (void)ocb;
    *out = dev->status;
    return EOK;
}

/* Message purge (privileged): empty every slot; the counters stay. */
int mailbox_on_msg_purge(mailbox_dev_t *dev, mailbox_ocb_t *ocb)
{
    (void)ocb;
    memset(dev->slots, 0, sizeof dev->slots);
    dev->status.full_mask = 0;
    return EOK;
}
