/*
 * qnxhost slog2: each buffer set prints to stderr, "SETNAME: message", keeping the
 * messages whose severity is at most the set's verbosity_level (slog2_set_verbosity()
 * changes it). Registered sets live until the process ends, as on QNX.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/slog2.h>
#include "qh_internal.h"

struct qh_slog2_buffer {
    struct qh_slog2_buffer *next;            /* every buffer registered, kept to the end */
    char             name[64];               /* the buffer set's name */
    volatile uint8_t verbosity;
};

static pthread_mutex_t qh_slog2_lock = PTHREAD_MUTEX_INITIALIZER;
static struct qh_slog2_buffer *qh_slog2_buffers;

int slog2_register(slog2_buffer_set_config_t *config, slog2_buffer_t *handles, uint32_t flags)
{
    (void)flags;                              /* shared memory, physical: nothing on the host */
    if (config == NULL || handles == NULL || config->num_buffers < 1 ||
        config->num_buffers > SLOG2_MAX_BUFFERS) {
        errno = EINVAL;
        return -1;
    }
    for (int i = 0; i < config->num_buffers; i++) {
        struct qh_slog2_buffer *b = calloc(1, sizeof *b);
        if (b == NULL) {
            errno = ENOMEM;
            return -1;
        }
        snprintf(b->name, sizeof b->name, "%s",
                 config->buffer_set_name != NULL ? config->buffer_set_name : "slog2");
        b->verbosity = config->verbosity_level;
        pthread_mutex_lock(&qh_slog2_lock);
        b->next = qh_slog2_buffers;
        qh_slog2_buffers = b;
        pthread_mutex_unlock(&qh_slog2_lock);
        handles[i] = b;
    }
    return 0;
}

int slog2_set_verbosity(slog2_buffer_t buffer, uint8_t verbosity)
{
    if (buffer == NULL) {
        errno = EINVAL;
        return -1;
    }
    buffer->verbosity = verbosity;
    return 0;
}

int vslog2f(slog2_buffer_t buffer, uint16_t code, uint8_t severity, const char *format, va_list arg)
{
    char text[1024];

    (void)code;
    if (buffer == NULL || format == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (severity > buffer->verbosity)         /* filtered out: not an error */
        return 0;
    vsnprintf(text, sizeof text, format, arg);
    fprintf(stderr, "%s: %s\n", buffer->name, text);  /* one call: lines do not interleave */
    return 0;
}

int slog2f(slog2_buffer_t buffer, uint16_t code, uint8_t severity, const char *format, ...)
{
    va_list ap;

    va_start(ap, format);
    int rc = vslog2f(buffer, code, severity, format, ap);
    va_end(ap);
    return rc;
}
