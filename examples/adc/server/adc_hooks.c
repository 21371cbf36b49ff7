/*
 * server/adc_hooks.c: created once by rmgen from ../adc.yaml, then written by hand.
 * This file is yours: rmgen never overwrites it.
 *
 * A simulated eight-channel 12-bit ADC. Every open file reads its own channel at
 * its own gain (per-open state in the OCB); read() returns little-endian 16-bit
 * samples. A real driver would start conversions and read the result registers
 * (mmap_device_io() and in16()) in convert().
 */
#include <errno.h>
#include <string.h>
#include "adc_hooks.h"

#define ADC_FULL_SCALE 4095u                  /* 12 bits */
#define MAX_CHANNELS   8u

/* One conversion of channel ch: a ramp per channel, amplified and clipped. */
static uint16_t convert(adc_dev_t *dev, unsigned ch, unsigned gain)
{
    uint32_t raw = (ch * 500u + (uint32_t)(dev->conversions * 37u)) % 1024u;
    uint32_t v = raw * gain;

    dev->conversions++;
    return (uint16_t)(v > ADC_FULL_SCALE ? ADC_FULL_SCALE : v);
}

int adc_on_init(adc_dev_t *dev)
{
    if (dev->channels == 0 || dev->channels > MAX_CHANNELS)  /* -c must match the hardware */
        return EINVAL;
    return EOK;
}

/* read(): whole 16-bit samples only; an odd byte count leaves the last byte out. */
int adc_on_read(adc_dev_t *dev, adc_ocb_t *ocb, void *buf, size_t nbytes, size_t *done)
{
    uint8_t *p = buf;
    size_t count = nbytes / 2;

    for (size_t i = 0; i < count; i++) {
        uint16_t s = convert(dev, ocb->channel, ocb->gain);
        p[2 * i] = (uint8_t)(s & 0xFFu);
        p[2 * i + 1] = (uint8_t)(s >> 8);
    }
    ocb->samples_read += count;
    *done = count * 2;
    return EOK;
}

int adc_on_select(adc_dev_t *dev, adc_ocb_t *ocb, const adc_channel_select_t *in)
{
    if (in->channel >= dev->channels)         /* wired channels only (0..7 is checked already) */
        return EINVAL;
    ocb->channel = in->channel;
    ocb->gain = in->gain;
    return EOK;
}

int adc_on_get_stats(adc_dev_t *dev, adc_ocb_t *ocb, adc_stats_t *out)
{
    (void)dev;
    out->samples_read = ocb->samples_read;
    out->channel = ocb->channel;
    return EOK;
}

int adc_on_get_conversions(adc_dev_t *dev, adc_ocb_t *ocb, uint64_t *out)
{
    (void)ocb;
    *out = dev->conversions;
    return EOK;
}
