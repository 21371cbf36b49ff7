/*
 * qnxhost clean-room part of <sys/neutrino.h>: SignalWaitinfo(), the kernel call a QNX
 * server's signal thread waits in (written from the public QNX documentation).
 *
 * Host behaviour (src/signals.c): the host's sigtimedwait() in short slices, so that
 * qh_server_stop() can end the waiting thread (it then exits, like a server thread at
 * process end); under the FUSE front-end, which owns the stop signals, it only waits for
 * that end.
 */
#ifndef _QH_SYS_QH_SIGNALS_H_INCLUDED
#define _QH_SYS_QH_SIGNALS_H_INCLUDED

#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Wait for one of the (blocked) signals in set; its number, or -1 with errno. */
int SignalWaitinfo(const sigset_t *set, siginfo_t *info);

#ifdef __cplusplus
}
#endif
#endif
