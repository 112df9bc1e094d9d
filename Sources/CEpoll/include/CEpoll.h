// Linux epoll, eventfd and accept4 for the HTTP server's reactor; the Glibc Swift module does not
// export them (they live behind <sys/epoll.h>, <sys/eventfd.h> and _GNU_SOURCE).
#ifndef CEPOLL_H
#define CEPOLL_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

/// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC; -1 with errno set on failure.
int cepoll_accept_nonblocking(int listener);

#endif
