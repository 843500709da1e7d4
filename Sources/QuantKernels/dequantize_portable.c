// Portable dequantizers: ggml's dequantize_row_* term by term, each product and sum rounded on
// its own (the target is built with -ffp-contract=off, so d*q + m is never fused). They give
// the same bits as the Swift BlockDequantizer / KQuantDequantizer, and are the reference the
// AVX2 versions (dequantize_avx2.c) must reproduce.
#include "ftq_internal.h"

static void deq_f32(const uint8_t *src, int64_t n, float *y) { memcpy(y, src, (size_t)n * 4); }

static void deq_f16(const uint8_t *src, int64_t n, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] = ftq_load_half(src + 2 * i);
}

// bfloat16 is the top half of an IEEE float32.
static void deq_bf16(const uint8_t *src, int64_t n, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] = ftq_bits_to_float((uint32_t)ftq_load_u16(src + 2 * i) << 16);
}

// Q8_0: d | qs[32] int8; x = q·d.
static void deq_q8_0(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 34, y += 32) {
        const float d = ftq_load_half(src);
        const int8_t *qs = (const int8_t *)(src + 2);
        for (int j = 0; j < 32; j++) y[j] = (float)qs[j] * d;
    }
}

// Q4_0: d | qs[16]; low nibbles are elements 0..15, high nibbles 16..31; x = (q − 8)·d.
static void deq_q4_0(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 18, y += 32) {
        const float d = ftq_load_half(src);
        const uint8_t *qs = src + 2;
        for (int j = 0; j < 16; j++) {
            y[j] = (float)((int)(qs[j] & 0x0F) - 8) * d;
            y[j + 16] = (float)((int)(qs[j] >> 4) - 8) * d;
        }
    }
}

// Q4_1: d m | qs[16]; x = q·d + m.
static void deq_q4_1(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 20, y += 32) {
        const float d = ftq_load_half(src), m = ftq_load_half(src + 2);
        const uint8_t *qs = src + 4;
        for (int j = 0; j < 16; j++) {
            y[j] = (float)(qs[j] & 0x0F) * d + m;
            y[j + 16] = (float)(qs[j] >> 4) * d + m;
        }
    }
}

// Q5_0: d | qh u32 | qs[16]; bit j of qh is the 5th bit of element j; x = (q − 16)·d.
static void deq_q5_0(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 22, y += 32) {
        const float d = ftq_load_half(src);
        const uint32_t qh = ftq_load_u32(src + 2);
        const uint8_t *qs = src + 6;
        for (int j = 0; j < 16; j++) {
            int q0 = (qs[j] & 0x0F) | (int)(((qh >> j) & 1) << 4);
            int q1 = (qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            y[j] = (float)(q0 - 16) * d;
            y[j + 16] = (float)(q1 - 16) * d;
        }
    }
}

// Q5_1: d m | qh u32 | qs[16]; x = q·d + m.
static void deq_q5_1(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 24, y += 32) {
        const float d = ftq_load_half(src), m = ftq_load_half(src + 2);
        const uint32_t qh = ftq_load_u32(src + 4);
        const uint8_t *qs = src + 8;
        for (int j = 0; j < 16; j++) {
            int q0 = (qs[j] & 0x0F) | (int)(((qh >> j) & 1) << 4);
            int q1 = (qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            y[j] = (float)q0 * d + m;
            y[j + 16] = (float)q1 * d + m;
        }
    }
}

// Q4_K: d dmin | scales[12] | qs[128]; 8 sub-blocks of 32, x = (d·sc)·q − (dmin·m).
static void deq_q4_K(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 144) {
        const float d = ftq_load_half(src), dmin = ftq_load_half(src + 2);
        const uint8_t *scales = src + 4, *q = src + 16;
        for (int pair = 0; pair < 4; pair++, q += 32, y += 64) {
            uint8_t sc1, m1, sc2, m2;
            ftq_scale_min_k4(2 * pair, scales, &sc1, &m1);
            ftq_scale_min_k4(2 * pair + 1, scales, &sc2, &m2);
            const float d1 = d * (float)sc1, min1 = dmin * (float)m1;
            const float d2 = d * (float)sc2, min2 = dmin * (float)m2;
            for (int l = 0; l < 32; l++) y[l] = d1 * (float)(q[l] & 0x0F) - min1;
            for (int l = 0; l < 32; l++) y[32 + l] = d2 * (float)(q[l] >> 4) - min2;
        }
    }
}

