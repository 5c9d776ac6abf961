#ifndef LIFELINE_CSYSTEM_SHIM_H
#define LIFELINE_CSYSTEM_SHIM_H
#include <malloc.h>
#include <sys/prctl.h>

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
#endif
