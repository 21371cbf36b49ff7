/*
 * server/thermo_hooks.c: created once by rmgen from ../thermo.yaml, then written by hand.
 * This file is yours: rmgen never overwrites it.
 *
 * A simulated I2C temperature sensor. A real driver would read the sensor's
 * registers in take_reading() (through the i2c resource manager, outside the
 * device lock if it may block); everything else stays as it is.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "thermo_hooks.h"

#define ROOM_MILLICELSIUS 21500               /* the simulated room */
#define KELVIN_OFFSET_MILLI 273150            /* 0 degC in millikelvin */
#define HISTORY_LEN (sizeof ((thermo_history_t *)0)->samples / sizeof(thermo_sample_t))

static void default_config(thermo_dev_t *dev)
{
    memset(&dev->config, 0, sizeof dev->config);
    dev->config.rate_hz = dev->rate_hz;       /* -r on the command line, or the spec's default */
    dev->config.unit = THERMO_UNIT_MILLICELSIUS;
    dev->config.limits.low = -40000;
    dev->config.limits.high = 85000;
    strcpy(dev->config.label, "thermo0");
}

/* One reading: a slow sawtooth around room temperature, in the configured unit. */
static void take_reading(thermo_dev_t *dev, thermo_sample_t *s)
{
    struct timespec now;
    int32_t mc = ROOM_MILLICELSIUS + (int32_t)(dev->readings % 20u) * 50;

    clock_gettime(CLOCK_MONOTONIC, &now);
    memset(s, 0, sizeof *s);
    s->timestamp_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    s->unit = dev->config.unit;
    s->value = s->unit == THERMO_UNIT_MILLIKELVIN ? mc + KELVIN_OFFSET_MILLI : mc;
    s->alarm = mc < dev->config.limits.low || mc > dev->config.limits.high;
    dev->readings++;

    /* Keep the newest HISTORY_LEN readings, newest first. */
    memmove(&dev->recent.samples[1], &dev->recent.samples[0],
            (HISTORY_LEN - 1) * sizeof dev->recent.samples[0]);
    dev->recent.samples[0] = *s;
    if (dev->recent.count < HISTORY_LEN)
        dev->recent.count++;
}

int thermo_on_init(thermo_dev_t *dev)
{
    default_config(dev);
    return EOK;
}

int thermo_on_get_sample(thermo_dev_t *dev, thermo_ocb_t *ocb, thermo_sample_t *out)
{
    (void)ocb;
    take_reading(dev, out);
    return EOK;
}

int thermo_on_set_config(thermo_dev_t *dev, thermo_ocb_t *ocb, const thermo_config_t *in)
{
    (void)ocb;
    if (in->limits.low > in->limits.high)     /* each bound is range-checked; their order is ours */
        return EINVAL;
    dev->config = *in;
    dev->rate_hz = in->rate_hz;
    return EOK;
}

int thermo_on_get_config(thermo_dev_t *dev, thermo_ocb_t *ocb, thermo_config_t *out)
{
    (void)ocb;
    *out = dev->config;
    return EOK;
}

int thermo_on_swap_config(thermo_dev_t *dev, thermo_ocb_t *ocb, const thermo_config_t *in, thermo_config_t *out)
{
    thermo_config_t previous = dev->config;
    int status = thermo_on_set_config(dev, ocb, in);

    if (status == EOK)
        *out = previous;
    return status;
}

int thermo_on_get_history(thermo_dev_t *dev, thermo_ocb_t *ocb, thermo_history_t *out)
{
    (void)ocb;
    *out = dev->recent;
    return EOK;
}

int thermo_on_reset(thermo_dev_t *dev, thermo_ocb_t *ocb)
{
    (void)ocb;
    default_config(dev);
    memset(&dev->recent, 0, sizeof dev->recent);
    return EOK;
}
