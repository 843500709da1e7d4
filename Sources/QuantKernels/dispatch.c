// Runtime choice between the AVX2/FMA/F16C kernels and the portable ones. Both give the same
// bits (the summation order is fixed by the header's contract), so the choice only affects speed;
// tests flip it with ftq_force_portable to check exactly that.
#include <stdlib.h>
#include "ftq_internal.h"

// -1: not yet decided; otherwise 1 (AVX2) or 0 (portable). Racing first calls all compute the
// same answer, so a plain int written twice is harmless.
static volatile int cpu_choice = -1;
static volatile int forced_portable = 0;

static int decide(void) {
#if defined(__x86_64__) || defined(__i386__)
    const char *env = getenv("FTLAB_PORTABLE_KERNELS");
    if (env && env[0] == '1') return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
    return 0;
#endif
}

int ftq_avx2_active(void) {
    if (forced_portable) return 0;
    int c = cpu_choice;
    if (c < 0) cpu_choice = c = decide();
    return c;
}

int ftq_using_avx2(void) { return ftq_avx2_active(); }

void ftq_force_portable(int on) { forced_portable = on ? 1 : 0; }

// AVX-512 for the panel path: decided once like AVX2, on top of it.
static volatile int cpu512_choice = -1;
static volatile int forced_no_avx512 = 0;

static int decide512(void) {
#if defined(__x86_64__)
    const char *env = getenv("FTLAB_NO_AVX512");
    if (env && env[0] == '1') return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

int ftq_avx512_active(void) {
    if (forced_no_avx512 || !ftq_avx2_active()) return 0;
    int c = cpu512_choice;
    if (c < 0) cpu512_choice = c = decide512();
    return c;
}

int ftq_using_avx512(void) { return ftq_avx512_active(); }

void ftq_force_no_avx512(int on) { forced_no_avx512 = on ? 1 : 0; }
