/*
 * pagefeed: runs inside the zswapbench kernel-check guest (kernel/init.sh starts it).
 *
 * Usage: pagefeed PAGES_DEV NPAGES CGROUP_DIR
 *
 * Moves itself into CGROUP_DIR, copies NPAGES pages of 4096 bytes from PAGES_DEV into an anonymous
 * mapping, pages them out one at a time with madvise(MADV_PAGEOUT), and after each page reads
 * zswap's debugfs counters (the pool size after it) and writes a trace_marker line. A kprobe event
 * on the allocator call (zpool_malloc, or zs_malloc where there is no zpool layer; the size is the
 * second argument, %si on x86_64) records every allocation zswap asks for, so each page's length is
 * known exactly; memory.zswap.current is read too (exact per page in 6.1 only: later kernels flush
 * the memcg statistics in batches). Then it ties each allocation to its page (an "alloc" record),
 * dumps every /sys/kernel/debug/zswap counter, reads every page back and compares it with the device.
 *
 * Output: one line per record on stdout, "ZSWAPBENCH " followed by a JSON object
 * (kernel/console.ts parses them). Exit status 0 when the run completed (mismatches are reported,
 * not fatal), 1 on a setup error (also reported as a {"kind":"error"} line).
 *
 * Written for zswapbench (MIT). Static build: gcc -static -Os -s -o pagefeed pagefeed.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGE 4096
#define DEBUGFS "/sys/kernel/debug/zswap"
#define TRACEFS "/sys/kernel/tracing"
/* Attempts at paging out one page before it is reported as resident. */
#define PAGEOUT_TRIES 4

static char line[8192];

/* Writes one record line with a single write(2), so it is not split by other output. */
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

/* Reads a file holding one integer; -1 when it cannot be read. */
static long long read_num(const char *path) {
  char buf[64];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  return strtoll(buf, NULL, 10);
}

/* Reads one "key value" line of a flat keyed file (/proc/vmstat, memory.stat); -1 when absent. */
static long long read_key(const char *path, const char *key) {
  static char buf[65536];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  size_t klen = strlen(key);
  char *p = buf;
  while (p && *p) {
    if (strncmp(p, key, klen) == 0 && p[klen] == ' ') return strtoll(p + klen + 1, NULL, 10);
    p = strchr(p, '\n');
    if (p) p++;
  }
  return -1;
}

