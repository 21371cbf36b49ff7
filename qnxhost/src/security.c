/*
 * qnxhost security: per-client credentials (what iofunc_client_info() reports), the
 * procmgr_ability() record and secpol_resmgr_attach(). Nothing is enforced on the host:
 * the server's calls are recorded so that a test can check what it kept and when.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/procmgr.h>
#include <secpol/secpol.h>
#include "qh_internal.h"

#define QH_CRED_CLIENTS 1024                 /* as many as there are client ids */
#define QH_GROUPS_MAX   8                    /* entries of struct _cred_info's grouplist */
#define QH_KEPT_MAX     64

static struct {
    int               set;
    struct _cred_info cred;
} qh_creds[QH_CRED_CLIENTS];

int qh_client_new_cred(uid_t uid, gid_t gid, const gid_t *groups, int ngroups)
{
    if (ngroups < 0 || ngroups > QH_GROUPS_MAX || (ngroups > 0 && !groups)) {
        errno = EINVAL;
        return -1;
    }
    int id = qh_client_new();
    if (id < 0)
        return -1;
    if (id >= QH_CRED_CLIENTS) {
        errno = EAGAIN;
        return -1;
    }
    struct _cred_info c;
    memset(&c, 0, sizeof c);
    c.ruid = c.euid = c.suid = (_Uint32t)uid;
    c.rgid = c.egid = c.sgid = (_Uint32t)gid;
    c.ngroups = (_Uint32t)ngroups;
    for (int i = 0; i < ngroups; i++)
        c.grouplist[i] = (_Uint32t)groups[i];
    pthread_mutex_lock(&qh_lock);
    qh_creds[id].cred = c;
    qh_creds[id].set = 1;
    pthread_mutex_unlock(&qh_lock);
    return id;
}

/* The credentials of the client behind a server connection id (scoid = client + 1); the
   test process's own for clients made without any. */
static void qh_client_cred(int scoid, struct _cred_info *cred)
{
    int client = scoid - 1;
    int set = 0;
    pthread_mutex_lock(&qh_lock);
    if (client > 0 && client < QH_CRED_CLIENTS && qh_creds[client].set) {
        *cred = qh_creds[client].cred;
        set = 1;
    }
    pthread_mutex_unlock(&qh_lock);
    if (set)
        return;
    memset(cred, 0, sizeof *cred);
    cred->ruid = getuid();
    cred->euid = cred->suid = geteuid();
    cred->rgid = getgid();
    cred->egid = cred->sgid = getegid();
}

int iofunc_client_info(resmgr_context_t *ctp, int ioflag, struct _client_info *info)
{
    (void)ioflag;
    memset(info, 0, sizeof *info);
    info->pid = ctp ? ctp->info.pid : getpid();
    qh_client_cred(ctp ? ctp->info.scoid : 0, &info->cred);
    return EOK;
}

int iofunc_client_info_ext(resmgr_context_t *ctp, const int ioflag, struct _client_info **info, int flags)
{
    (void)flags;                              /* the host always fills the groups it has */
    *info = malloc(sizeof **info);
    if (!*info)
        return ENOMEM;
    return iofunc_client_info(ctp, ioflag, *info);
}

int iofunc_client_info_ext_free(struct _client_info **info)
{
    free(*info);
    *info = NULL;
    return EOK;
}

/* ---- abilities ---- */

static unsigned qh_kept[QH_KEPT_MAX];
static int      qh_nkept = -1;               /* -1: procmgr_ability() never called */
static int      qh_kept_after_attach, qh_rest_denied;
static int      qh_secpol_count;

int procmgr_ability(pid_t pid, unsigned ability, ...)
{
    if (pid != 0 && pid != getpid())
        return EPERM;                         /* another process: not emulated */
    unsigned kept[QH_KEPT_MAX];
    int n = 0, denied = 0;
    va_list ap;
    va_start(ap, ability);
    for (unsigned a = ability;; a = va_arg(ap, unsigned)) {
        if ((a & PROCMGR_AID_MASK) == PROCMGR_AID_EOL) {
            denied = (a & PROCMGR_AOP_DENY) != 0;
            break;
        }
        if (a & PROCMGR_AOP_SUBRANGE) {       /* its lower and upper limits follow */
            (void)va_arg(ap, uint64_t);
            (void)va_arg(ap, uint64_t);
        }
        if ((a & PROCMGR_AOP_ALLOW) && n < QH_KEPT_MAX)
            kept[n++] = a & PROCMGR_AID_MASK;
    }
    va_end(ap);
    pthread_mutex_lock(&qh_lock);
    memcpy(qh_kept, kept, sizeof kept[0] * (size_t)n);
    qh_nkept = n;
    qh_kept_after_attach = qh_attaches != NULL;
    qh_rest_denied = denied;
    pthread_mutex_unlock(&qh_lock);
    return EOK;
}

int qh_abilities_kept(unsigned *kept, int max, int *after_attach, int *rest_denied)
{
    pthread_mutex_lock(&qh_lock);
    int n = qh_nkept;
    for (int i = 0; i < n && i < max; i++)
        kept[i] = qh_kept[i];
    if (after_attach)
        *after_attach = qh_kept_after_attach;
    if (rest_denied)
        *rest_denied = qh_rest_denied;
    pthread_mutex_unlock(&qh_lock);
    return n;
}

/* ---- security policies ---- */

int secpol_resmgr_attach(secpol_file_t *handle, dispatch_t *dpp, resmgr_attr_t *attr, const char *path,
                         enum _file_type file_type, unsigned flags, const resmgr_connect_funcs_t *connect_funcs,
                         const resmgr_io_funcs_t *io_funcs, iofunc_attr_t *iofunc_attr, bool *perms_set)
{
    (void)handle;                             /* no policy file on the host */
    if (perms_set)
        *perms_set = false;                   /* no policy: the attr keeps its permissions */
    if (!path) {
        errno = EINVAL;                       /* unlike resmgr_attach(), a path is required */
        return -1;
    }
    int id = resmgr_attach(dpp, attr, path, file_type, flags, connect_funcs, io_funcs,
                           (RESMGR_HANDLE_T *)(void *)iofunc_attr);
    if (id != -1) {
        pthread_mutex_lock(&qh_lock);
        qh_secpol_count++;
        pthread_mutex_unlock(&qh_lock);
    }
    return id;
}

int qh_secpol_attaches(void)
{
    pthread_mutex_lock(&qh_lock);
    int n = qh_secpol_count;
    pthread_mutex_unlock(&qh_lock);
    return n;
}
