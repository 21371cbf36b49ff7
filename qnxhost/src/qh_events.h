/* qnxhost events internals: what dispatch.c tells events.c. Not part of the public API. */
#ifndef QH_EVENTS_H
#define QH_EVENTS_H

/* A pulse_attach() handler has returned (counted for qh_pulses_handled()). */
void qh_events_pulse_handled(void);

/* The servers have stopped: delete their timers and interrupt attachments, as process
   exit would (device memory stays, for tests to inspect). */
void qh_events_stop(void);

#endif
