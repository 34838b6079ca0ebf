/*
 * tracefeed: replays an op trace inside the zswapbench kernel-check guest (kernel/init.sh starts
 * it when the guest has a trace disk).
 *
 * Usage: tracefeed PAGES_DEV TRACE_DEV SWAP_BLOCK CGROUP_DIR
 *
 * TRACE_DEV holds the trace as kernel/trace_check.ts writes it: the 8 bytes "ZSBTRACE", then
 * little-endian u32 op count and u32 mapping size in pages, then per op four u32: the op (0 store,
 * 1 load, 2 invalidate), the offset (the page of the mapping it acts on), the trace's page id and
 * the page of PAGES_DEV holding that id's contents.
 *
 * Each offset is one page of an anonymous mapping, and each op acts on it:
 * - store: write the page's contents unless it already holds that page id, then
 *   madvise(MADV_PAGEOUT) until /proc/self/pagemap shows it swapped out;
 * - load: read the page (a swapped-out page faults back in) and compare it with what was stored;
 * - invalidate: madvise(MADV_DONTNEED), which drops the page and frees its swap slot.
 * Before every op it waits until SWAP_BLOCK (e.g. vdb) has no request in flight
 * (/sys/block/SWAP_BLOCK/inflight), so a page zswap rejected is on the disk before the next op.
 * After every op it reads zswap's debugfs counters (each file opened anew: debugfs counters do not
 * support pread) and /proc/vmstat's swap counters, and prints them as one record.
 *
 * Output: "ZSWAPBENCH " + one JSON object per line (kernel/trace_console.ts parses them): a
 * "trace_start" record naming the counters, one "op" record per op, a "trace_end" record.
 * Exit status 0 when the replay completed (mismatches are reported, not fatal), 1 on a setup error
 * (also reported as a {"kind":"error"} line).
 *
 * Written for zswapbench (MIT). Static build: gcc -static -Os -s -o tracefeed tracefeed.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGE 4096
#define DEBUGFS "/sys/kernel/debug/zswap"
#define PAGEOUT_TRIES 4
#define MAX_COUNTERS 32
/* Give up waiting for the swap disk after this many milliseconds. */
#define IDLE_TIMEOUT_MS 20000

static char line[8192];

static void record(const char *fmt, ...) {
  va_list ap;
  int n = snprintf(line, sizeof line, "ZSWAPBENCH ");
  va_start(ap, fmt);
  n += vsnprintf(line + n, sizeof line - n - 2, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  if (write(1, line, n) < 0) _exit(3);
}

static void fail(const char *what) {
  record("{\"kind\":\"error\",\"message\":\"%s: %s\"}", what, strerror(errno));
  exit(1);
}

/* Reads a small file into buf; the length read, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return n;
}

static long long read_num(const char *path) {
  char buf[64];
  if (read_small(path, buf, sizeof buf) <= 0) return -1;
  return strtoll(buf, NULL, 10);
}

static long long key_in(const char *buf, const char *key) {
  size_t klen = strlen(key);
  const char *p = buf;
  while (p && *p) {
    if (strncmp(p, key, klen) == 0 && p[klen] == ' ') return strtoll(p + klen + 1, NULL, 10);
    p = strchr(p, '\n');
    if (p) p++;
  }
  return -1;
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int swapped_out(int pagemap, const unsigned char *addr) {
  uint64_t ent;
  off_t off = (off_t)((uintptr_t)addr / PAGE) * 8;
  if (pread(pagemap, &ent, 8, off) != 8) return -1;
  return ((ent >> 62) & 1) && !((ent >> 63) & 1);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the swap disk has no read or write in flight; the polls it took. */
static long wait_idle(const char *inflight) {
  char buf[64];
  long polls = 0;
  long long t0 = now_ms();
  for (;;) {
    if (read_small(inflight, buf, sizeof buf) <= 0) fail("read inflight");
    char *end;
    long r = strtol(buf, &end, 10);
    long w = strtol(end, NULL, 10);
    if (r == 0 && w == 0) return polls;
    polls++;
    if (now_ms() - t0 > IDLE_TIMEOUT_MS) {
      errno = ETIMEDOUT;
      fail("swap disk never went idle");
    }
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
  }
}

static char counter_names[MAX_COUNTERS][64];
static int ncounters;

/* The debugfs counter files, in name order, so every record lists them the same way. */
static int cmp_names(const void *a, const void *b) { return strcmp(a, b); }

static void find_counters(void) {
  DIR *d = opendir(DEBUGFS);
  if (!d) fail("opendir " DEBUGFS);
  struct dirent *e;
  while ((e = readdir(d)) != NULL && ncounters < MAX_COUNTERS) {
    if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof counter_names[0]) continue;
    strcpy(counter_names[ncounters++], e->d_name);
  }
  closedir(d);
  qsort(counter_names, ncounters, sizeof counter_names[0], cmp_names);
}

static int counters_json(char *out, size_t size) {
  size_t n = 0;
  for (int i = 0; i < ncounters; i++) {
    char path[128];
    snprintf(path, sizeof path, DEBUGFS "/%s", counter_names[i]);
    n += snprintf(out + n, size - n, "%s%lld", i ? "," : "", read_num(path));
    if (n >= size) return -1;
  }
  return (int)n;
}

static const char *VMSTAT_KEYS[] = {"pswpin", "pswpout", "zswpin", "zswpout"};

static void vmstat_json(char *out, size_t size) {
  static char buf[65536];
  if (read_small("/proc/vmstat", buf, sizeof buf) <= 0) buf[0] = 0;
  snprintf(out, size, "%lld,%lld,%lld,%lld", key_in(buf, VMSTAT_KEYS[0]),
           key_in(buf, VMSTAT_KEYS[1]), key_in(buf, VMSTAT_KEYS[2]), key_in(buf, VMSTAT_KEYS[3]));
}

