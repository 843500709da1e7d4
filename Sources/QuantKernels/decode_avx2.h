// AVX2 decoders of 32 consecutive elements of a weight row into four ymm registers — the same
// floats, bit for bit, as dequantize_portable.c: products by the scale use _mm256_mul_ps and the
// offset a separate _mm256_add_ps / _mm256_sub_ps (never an FMA), integer → float conversions
// are exact, and scales are turned into floats exactly as the scalar code does. Shared by
// dequantize_avx2.c (which stores the registers) and matmul_avx2.c (which feeds them straight
// into FMAs, or into its scratch panel).
//
// Only included from files compiled for x86-64; every function carries the avx2/fma/f16c target
// attribute so the rest of the package keeps the baseline instruction set.
#ifndef FTLAB_QUANT_KERNELS_DECODE_AVX2_H
#define FTLAB_QUANT_KERNELS_DECODE_AVX2_H

#include <immintrin.h>
#include "ftq_internal.h"

#define FTQ_TARGET __attribute__((target("avx2,fma,f16c")))
#define FTQ_INLINE static inline __attribute__((always_inline, target("avx2,fma,f16c")))

// A scale stored as a half. F16C's conversion equals ftq_half_to_float except that it quiets
// signalling NaNs; a NaN scale makes every product NaN anyway (the multiply quiets it too), so
// the results are the same.
FTQ_INLINE float half_scale(const uint8_t *p) { return _cvtsh_ss(ftq_load_u16(p)); }

// Lanes < n set (n in 0..8).
FTQ_INLINE __m256i lane_mask(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// 16 bytes → two vectors of 8 floats, each byte read as unsigned / signed.
FTQ_INLINE void u8x16_to_f32(__m128i b, __m256 *v0, __m256 *v1) {
    *v0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b));
    *v1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(b, 8)));
}
FTQ_INLINE void i8x16_to_f32(__m128i b, __m256 *v0, __m256 *v1) {
    *v0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b));
    *v1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(b, 8)));
}

// Bit j of qh → byte j = 0x10 if set, else 0 (j < 32): the 5th bit of Q5 elements, in place.
FTQ_INLINE __m256i q5_high_bits(uint32_t qh) {
    const __m256i shuf = _mm256_setr_epi64x(0x0000000000000000LL, 0x0101010101010101LL,
                                            0x0202020202020202LL, 0x0303030303030303LL);
    const __m256i bitsel = _mm256_set1_epi64x(0x7fbfdfeff7fbfdfeLL);
    __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh), shuf);
    b = _mm256_cmpeq_epi8(_mm256_or_si256(b, bitsel), _mm256_set1_epi8(-1));
    return _mm256_and_si256(b, _mm256_set1_epi8(0x10));
}

// The 32 nibbles of a Q5 block's qs[16], in element order: low nibbles then high nibbles.
FTQ_INLINE __m256i q4_nibbles(const uint8_t *qs) {
    const __m128i v = _mm_loadu_si128((const __m128i *)qs);
    const __m128i m = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), m), _mm_and_si128(v, m));
}

// ---- 32-element blocks (chunk c = block c) ----

FTQ_INLINE void decode_q8_0(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + c * 34;
    const __m256 d = _mm256_set1_ps(half_scale(b));
    const __m128i q0 = _mm_loadu_si128((const __m128i *)(b + 2));
    const __m128i q1 = _mm_loadu_si128((const __m128i *)(b + 18));
    i8x16_to_f32(q0, &w[0], &w[1]);
    i8x16_to_f32(q1, &w[2], &w[3]);
    for (int i = 0; i < 4; i++) w[i] = _mm256_mul_ps(w[i], d);
}

// Q4_0 / Q4_1: 8 bytes of qs widened to 8 dwords give elements j … j + 7 (low nibbles) and
// j + 16 … j + 23 (high nibbles) with one mask / one shift each.
FTQ_INLINE void q4_nibbles_i32(const uint8_t *qs, __m256i q[4]) {
    const __m256i lo = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)qs));
    const __m256i hi = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(qs + 8)));
    const __m256i m = _mm256_set1_epi32(0x0F);
    q[0] = _mm256_and_si256(lo, m);
    q[1] = _mm256_and_si256(hi, m);
    q[2] = _mm256_srli_epi32(lo, 4);
    q[3] = _mm256_srli_epi32(hi, 4);
}

FTQ_INLINE void decode_q4_0(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + c * 18;
    const __m256 d = _mm256_set1_ps(half_scale(b));
    __m256i q[4];
    q4_nibbles_i32(b + 2, q);
    for (int i = 0; i < 4; i++)  // (q − 8) in integers, then one exact conversion
        w[i] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(q[i], _mm256_set1_epi32(8))), d);
}

FTQ_INLINE void decode_q4_1(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + c * 20;
    const __m256 d = _mm256_set1_ps(half_scale(b)), m = _mm256_set1_ps(half_scale(b + 2));
    __m256i q[4];
    q4_nibbles_i32(b + 4, q);
    for (int i = 0; i < 4; i++) w[i] = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(q[i]), d), m);
}

