// Preloaded into the server by scripts/StartupOrder: records which methods run.
//
// Before anything runs, it writes a breakpoint (int3) over the first byte of every method named in
// $FIRST_CALLS_ADDRESSES (sorted 64-bit addresses, relative to the executable). The first call of a
// method traps here; the handler marks the method in $FIRST_CALLS_HITS (one byte per address, a
// shared file the tool reads while the server runs), puts the byte back and resumes the call. So
// each method costs one trap, only the first time.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

static uint64_t *addresses;   // absolute, sorted
static uint8_t *saved;        // the byte each breakpoint replaced
static volatile uint8_t *hits;
static size_t count;

static long find(uint64_t address) {
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (addresses[middle] < address) low = middle + 1; else high = middle;
    }
    return low < count && addresses[low] == address ? (long)low : -1;
}

static void on_trap(int signal, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    uint64_t at = uc->uc_mcontext.gregs[REG_RIP] - 1;
    long i = find(at);
    if (i < 0) abort(); // not ours
    *(volatile uint8_t *)at = saved[i]; // another thread may have put it back already: same byte
    hits[i] = 1;
    uc->uc_mcontext.gregs[REG_RIP] = at;
}

static void *map_file(const char *path, size_t *size, int writable) {
    int fd = open(path, writable ? O_RDWR : O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(path); exit(70); }
    *size = st.st_size;
    void *p = mmap(NULL, st.st_size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) { perror(path); exit(70); }
    return p;
}

__attribute__((constructor)) static void arm(void) {
    const char *addresses_path = getenv("FIRST_CALLS_ADDRESSES"), *hits_path = getenv("FIRST_CALLS_HITS");
    if (!addresses_path || !hits_path) return;
    size_t size;
    const uint64_t *relative = map_file(addresses_path, &size, 0);
    count = size / 8;
    hits = map_file(hits_path, &size, 1);
    addresses = malloc(count * 8);
    saved = malloc(count);

    // The executable's load address: the start of its first mapping (its first segment is at 0).
    char exe[4096], line[8192];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    uint64_t base = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    while (!base && fgets(line, sizeof line, maps)) {
        unsigned long from; char path[4096] = "";
        if (sscanf(line, "%lx-%*x %*s %*s %*s %*s %4095s", &from, path) == 2 && strcmp(path, exe) == 0) base = from;
    }
    fclose(maps);

    struct sigaction action = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO | SA_RESTART };
    sigemptyset(&action.sa_mask);
    sigaction(SIGTRAP, &action, NULL);

    uint64_t page = sysconf(_SC_PAGESIZE), first = (base + relative[0]) & ~(page - 1);
    if (mprotect((void *)first, base + relative[count - 1] + page - first, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) { perror("mprotect"); exit(70); }
    for (size_t i = 0; i < count; i++) {
        uint8_t *at = (uint8_t *)(base + relative[i]);
        addresses[i] = (uint64_t)at;
        saved[i] = *at;
        *at = 0xCC;
    }
}