// Q5_K: d dmin | scales[12] | qh[32] | qs[128]; as Q4_K with a 5th bit from qh.
static void deq_q5_K(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 176) {
        const float d = ftq_load_half(src), dmin = ftq_load_half(src + 2);
        const uint8_t *scales = src + 4, *qh = src + 16, *ql = src + 48;
        uint8_t u1 = 1, u2 = 2;  // the qh bit holding the 5th bit of this pair's values
        for (int pair = 0; pair < 4; pair++, ql += 32, y += 64, u1 <<= 2, u2 <<= 2) {
            uint8_t sc1, m1, sc2, m2;
            ftq_scale_min_k4(2 * pair, scales, &sc1, &m1);
            ftq_scale_min_k4(2 * pair + 1, scales, &sc2, &m2);
            const float d1 = d * (float)sc1, min1 = dmin * (float)m1;
            const float d2 = d * (float)sc2, min2 = dmin * (float)m2;
            for (int l = 0; l < 32; l++) y[l] = d1 * (float)((ql[l] & 0x0F) + ((qh[l] & u1) ? 16 : 0)) - min1;
            for (int l = 0; l < 32; l++) y[32 + l] = d2 * (float)((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - min2;
        }
    }
}

// Q6_K: ql[128] | qh[64] | scales[16] int8 | d; x = (d·sc)·(q − 32), 16 values per scale.
static void deq_q6_K(const uint8_t *src, int64_t nb, float *y) {
    for (int64_t b = 0; b < nb; b++, src += 210, y += 256) {
        const int8_t *sc = (const int8_t *)(src + 192);
        const float d = ftq_load_half(src + 208);
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = src + 64 * half, *qh = src + 128 + 32 * half;
            float *yy = y + 128 * half;
            for (int l = 0; l < 32; l++) {
                const int s = 8 * half + l / 16;
                const int q1 = (ql[l] & 0x0F) | ((qh[l] & 3) << 4);
                const int q2 = (ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4);
                const int q3 = (ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4);
                const int q4 = (ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4);
                yy[l] = (d * (float)sc[s]) * (float)(q1 - 32);
                yy[l + 32] = (d * (float)sc[s + 2]) * (float)(q2 - 32);
                yy[l + 64] = (d * (float)sc[s + 4]) * (float)(q3 - 32);
                yy[l + 96] = (d * (float)sc[s + 6]) * (float)(q4 - 32);
            }
        }
    }
}

void ftq_dequantize_row_portable(int type, const void *row, int64_t k, float *out) {
    const uint8_t *src = (const uint8_t *)row;
    const int64_t be = ftq_block_elems(type);
    if (be == 0 || k <= 0) return;
    const int64_t nb = k / be;
    switch (type) {
    case FTQ_F32: deq_f32(src, k, out); break;
    case FTQ_F16: deq_f16(src, k, out); break;
    case FTQ_BF16: deq_bf16(src, k, out); break;
    case FTQ_Q8_0: deq_q8_0(src, nb, out); break;
    case FTQ_Q4_0: deq_q4_0(src, nb, out); break;
    case FTQ_Q4_1: deq_q4_1(src, nb, out); break;
    case FTQ_Q5_0: deq_q5_0(src, nb, out); break;
    case FTQ_Q5_1: deq_q5_1(src, nb, out); break;
    case FTQ_Q4_K: deq_q4_K(src, nb, out); break;
    case FTQ_Q5_K: deq_q5_K(src, nb, out); break;
    case FTQ_Q6_K: deq_q6_K(src, nb, out); break;
    default: break;
    }
}

// Public entry: the AVX2 kernel where one exists and the CPU allows, else the portable one.
void ftq_dequantize_row(int type, const void *row, int64_t k, float *out) {
    if (ftq_avx2_active() && ftq_dequantize_row_avx2(type, row, k, out)) return;
    ftq_dequantize_row_portable(type, row, k, out);
}