int main(int argc, char **argv) {
  if (argc != 5) {
    errno = EINVAL;
    fail("usage: tracefeed PAGES_DEV TRACE_DEV SWAP_BLOCK CGROUP_DIR");
  }
  char path[512], buf[32];
  snprintf(path, sizeof path, "%s/cgroup.procs", argv[4]);
  int fd = open(path, O_WRONLY);
  if (fd < 0) fail("open cgroup.procs");
  int len = snprintf(buf, sizeof buf, "%d\n", getpid());
  if (write(fd, buf, len) != len) fail("join cgroup");
  close(fd);
  char inflight[256];
  snprintf(inflight, sizeof inflight, "/sys/block/%s/inflight", argv[3]);

  int src = open(argv[1], O_RDONLY);
  if (src < 0) fail("open pages device");
  int tfd = open(argv[2], O_RDONLY);
  if (tfd < 0) fail("open trace device");
  unsigned char head[16];
  if (pread(tfd, head, 16, 0) != 16 || memcmp(head, "ZSBTRACE", 8) != 0) {
    errno = EINVAL;
    fail("trace device has no ZSBTRACE header");
  }
  uint32_t nops = le32(head + 8), npages = le32(head + 12);
  size_t tbytes = (size_t)nops * 16;
  unsigned char *ops = malloc(tbytes ? tbytes : 1);
  if (!ops) fail("malloc trace");
  for (size_t done = 0; done < tbytes;) {
    ssize_t n = pread(tfd, ops + done, tbytes - done, (off_t)(16 + done));
    if (n <= 0) fail("read trace device");
    done += (size_t)n;
  }
  close(tfd);
  /* Keep the program's own memory resident: only the mapping below may swap. */
  int64_t *cur = malloc(sizeof(int64_t) * (npages ? npages : 1));
  uint32_t *cur_src = malloc(sizeof(uint32_t) * (npages ? npages : 1));
  if (!cur || !cur_src) fail("malloc state");
  for (uint32_t i = 0; i < npages; i++) cur[i] = -1;
  if (mlockall(MCL_CURRENT) != 0) fail("mlockall");

  size_t bytes = (size_t)(npages ? npages : 1) * PAGE;
  unsigned char *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) fail("mmap");
  madvise(map, bytes, MADV_NOHUGEPAGE);
  int pagemap = open("/proc/self/pagemap", O_RDONLY);
  if (pagemap < 0) fail("open pagemap");

  find_counters();
  char names[MAX_COUNTERS * 70];
  size_t nn = 0;
  for (int i = 0; i < ncounters; i++) {
    nn += snprintf(names + nn, sizeof names - nn, "%s\"%s\"", i ? "," : "", counter_names[i]);
  }
  static char cbuf[2048], vbuf[256];
  if (counters_json(cbuf, sizeof cbuf) < 0) fail("counters too long");
  vmstat_json(vbuf, sizeof vbuf);
  record("{\"kind\":\"trace_start\",\"ops\":%u,\"pages\":%u,\"counters\":[%s],\"vmstat\":"
         "[\"pswpin\",\"pswpout\",\"zswpin\",\"zswpout\"],\"c\":[%s],\"vm\":[%s]}",
         nops, npages, names, cbuf, vbuf);

  static unsigned char want[PAGE], zero[PAGE];
  long mismatches = 0, resident = 0, idle_polls = 0;
  long long t0 = now_ms();
  for (uint32_t i = 0; i < nops; i++) {
    const unsigned char *o = ops + (size_t)i * 16;
    uint32_t op = le32(o), off = le32(o + 4), id = le32(o + 8), from = le32(o + 12);
    if (off >= npages || op > 2) {
      errno = EINVAL;
      fail("bad op in trace");
    }
    idle_polls += wait_idle(inflight);
    unsigned char *p = map + (size_t)off * PAGE;
    int out = -1, tries = 0, bad = 0;
    if (op == 0) {
      if (cur[off] != (int64_t)id) {
        if (pread(src, want, PAGE, (off_t)from * PAGE) != PAGE) fail("read pages device");
        memcpy(p, want, PAGE);
        cur[off] = id;
        cur_src[off] = from;
      }
      out = 0;
      while (tries < PAGEOUT_TRIES && !out) {
        if (madvise(p, PAGE, MADV_PAGEOUT) != 0) fail("madvise(MADV_PAGEOUT)");
        tries++;
        out = swapped_out(pagemap, p);
        if (out < 0) fail("read pagemap");
      }
      if (!out) resident++;
    } else if (op == 1) {
      const unsigned char *expect = zero;
      if (cur[off] >= 0) {
        if (pread(src, want, PAGE, (off_t)cur_src[off] * PAGE) != PAGE) fail("read pages device");
        expect = want;
      }
      bad = memcmp(p, expect, PAGE) != 0;
      mismatches += bad;
    } else {
      if (madvise(p, PAGE, MADV_DONTNEED) != 0) fail("madvise(MADV_DONTNEED)");
      cur[off] = -1;
    }
    if (counters_json(cbuf, sizeof cbuf) < 0) fail("counters too long");
    vmstat_json(vbuf, sizeof vbuf);
    record("{\"kind\":\"op\",\"i\":%u,\"out\":%d,\"tries\":%d,\"bad\":%d,\"c\":[%s],\"vm\":[%s]}", i,
           out, tries, bad, cbuf, vbuf);
  }
  record("{\"kind\":\"trace_end\",\"ops\":%u,\"mismatches\":%ld,\"resident\":%ld,"
         "\"idle_polls\":%ld,\"replay_ms\":%lld}",
         nops, mismatches, resident, idle_polls, now_ms() - t0);
  return 0;
}
