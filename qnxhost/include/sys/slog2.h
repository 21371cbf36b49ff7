/*
 * qnxhost clean-room <sys/slog2.h>: the slog2 calls a resource manager logs with
 * (QNX 7.0 and later), written from the public QNX documentation (slog2_register(),
 * slog2f()). On the host every buffer set writes its messages to stderr as
 * "NAME: text", filtered by the set's verbosity_level (src/slog2.c).
 */
#ifndef _QH_SYS_SLOG2_H_INCLUDED
#define _QH_SYS_SLOG2_H_INCLUDED

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Severities: lower is more severe; a buffer keeps messages up to its verbosity. */
#define SLOG2_SHUTDOWN 0
#define SLOG2_CRITICAL 1
#define SLOG2_ERROR    2
#define SLOG2_WARNING  3
#define SLOG2_NOTICE   4
#define SLOG2_INFO     5
#define SLOG2_DEBUG1   6
#define SLOG2_DEBUG2   7

#define SLOG2_MAX_BUFFERS 4

typedef struct qh_slog2_buffer *slog2_buffer_t;   /* opaque handle */

typedef struct {
    const char *buffer_name;
    int         num_pages;                 /* 4 KiB pages */
} slog2_buffer_config_t;

typedef struct {
    int                   num_buffers;
    const char           *buffer_set_name;  /* the process name, by convention */
    uint8_t               verbosity_level;  /* the least severe level kept */
    slog2_buffer_config_t buffer_config[SLOG2_MAX_BUFFERS];
    uint32_t              max_retries;
} slog2_buffer_set_config_t;

int slog2_register(slog2_buffer_set_config_t *config, slog2_buffer_t *handles, uint32_t flags);
int slog2_set_verbosity(slog2_buffer_t buffer, uint8_t verbosity);
int slog2f(slog2_buffer_t buffer, uint16_t code, uint8_t severity, const char *format, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int vslog2f(slog2_buffer_t buffer, uint16_t code, uint8_t severity, const char *format, va_list arg);

#ifdef __cplusplus
}
#endif
#endif
