// Shared by the QuantKernels sources, not exported: block geometry, the exact half → float
// conversion, and the portable / AVX2 implementations that the public entry points dispatch to.
#ifndef FTLAB_QUANT_KERNELS_INTERNAL_H
#define FTLAB_QUANT_KERNELS_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "QuantKernels.h"

// Elements per block and bytes per block of each supported type (0 for unsupported ids).
static inline int64_t ftq_block_elems(int type) {
    switch (type) {
    case FTQ_F32: case FTQ_F16: case FTQ_BF16: return 1;
    case FTQ_Q4_0: case FTQ_Q4_1: case FTQ_Q5_0: case FTQ_Q5_1: case FTQ_Q8_0: return 32;
    case FTQ_Q4_K: case FTQ_Q5_K: case FTQ_Q6_K: return 256;
    default: return 0;
    }
}

static inline int64_t ftq_block_bytes(int type) {
    switch (type) {
    case FTQ_F32: return 4;
    case FTQ_F16: case FTQ_BF16: return 2;
    case FTQ_Q4_0: return 18;
    case FTQ_Q4_1: return 20;
    case FTQ_Q5_0: return 22;
    case FTQ_Q5_1: return 24;
    case FTQ_Q8_0: return 34;
    case FTQ_Q4_K: return 144;
    case FTQ_Q5_K: return 176;
    case FTQ_Q6_K: return 210;
    default: return 0;
    }
}

static inline float ftq_bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t ftq_float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// Little-endian loads from possibly unaligned block fields (GGUF alignment may be 1).
static inline uint16_t ftq_load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t ftq_load_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

// Half → float, F. Giesen's "half_to_float_fast5" — the same integer recipe as the Swift
// HalfFloat.toFloat, so subnormals, infinities and NaN payloads come out with the same bits.
// The subnormal case renormalises with one float subtraction, exact (its result is normal).
static inline float ftq_half_to_float(uint16_t h) {
    const uint32_t shifted_exp = 0x7C00u << 13;
    uint32_t o = (uint32_t)(h & 0x7FFF) << 13;
    uint32_t exp = o & shifted_exp;
    o += (uint32_t)(127 - 15) << 23;
    if (exp == shifted_exp) {
        o += (uint32_t)(128 - 16) << 23;
    } else if (exp == 0) {
        o += 1u << 23;
        o = ftq_float_to_bits(ftq_bits_to_float(o) - ftq_bits_to_float(113u << 23));
    }
    return ftq_bits_to_float(o | ((uint32_t)(h & 0x8000) << 16));
}

static inline float ftq_load_half(const uint8_t *p) { return ftq_half_to_float(ftq_load_u16(p)); }

// ggml's get_scale_min_k4: 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block.
static inline void ftq_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// The contract's final reduction of the 8 lane accumulators.
static inline float ftq_reduce8(const float acc[8]) {
    float h0 = acc[0] + acc[4], h1 = acc[1] + acc[5], h2 = acc[2] + acc[6], h3 = acc[3] + acc[7];
    return (h0 + h2) + (h1 + h3);
}

// The contract's dot over n elements in plain C (fmaf per element). Lanes past n keep their
// value: the tail loop just stops.
static inline float ftq_dot_portable(const float *a, const float *b, int64_t n) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t kk = 0;
    for (; kk + 8 <= n; kk += 8)
        for (int l = 0; l < 8; l++) acc[l] = fmaf(a[kk + l], b[kk + l], acc[l]);
    for (int l = 0; kk + l < n; l++) acc[l] = fmaf(a[kk + l], b[kk + l], acc[l]);
    return ftq_reduce8(acc);
}

// 1 when the AVX2/FMA/F16C kernels are to be used (dispatch.c).
int ftq_avx2_active(void);
// 1 when, in addition, the panel path may use AVX-512 (F, DQ, VL) FMAs (dispatch.c).
int ftq_avx512_active(void);

// Portable implementations (plain C, fmaf() where the contract fuses).
void ftq_dequantize_row_portable(int type, const void *row, int64_t k, float *out);
void ftq_matmul_portable(int type, const void *w, size_t row_bytes, int64_t k,
                         const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                         float *y, int64_t ldy, int accumulate, float *scratch);

// AVX2/FMA/F16C implementations: same bits as the portable ones.
// ftq_dequantize_row_avx2 returns 0 (doing nothing) for types it has no vector kernel for.
int ftq_dequantize_row_avx2(int type, const void *row, int64_t k, float *out);
void ftq_matmul_avx2(int type, const void *w, size_t row_bytes, int64_t k,
                     const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                     float *y, int64_t ldy, int accumulate, float *scratch);

// Scratch floats the AVX2 matmul needs (the public ftq_matmul_scratch_floats covers both paths).
size_t ftq_matmul_avx2_scratch_floats(int64_t k);

// The panel path (many x rows) with AVX-512 FMAs, two contract accumulators per zmm register:
// same bits again (matmul_avx512.c). Called by ftq_matmul_avx2 when ftq_avx512_active().
void ftq_matmul_avx512_paneled(int type, const void *w, size_t row_bytes, int64_t k,
                               const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                               float *y, int64_t ldy, int accumulate, float *scratch);
size_t ftq_matmul_avx512_scratch_floats(int64_t k);

#endif