FTQ_INLINE void decode_q5_0(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + c * 22;
    const __m256 d = _mm256_set1_ps(half_scale(b));
    __m256i q = _mm256_or_si256(q4_nibbles(b + 6), q5_high_bits(ftq_load_u32(b + 2)));
    q = _mm256_sub_epi8(q, _mm256_set1_epi8(16));  // q − 16: exact, as in float
    i8x16_to_f32(_mm256_castsi256_si128(q), &w[0], &w[1]);
    i8x16_to_f32(_mm256_extracti128_si256(q, 1), &w[2], &w[3]);
    for (int i = 0; i < 4; i++) w[i] = _mm256_mul_ps(w[i], d);
}

FTQ_INLINE void decode_q5_1(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + c * 24;
    const __m256 d = _mm256_set1_ps(half_scale(b)), m = _mm256_set1_ps(half_scale(b + 2));
    const __m256i q = _mm256_or_si256(q4_nibbles(b + 8), q5_high_bits(ftq_load_u32(b + 4)));
    u8x16_to_f32(_mm256_castsi256_si128(q), &w[0], &w[1]);
    u8x16_to_f32(_mm256_extracti128_si256(q, 1), &w[2], &w[3]);
    for (int i = 0; i < 4; i++) w[i] = _mm256_add_ps(_mm256_mul_ps(w[i], d), m);
}

// ---- 256-element K blocks: chunk c is sub-block c & 7 of super-block c >> 3 ----

// Q4_K sub-block s: bytes qs[32·(s/2) ...], low nibbles for even s, high for odd; x = d1·q − min1.
FTQ_INLINE void decode_q4_K(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + (c >> 3) * 144;
    const int s = (int)(c & 7);
    uint8_t sc, mn;
    ftq_scale_min_k4(s, b + 4, &sc, &mn);
    const __m256 d1 = _mm256_set1_ps(half_scale(b) * (float)sc);
    const __m256 m1 = _mm256_set1_ps(half_scale(b + 2) * (float)mn);
    __m256i v = _mm256_loadu_si256((const __m256i *)(b + 16 + 32 * (s >> 1)));
    v = _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128(4 * (s & 1))), _mm256_set1_epi8(0x0F));
    u8x16_to_f32(_mm256_castsi256_si128(v), &w[0], &w[1]);
    u8x16_to_f32(_mm256_extracti128_si256(v, 1), &w[2], &w[3]);
    for (int i = 0; i < 4; i++) w[i] = _mm256_sub_ps(_mm256_mul_ps(d1, w[i]), m1);
}

// Q5_K: as Q4_K, plus bit s of qh[l] as the 5th bit (moved to bit 4 of each byte: a 16-bit
// shift by |s − 4| brings in only bits that the 0x10 mask then drops).
FTQ_INLINE void decode_q5_K(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + (c >> 3) * 176;
    const int s = (int)(c & 7);
    uint8_t sc, mn;
    ftq_scale_min_k4(s, b + 4, &sc, &mn);
    const __m256 d1 = _mm256_set1_ps(half_scale(b) * (float)sc);
    const __m256 m1 = _mm256_set1_ps(half_scale(b + 2) * (float)mn);
    __m256i v = _mm256_loadu_si256((const __m256i *)(b + 48 + 32 * (s >> 1)));
    v = _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128(4 * (s & 1))), _mm256_set1_epi8(0x0F));
    __m256i h = _mm256_loadu_si256((const __m256i *)(b + 16));
    h = s <= 4 ? _mm256_sll_epi16(h, _mm_cvtsi32_si128(4 - s)) : _mm256_srl_epi16(h, _mm_cvtsi32_si128(s - 4));
    v = _mm256_or_si256(v, _mm256_and_si256(h, _mm256_set1_epi8(0x10)));
    u8x16_to_f32(_mm256_castsi256_si128(v), &w[0], &w[1]);
    u8x16_to_f32(_mm256_extracti128_si256(v, 1), &w[2], &w[3]);
    for (int i = 0; i < 4; i++) w[i] = _mm256_sub_ps(_mm256_mul_ps(d1, w[i]), m1);
}

