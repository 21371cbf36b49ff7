/*
 * server/gpio_hooks.c: created once by rmgen from ../gpio.yaml, then written by hand.
 * This file is yours: rmgen never overwrites it.
 *
 * A GPIO/ADC-style controller. Its registers (window regs, 32-bit):
 *   0x00 CTRL    bit 0 START: writing 1 starts a conversion
 *   0x04 STATUS  the input pins, polled by the timer and on wake pulses
 *   0x08 DATA    the result of the last conversion
 *   0x0C ACK     writing 1 acknowledges (clears) the conversion-done interrupt
 * The LED latch is one 8-bit I/O port (window leds, port I/O: gpio_leds_write8()).
 * The conversion-done interrupt (adc) completes a conversion: its hook reads DATA and
 * answers every held wait_result request (a blocking devctl) with it: while `completing`
 * is set it calls gpio_wait_result_ready(), which asks gpio_on_wait_result() again for
 * each held request. Outside that call the hook says EAGAIN: a request waits for the
 * next conversion, never takes an old result.
 * Every event hook runs with the device locked (the generated handler takes the lock).
 */
#include <errno.h>
#include <string.h>
#include "gpio_hooks.h"
#if !defined(__QNXNTO__)
#include <qnxhost/host.h>                     /* host runtime only: qh_attr_held() */
#endif

#define REG_CTRL    0x00u
#define REG_STATUS  0x04u
#define REG_DATA    0x08u
#define REG_ACK     0x0Cu
#define CTRL_START  0x1u
#define ACK_DONE    0x1u

/* On the host, count event hooks that run without the device lock (must stay 0). On a
   target the generated handlers' iofunc_attr_lock() is the guarantee. */
static void expect_locked(gpio_dev_t *dev)
{
#if !defined(__QNXNTO__)
    if (qh_attr_held(&dev->attr) != 1)
        dev->counters.unlocked++;
#else
    (void)dev;
#endif
}

/* Read the input pins into the counters. */
static void poll_status(gpio_dev_t *dev)
{
    dev->counters.last_status = gpio_regs_read32(dev, REG_STATUS);
    dev->counters.polls++;
}

int gpio_on_init(gpio_dev_t *dev)
{
    gpio_regs_write32(dev, REG_CTRL, 0);      /* no conversion running */
    gpio_regs_write32(dev, REG_ACK, ACK_DONE);  /* nothing left pending from before */
    return EOK;
}

int gpio_on_get_result(gpio_dev_t *dev, gpio_ocb_t *ocb, uint32_t *out)
{
    (void)ocb;
    *out = dev->result;
    return EOK;
}

int gpio_on_get_counters(gpio_dev_t *dev, gpio_ocb_t *ocb, gpio_counters_t *out)
{
    (void)ocb;
    memcpy(out, &dev->counters, sizeof *out);
    return EOK;
}

/* Held until the next conversion completes (the adc hook answers it). */
int gpio_on_wait_result(gpio_dev_t *dev, gpio_ocb_t *ocb, uint32_t *out)
{
    (void)ocb;
    if (!dev->completing)
        return EAGAIN;
    *out = dev->result;
    return EOK;
}

/* Start a conversion; the interrupt says when it is done. */
int gpio_on_start(gpio_dev_t *dev, gpio_ocb_t *ocb)
{
    (void)ocb;
    gpio_regs_write32(dev, REG_CTRL, gpio_regs_read32(dev, REG_CTRL) | CTRL_START);
    return EOK;
}

/* Latch the LED bits into the LED port. */
int gpio_on_set_leds(gpio_dev_t *dev, gpio_ocb_t *ocb, const uint8_t *in)
{
    (void)ocb;
    gpio_leds_write8(dev, 0, *in);
    return EOK;
}

/* A thread of ours asked for a poll now. */
int gpio_on_pulse_wake(gpio_dev_t *dev, int value)
{
    expect_locked(dev);
    dev->counters.wakes++;
    dev->counters.last_wake = value;
    poll_status(dev);
    return EOK;
}

int gpio_on_timer_poll(gpio_dev_t *dev)
{
    expect_locked(dev);
    poll_status(dev);
    return EOK;
}

/* Conversion done: take the result, clear START, acknowledge the interrupt. */
int gpio_on_irq_adc(gpio_dev_t *dev)
{
    expect_locked(dev);
    dev->result = gpio_regs_read32(dev, REG_DATA);
    dev->counters.conversions++;
    gpio_regs_write32(dev, REG_CTRL, gpio_regs_read32(dev, REG_CTRL) & ~CTRL_START);
    gpio_regs_write32(dev, REG_ACK, ACK_DONE);
    dev->completing = 1;
    gpio_wait_result_ready(dev);              /* every held wait_result gets this result */
    dev->completing = 0;
    return EOK;
}
