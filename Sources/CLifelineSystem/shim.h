#ifndef LIFELINE_CSYSTEM_SHIM_H
#define LIFELINE_CSYSTEM_SHIM_H
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

// What Swift's Glibc module does not offer: prctl is variadic, and malloc.h is not in the module.

// Names the calling thread as the kernel shows it (top -H, perf).
static inline void lifeline_name_this_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

// For a process that exits after one pass: malloc keeps what is freed for the next allocation
// instead of giving it back (trim, munmap) and faulting fresh zeroed pages in again; large
// buffers (answers of a few MB) come from the heap rather than a mapping of their own each.
static inline void lifeline_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
}

// epoll for the HTTP transport's loop. `struct epoll_event` is packed on x86-64, so Swift sees
// only plain ints: flags are 1 readable, 2 writable, 4 error (libcurl's CURL_CSELECT_* values).

// Watches `fd` for what is asked (nothing: errors and hang-ups only): `add` when it is new, else
// a change (either is tried again as the other if epoll disagrees).
static inline int lifeline_epoll_watch(int ep, int fd, int readable, int writable, int add) {
    struct epoll_event ev = {0};
    ev.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
    ev.data.fd = fd;
    if (epoll_ctl(ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) == 0) return 0;
    if (errno == (add ? EEXIST : ENOENT)) return epoll_ctl(ep, add ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
    return -1;
}

static inline int lifeline_epoll_unwatch(int ep, int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(ep, EPOLL_CTL_DEL, fd, &ev);
}

// Waits up to `timeout` ms (-1: no limit); the ready descriptors (at most 64) and their flags.
static inline int lifeline_epoll_wait(int ep, int *fds, int *flags, int max, int timeout) {
    struct epoll_event ev[64];
    int n = epoll_wait(ep, ev, max < 64 ? max : 64, timeout);
    for (int i = 0; i < n; i++) {
        uint32_t e = ev[i].events;
        fds[i] = ev[i].data.fd;
        flags[i] = ((e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) ? 1 : 0) | ((e & EPOLLOUT) ? 2 : 0) | ((e & EPOLLERR) ? 4 : 0);
    }
    return n;
}

static inline void lifeline_eventfd_signal(int fd) {
    uint64_t one = 1;
    (void)!write(fd, &one, sizeof one);
}

static inline void lifeline_eventfd_drain(int fd) {
    uint64_t count;
    (void)!read(fd, &count, sizeof count);
}
#endif
