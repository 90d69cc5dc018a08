/* LD_PRELOAD shim for benchmarks only: turns TCP_NODELAY on for every TCP socket a process
 * connects or accepts, so the reference SLIM stack (which leaves Nagle on, docs/slimrpc.md#limits,
 * and switches it back on explicitly) can be measured without the ~40 ms Nagle/delayed-ACK stall per hop.
 * Built by bench/rpc.bench.ts with: cc -shared -fPIC -O2 -o nodelay.so nodelay.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int (*real_setsockopt)(int, int, int, const void *, socklen_t);

static void nodelay(int fd) {
  int one = 1;
  int type = 0;
  socklen_t len = sizeof(type);
  if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* The reference turns Nagle back on explicitly (set_nodelay(false)): keep it off. */
int setsockopt(int fd, int level, int name, const void *value, socklen_t len) {
  static const int one = 1;
  if (!real_setsockopt) real_setsockopt = dlsym(RTLD_NEXT, "setsockopt");
  if (level == IPPROTO_TCP && name == TCP_NODELAY) return real_setsockopt(fd, level, name, &one, sizeof(one));
  return real_setsockopt(fd, level, name, value, len);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
  static int (*real)(int, const struct sockaddr *, socklen_t);
  if (!real) real = dlsym(RTLD_NEXT, "connect");
  if (addr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) nodelay(fd);
  return real(fd, addr, len);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) {
  static int (*real)(int, struct sockaddr *, socklen_t *);
  if (!real) real = dlsym(RTLD_NEXT, "accept");
  int c = real(fd, addr, len);
  nodelay(c);
  return c;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
  static int (*real)(int, struct sockaddr *, socklen_t *, int);
  if (!real) real = dlsym(RTLD_NEXT, "accept4");
  int c = real(fd, addr, len, flags);
  nodelay(c);
  return c;
}