// Q6_K: chunk t (0..3) of half h holds, for l < 32, q = nibble (low for t < 2, high otherwise) of
// ql[64h + 32·(t&1) + l] | ((qh[32h + l] >> 2t) & 3) << 4; lanes l < 16 use scale 8h + 2t, the
// rest 8h + 2t + 1; x = (d·sc)·(q − 32).
FTQ_INLINE void decode_q6_K(const uint8_t *row, int64_t c, __m256 w[4]) {
    const uint8_t *b = row + (c >> 3) * 210;
    const int h = (int)((c >> 2) & 1), t = (int)(c & 3);
    const int8_t *sc = (const int8_t *)(b + 192) + 8 * h + 2 * t;
    const float d = half_scale(b + 208);
    const __m256 s0 = _mm256_set1_ps(d * (float)sc[0]), s1 = _mm256_set1_ps(d * (float)sc[1]);
    __m256i v = _mm256_loadu_si256((const __m256i *)(b + 64 * h + 32 * (t & 1)));
    v = _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128(4 * (t >> 1))), _mm256_set1_epi8(0x0F));
    __m256i hb = _mm256_loadu_si256((const __m256i *)(b + 128 + 32 * h));
    hb = _mm256_and_si256(_mm256_srl_epi16(hb, _mm_cvtsi32_si128(2 * t)), _mm256_set1_epi8(3));
    v = _mm256_sub_epi8(_mm256_or_si256(v, _mm256_slli_epi16(hb, 4)), _mm256_set1_epi8(32));
    i8x16_to_f32(_mm256_castsi256_si128(v), &w[0], &w[1]);
    i8x16_to_f32(_mm256_extracti128_si256(v, 1), &w[2], &w[3]);
    w[0] = _mm256_mul_ps(s0, w[0]);
    w[1] = _mm256_mul_ps(s0, w[1]);
    w[2] = _mm256_mul_ps(s1, w[2]);
    w[3] = _mm256_mul_ps(s1, w[3]);
}

// ---- scalar types: chunk c is elements 32c … 32c + 31 (the last one may be partial) ----

// Exact half → float for 8 values: F16C, unless one of them is Inf/NaN (F16C would quiet a
// signalling NaN, which the Swift conversion keeps): then the scalar recipe.
FTQ_INLINE __m256 half8_to_f32(const uint8_t *p) {
    const __m128i h = _mm_loadu_si128((const __m128i *)p);
    const __m128i e = _mm_and_si128(h, _mm_set1_epi16(0x7C00));
    if (__builtin_expect(!_mm_testz_si128(_mm_cmpeq_epi16(e, _mm_set1_epi16(0x7C00)), _mm_set1_epi16(-1)), 0)) {
        float f[8];
        for (int i = 0; i < 8; i++) f[i] = ftq_load_half(p + 2 * i);
        return _mm256_loadu_ps(f);
    }
    return _mm256_cvtph_ps(h);
}

FTQ_INLINE __m256 bf16x8_to_f32(const uint8_t *p) {
    const __m128i h = _mm_loadu_si128((const __m128i *)p);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

FTQ_INLINE void decode_f32(const uint8_t *row, int64_t c, __m256 w[4]) {
    const float *p = (const float *)(row + c * 128);
    for (int i = 0; i < 4; i++) w[i] = _mm256_loadu_ps(p + 8 * i);
}
FTQ_INLINE void decode_f16(const uint8_t *row, int64_t c, __m256 w[4]) {
    for (int i = 0; i < 4; i++) w[i] = half8_to_f32(row + c * 64 + 16 * i);
}
FTQ_INLINE void decode_bf16(const uint8_t *row, int64_t c, __m256 w[4]) {
    for (int i = 0; i < 4; i++) w[i] = bf16x8_to_f32(row + c * 64 + 16 * i);
}

// The last, partial chunk of a scalar-type row: `n` (1..31) valid elements, the other lanes
// +0.0 (so that an FMA with them leaves an accumulator unchanged). Goes through a small
// buffer: it runs once per row.
FTQ_INLINE void decode_scalar_tail(int type, const uint8_t *row, int64_t c, int64_t n, __m256 w[4]) {
    float f[32] = {0};
    if (type == FTQ_F32) {
        memcpy(f, row + c * 128, (size_t)n * 4);
    } else {
        uint16_t h[32] = {0};
        memcpy(h, row + c * 64, (size_t)n * 2);
        for (int64_t i = 0; i < n; i++)
            f[i] = type == FTQ_F16 ? ftq_half_to_float(h[i]) : ftq_bits_to_float((uint32_t)h[i] << 16);
    }
    for (int i = 0; i < 4; i++) w[i] = _mm256_loadu_ps(f + 8 * i);
}

// Dispatch on a compile-time constant `type` (every caller is specialised per type, so the
// switch folds away).
FTQ_INLINE void decode32(int type, const uint8_t *row, int64_t c, __m256 w[4]) {
    switch (type) {
    case FTQ_Q8_0: decode_q8_0(row, c, w); break;
    case FTQ_Q4_0: decode_q4_0(row, c, w); break;
    case FTQ_Q4_1: decode_q4_1(row, c, w); break;
    case FTQ_Q5_0: decode_q5_0(row, c, w); break;
    case FTQ_Q5_1: decode_q5_1(row, c, w); break;
    case FTQ_Q4_K: decode_q4_K(row, c, w); break;
    case FTQ_Q5_K: decode_q5_K(row, c, w); break;
    case FTQ_Q6_K: decode_q6_K(row, c, w); break;
    case FTQ_F32: decode_f32(row, c, w); break;
    case FTQ_F16: decode_f16(row, c, w); break;
    case FTQ_BF16: decode_bf16(row, c, w); break;
    default: for (int i = 0; i < 4; i++) w[i] = _mm256_setzero_ps(); break;
    }
}

#endif
