/*
 * qnxhost client redirection: force-included (-include qnxhost/redirect.h)
 * into client translation units so that the POSIX file calls go through the
 * emulated QNX client side. Never include it in server code.
 */
#ifndef _QH_QNXHOST_REDIRECT_H_INCLUDED
#define _QH_QNXHOST_REDIRECT_H_INCLUDED

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <qnxhost/host.h>

#define open(...)                qh_open(__VA_ARGS__)
#define close(_fd)               qh_close(_fd)
#define read(_fd, _b, _n)        qh_read((_fd), (_b), (_n))
#define write(_fd, _b, _n)       qh_write((_fd), (_b), (_n))
#define pread(_fd, _b, _n, _o)   qh_pread((_fd), (_b), (_n), (_o))
#define pwrite(_fd, _b, _n, _o)  qh_pwrite((_fd), (_b), (_n), (_o))
#define lseek(_fd, _o, _w)       qh_lseek((_fd), (_o), (_w))
#define fstat(_fd, _st)          qh_fstat((_fd), (_st))
#define dup(_fd)                 qh_dup(_fd)
#define dup2(_fd, _fd2)          qh_dup2((_fd), (_fd2))
#define openfd(_fd, _o)          qh_openfd((_fd), (_o))
#define fchmod(_fd, _m)          qh_fchmod((_fd), (_m))
#define fchown(_fd, _u, _g)      qh_fchown((_fd), (_u), (_g))
#define futimens(_fd, _t)        qh_futimens((_fd), (_t))

#endif
