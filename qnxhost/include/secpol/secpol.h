/*
 * qnxhost clean-room <secpol/secpol.h>: secpol_resmgr_attach() (QNX 7.0+, libsecpol).
 * The host has no security policy, so it attaches like resmgr_attach() (what the QNX
 * function does when no policy names the path) and records the call for tests.
 */
#ifndef _QH_SECPOL_SECPOL_H_INCLUDED
#define _QH_SECPOL_SECPOL_H_INCLUDED

#include <stdbool.h>
#include <sys/iofunc.h>
#include <sys/dispatch.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qh_secpol_file secpol_file_t;  /* a policy file (never opened on the host) */

int secpol_resmgr_attach(secpol_file_t *handle, dispatch_t *dpp, resmgr_attr_t *attr, const char *path,
                         enum _file_type file_type, unsigned flags, const resmgr_connect_funcs_t *connect_funcs,
                         const resmgr_io_funcs_t *io_funcs, iofunc_attr_t *iofunc_attr, bool *perms_set);

#ifdef __cplusplus
}
#endif
#endif
