#ifndef BATCH_CSYSTEM_SHIM_H
#define BATCH_CSYSTEM_SHIM_H
/* What Swift's Glibc module lacks: epoll, eventfd, timerfd, the _GNU_SOURCE
 * calls (declared here explicitly, because the glibc module may already have
 * been built without _GNU_SOURCE, thread names among them), the wait-status
 * macros, prctl and malloc_trim. */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <unistd.h>

extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
extern int pipe2(int pipefd[2], int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

static inline int batch_wifexited(int status) { return WIFEXITED(status); }
static inline int batch_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int batch_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int batch_wtermsig(int status) { return WTERMSIG(status); }
static inline int batch_wifstopped(int status) { return WIFSTOPPED(status); }

static inline int batch_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0); }
static inline int batch_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0, 0, 0); }

/* pidfd_open(2) has no glibc wrapper before 2.36 and syscall(2) is variadic. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
static inline int batch_pidfd_open(pid_t pid, unsigned int flags) { return (int)syscall(SYS_pidfd_open, pid, flags); }

/* Gives freed heap memory back to the system, from every arena (glibc keeps it otherwise). */
static inline int batch_malloc_trim(void) { return malloc_trim(0); }

static inline int batch_errno(void) { return errno; }
static inline void batch_set_errno(int e) { errno = e; }

/* epoll_event is packed on x86_64; build and read it in C. */
static inline void batch_epoll_event_set(struct epoll_event *ev, uint32_t events, uint64_t data) {
    ev->events = events; ev->data.u64 = data;
}
static inline uint32_t batch_epoll_event_events(const struct epoll_event *ev) { return ev->events; }
static inline uint64_t batch_epoll_event_data(const struct epoll_event *ev) { return ev->data.u64; }
#endif