/* Writes a string to a file; 0 on success. */
static int write_str(const char *path, const char *s, int append) {
  int fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
  if (fd < 0) return -1;
  ssize_t n = write(fd, s, strlen(s));
  close(fd);
  return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The kprobe on the allocator call: the function probed, or NULL when none could be set. */
static const char *kprobe_setup(void) {
  static const char *funcs[] = {"zpool_malloc", "zs_malloc"};
  char def[128];
  write_str(TRACEFS "/buffer_size_kb", "8192", 0);
  for (unsigned i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
    snprintf(def, sizeof def, "p:zsb/zsballoc %s size=%%si:u64\n", funcs[i]);
    if (write_str(TRACEFS "/kprobe_events", def, 1) != 0) continue;
    if (write_str(TRACEFS "/events/zsb/zsballoc/enable", "1", 0) == 0 &&
        write_str(TRACEFS "/tracing_on", "1", 0) == 0)
      return funcs[i];
    write_str(TRACEFS "/kprobe_events", "-:zsb/zsballoc\n", 1);
  }
  return NULL;
}

/*
 * Reads the trace buffer: each "zsballoc" event belongs to the page whose marker follows it.
 * Per page: the number of allocations and the size of the last one.
 */
static void read_allocs(long npages, long long *size, int *count) {
  write_str(TRACEFS "/tracing_on", "0", 0);
  FILE *f = fopen(TRACEFS "/trace", "r");
  if (!f) fail("open " TRACEFS "/trace");
  static char buf[1024];
  long page = 0;
  while (fgets(buf, sizeof buf, f)) {
    char *m = strstr(buf, "tracing_mark_write: zsbpage ");
    if (m) {
      page = strtol(m + strlen("tracing_mark_write: zsbpage "), NULL, 10) + 1;
      continue;
    }
    if (!strstr(buf, " zsballoc: ")) continue;
    char *sz = strstr(buf, "size=");
    if (!sz || page >= npages) continue;
    size[page] = strtoll(sz + 5, NULL, 0);
    count[page]++;
  }
  fclose(f);
}

/* Is the page at addr swapped out (/proc/self/pagemap bit 62) and not present (bit 63)? */
static int swapped_out(int pagemap, const unsigned char *addr) {
  uint64_t ent;
  off_t off = (off_t)((uintptr_t)addr / PAGE) * 8;
  if (pread(pagemap, &ent, 8, off) != 8) return -1;
  return ((ent >> 62) & 1) && !((ent >> 63) & 1);
}

/* Prints every counter under /sys/kernel/debug/zswap as one JSON object. */
static void dump_debugfs(void) {
  char body[4096];
  size_t n = 0;
  DIR *d = opendir(DEBUGFS);
  if (!d) fail("opendir " DEBUGFS);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[512];
    snprintf(path, sizeof path, DEBUGFS "/%s", e->d_name);
    long long v = read_num(path);
    n += snprintf(body + n, sizeof body - n, "%s\"%s\":%lld", n ? "," : "", e->d_name, v);
    if (n >= sizeof body) fail("debugfs record too long");
  }
  closedir(d);
  record("{\"kind\":\"debugfs\",\"counters\":{%s}}", body);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    errno = EINVAL;
    fail("usage: pagefeed PAGES_DEV NPAGES CGROUP_DIR");
  }
  const char *dev = argv[1];
  long npages = strtol(argv[2], NULL, 10);
  const char *cg = argv[3];
  char path[512], buf[32];

  snprintf(path, sizeof path, "%s/cgroup.procs", cg);
  int fd = open(path, O_WRONLY);
  if (fd < 0) fail("open cgroup.procs");
  int len = snprintf(buf, sizeof buf, "%d\n", getpid());
  if (write(fd, buf, len) != len) fail("join cgroup");
  close(fd);

  char zcur[512];
  snprintf(zcur, sizeof zcur, "%s/memory.zswap.current", cg);

  int src = open(dev, O_RDONLY);
  if (src < 0) fail("open pages device");
  size_t bytes = (size_t)npages * PAGE;
  unsigned char *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) fail("mmap");
  for (size_t done = 0; done < bytes;) {
    ssize_t n = pread(src, map + done, bytes - done, (off_t)done);
    if (n <= 0) fail("read pages device");
    done += (size_t)n;
  }
  int pagemap = open("/proc/self/pagemap", O_RDONLY);
  if (pagemap < 0) fail("open pagemap");

  /* memory.zswap.current is missing in 5.10: then no per-page memcg figure (-1). */
  long long cur0 = read_num(zcur);
  const char *kprobe = kprobe_setup();
  int marker = open(TRACEFS "/trace_marker", O_WRONLY);
  long long *alloc_size = calloc((size_t)npages, sizeof *alloc_size);
  int *alloc_count = calloc((size_t)npages, sizeof *alloc_count);
  if (!alloc_size || !alloc_count) fail("calloc");
  record("{\"kind\":\"start\",\"pages\":%ld,\"stored_pages\":%lld,\"pool_total_size\":%lld,"
         "\"zswap_current\":%lld,\"pswpout\":%lld,\"kprobe\":\"%s\"}",
         npages, read_num(DEBUGFS "/stored_pages"), read_num(DEBUGFS "/pool_total_size"), cur0,
         read_key("/proc/vmstat", "pswpout"), kprobe && marker >= 0 ? kprobe : "");

  long long prev_cur = cur0;
  long long prev_stored = read_num(DEBUGFS "/stored_pages");
  long long prev_same = read_num(DEBUGFS "/same_filled_pages");
  long long prev_raw = read_num(DEBUGFS "/stored_incompressible_pages");
  static const unsigned char zero[PAGE];
  for (long i = 0; i < npages; i++) {
    unsigned char *p = map + (size_t)i * PAGE;
    int is_zero = memcmp(p, zero, PAGE) == 0;
    int tries = 0, out = 0;
    while (tries < PAGEOUT_TRIES && !out) {
      if (madvise(p, PAGE, MADV_PAGEOUT) != 0) fail("madvise(MADV_PAGEOUT)");
      tries++;
      out = swapped_out(pagemap, p);
      if (out < 0) fail("read pagemap");
    }
    long long cur = read_num(zcur);
    long long stored = read_num(DEBUGFS "/stored_pages");
    long long same = read_num(DEBUGFS "/same_filled_pages");
    long long raw = read_num(DEBUGFS "/stored_incompressible_pages");
    long long pool = read_num(DEBUGFS "/pool_total_size");
    if (marker >= 0) {
      int n = snprintf(buf, sizeof buf, "zsbpage %ld\n", i);
      if (write(marker, buf, n) != n) fail("write trace_marker");
    }
    const char *outcome;
    long long length = 0;
    if (!out) {
      outcome = "resident";
    } else if (stored == prev_stored) {
      /* 6.12 on: a zero page goes to the swap zeromap, never to zswap. */
      outcome = is_zero ? "zero" : "reject";
    } else if (same > prev_same) {
      outcome = "same";
    } else if (raw > prev_raw) {
      outcome = "raw";
    } else {
      outcome = "stored";
      length = cur0 < 0 ? 0 : cur - prev_cur;
    }
    record("{\"kind\":\"page\",\"index\":%ld,\"outcome\":\"%s\",\"length\":%lld,"
           "\"pool_total_size\":%lld,\"tries\":%d}",
           i, outcome, length, pool, tries);
    prev_cur = cur;
    prev_stored = stored;
    prev_same = same;
    prev_raw = raw;
  }
  if (kprobe && marker >= 0) {
    read_allocs(npages, alloc_size, alloc_count);
    for (long i = 0; i < npages; i++) {
      if (alloc_count[i] == 0) continue;
      record("{\"kind\":\"alloc\",\"index\":%ld,\"size\":%lld,\"count\":%d}", i,
             alloc_size[i], alloc_count[i]);
    }
  }

  dump_debugfs();
  snprintf(path, sizeof path, "%s/memory.stat", cg);
  record("{\"kind\":\"stats\",\"zswap_current\":%lld,\"pswpout\":%lld,\"zswpout\":%lld,"
         "\"memcg_zswapped\":%lld,\"memcg_zswap\":%lld}",
         read_num(zcur), read_key("/proc/vmstat", "pswpout"), read_key("/proc/vmstat", "zswpout"),
         read_key(path, "zswapped"), read_key(path, "zswap"));

  /* Read every page back (each access swaps it in through zswap or the disk) and compare. */
  static unsigned char want[PAGE];
  long mismatches = 0, first = -1;
  for (long i = 0; i < npages; i++) {
    if (pread(src, want, PAGE, (off_t)i * PAGE) != PAGE) fail("re-read pages device");
    if (memcmp(want, map + (size_t)i * PAGE, PAGE) != 0) {
      if (first < 0) first = i;
      mismatches++;
    }
  }
  record("{\"kind\":\"verify\",\"pages\":%ld,\"mismatches\":%ld,\"first_mismatch\":%ld,"
         "\"zswpin\":%lld,\"pswpin\":%lld}",
         npages, mismatches, first, read_key("/proc/vmstat", "zswpin"),
         read_key("/proc/vmstat", "pswpin"));
  return 0;
}
