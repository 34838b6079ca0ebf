/*
 * pagefeed: runs inside the zswapbench kernel-check guest (kernel/init.sh starts it).
 *
 * Usage: pagefeed PAGES_DEV NPAGES CGROUP_DIR
 *
 * Moves itself into CGROUP_DIR, copies NPAGES pages of 4096 bytes from PAGES_DEV into an anonymous
 * mapping, pages them out one at a time with madvise(MADV_PAGEOUT), and after each page reads the
 * group's memory.zswap.current (the sum of the stored compressed lengths in 6.1) and zswap's debugfs
 * counters, so each page's compressed length and the pool size after it are known. Then it dumps
 * every /sys/kernel/debug/zswap counter, reads every page back and compares it with the device.
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

  long long cur0 = read_num(zcur);
  if (cur0 < 0) fail("read memory.zswap.current");
  record("{\"kind\":\"start\",\"pages\":%ld,\"stored_pages\":%lld,\"pool_total_size\":%lld,"
         "\"zswap_current\":%lld,\"pswpout\":%lld}",
         npages, read_num(DEBUGFS "/stored_pages"), read_num(DEBUGFS "/pool_total_size"), cur0,
         read_key("/proc/vmstat", "pswpout"));

  long long prev_cur = cur0;
  long long prev_stored = read_num(DEBUGFS "/stored_pages");
  long long prev_same = read_num(DEBUGFS "/same_filled_pages");
  for (long i = 0; i < npages; i++) {
    unsigned char *p = map + (size_t)i * PAGE;
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
    long long pool = read_num(DEBUGFS "/pool_total_size");
    const char *outcome;
    long long length = 0;
    if (!out) {
      outcome = "resident";
    } else if (stored == prev_stored) {
      outcome = "reject";
    } else if (same > prev_same) {
      outcome = "same";
    } else {
      outcome = "stored";
      length = cur - prev_cur;
    }
    record("{\"kind\":\"page\",\"index\":%ld,\"outcome\":\"%s\",\"length\":%lld,"
           "\"pool_total_size\":%lld,\"tries\":%d}",
           i, outcome, length, pool, tries);
    prev_cur = cur;
    prev_stored = stored;
    prev_same = same;
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
