/*
 * The floor of reading a trace.dat's ring-buffer pages, in C, for the copy goal of issue 17:
 * per round it maps the file and (1) copies every page with memcpy, (2) walks every page's
 * record headers counting data records, decoding nothing (the loop of
 * TraceDatBenchmark.walkRecords; header layout from trace-cmd.dat.v6(5) and ring_buffer.c:
 * type_len in bits 4:0, 1..28 the length in words, 0 a length word after it, 29 padding with a
 * length word, 30 and 31 an 8-byte time record), (3) the same walk with the next page
 * prefetched first (__builtin_prefetch, which Java has no equivalent of).
 * Usage: record-walk FILE [ROUNDS]; prints the median milliseconds of each over the rounds.
 * Built and run by vmx-bench/record-walk-baseline.sh.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { PAGE = 4096 };

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The first CPU data offset after "flyrecord\0" (a TraceDatMix v6 file), or -1. */
static long data_start(const uint8_t *m, long n) {
    static const char marker[] = "flyrecord";
    long limit = n < (1 << 20) ? n : (1 << 20);
    for (long at = 0; at + (long) sizeof marker + 8 <= limit; at++) {
        if (memcmp(m + at, marker, sizeof marker) == 0) {
            for (long cpu = at + sizeof marker; cpu + 16 <= n; cpu += 16) {
                uint64_t offset;
                memcpy(&offset, m + cpu, 8);
                if (offset != 0) {
                    return (long) offset;
                }
            }
        }
    }
    return -1;
}

static long walk(const uint8_t *m, long n, long first, int prefetch) {
    long records = 0;
    for (long page = first; page + PAGE <= n; page += PAGE) {
        if (prefetch && page + 2 * PAGE <= n) {
            for (int k = 0; k < PAGE; k += 64) {
                __builtin_prefetch(m + page + PAGE + k);
            }
        }
        uint64_t commit;
        memcpy(&commit, m + page + 8, 8);
        long end = page + 16 + (long) (commit & 0x7ffffff);
        long at = page + 16;
        while (at + 4 <= end) {
            uint32_t header;
            memcpy(&header, m + at, 4);
            uint32_t type = header & 31;
            if (type >= 30) {
                at += 8;
            } else if (type == 0 || type == 29) {
                int32_t length;
                memcpy(&length, m + at + 4, 4);
                if (length <= 0 || (type == 29 && (header >> 5) == 0)) {
                    break;
                }
                at += type == 0 ? 4 + ((length + 3) & ~3) : 4 + length;
                records += type == 0;
            } else {
                at += 4 + type * 4;
                records++;
            }
        }
    }
    return records;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [ROUNDS]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 15;
    if (rounds < 1 || rounds > 1000) {
        fprintf(stderr, "%s: ROUNDS must be 1..1000, not %s\n", argv[0], argv[2]);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    long n = lseek(fd, 0, SEEK_END);
    double *times[3];
    for (int k = 0; k < 3; k++) {
        times[k] = calloc(rounds, sizeof(double));
    }
    static uint8_t copy[PAGE];
    long sum = 0, records = 0;
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 3; k++) {
            double t0 = now_ms();
            const uint8_t *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED) {
                perror("mmap");
                return 1;
            }
            long first = data_start(m, n);
            if (first < 0) {
                fprintf(stderr, "%s: no flyrecord section with CPU data\n", argv[1]);
                return 1;
            }
            if (k == 0) {
                for (long at = first; at + PAGE <= n; at += PAGE) {
                    memcpy(copy, m + at, PAGE);
                    sum += copy[(at >> 12) & 63];
                }
            } else {
                records = walk(m, n, first, k == 2);
            }
            munmap((void *) m, n);
            times[k][r] = now_ms() - t0;
        }
    }
    const char *names[3] = {"memcpy of the pages", "record-header walk", "record-header walk, next page prefetched"};
    for (int k = 0; k < 3; k++) {
        qsort(times[k], rounds, sizeof(double), by_value);
        printf("%-42s %8.2f ms (median of %d)\n", names[k], times[k][rounds / 2], rounds);
    }
    printf("data records: %ld (checksum %ld)\n", records, sum);
    return 0;
}
