// The panel path of ftq_matmul (many x rows: prefill, batched decoding) with AVX-512 FMAs and
// the same bits as the AVX2 and portable paths.
//
// The contract gives each (row, feature) dot one 8-lane accumulator. A zmm register holds two of
// them side by side — lanes 0–7 for feature f, lanes 8–15 for feature f + 1 — with the x row's 8
// elements broadcast into both halves, so one 512-bit FMA advances two contract accumulators by
// exactly the fmaf each would get from a 256-bit FMA. Nothing is reordered: at the end each half
// goes through the contract's reduction on its own. Twice the FMA width per instruction is what
// a core with two 512-bit FMA ports (Intel server cores, Zen 5) turns into twice the products.
//
// The panel is laid out in feature pairs so that one aligned-or-not 64-byte load gives a pair's
// 8 + 8 weights: pair q holds, for each 8-element step s, [f = 2q: 8 floats][f = 2q + 1: 8 floats].
// A missing second feature (odd panel width) is zeros, computed and never stored.
#include "ftq_internal.h"

#if defined(__x86_64__)
#include "decode_avx2.h"

#define FTQ512_TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma,f16c")))
#define FTQ512_INLINE static inline __attribute__((always_inline, target("avx512f,avx512dq,avx512vl,avx2,fma,f16c")))

// Same blocking as the AVX2 panel path (matmul_avx2.c explains the numbers); NC is a multiple of
// the micro-kernel's 8 features.
#define P_KC 512
#define P_KC_MAX (P_KC + P_KC / 2)
#define P_NC 48
#define P_RB 128
#define PAIR_FLOATS (2 * P_KC_MAX)  // one feature pair of the panel

size_t ftq_matmul_avx512_scratch_floats(int64_t k) {
    (void)k;
    return (size_t)P_NC * P_KC_MAX + (size_t)P_RB * P_NC * 8;
}

FTQ512_INLINE float reduce8_512(__m256 a) {
    const __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    const __m128 t = _mm_add_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

FTQ512_INLINE void store_result512(float *out, float dot, int accumulate) {
    *out = accumulate ? *out + dot : dot;
}

// Dequantizes elements [kb, kb + klen) of features j … j + nc − 1 into the pair layout. A partial
// last chunk (scalar types) is stored zero-padded to 32, as in the AVX2 panel.
FTQ512_INLINE void fill_pairs(int type, const uint8_t *w, size_t row_bytes, int64_t k, int64_t j, int64_t nc,
                              int64_t kb, int64_t klen, float *panel) {
    __m256 wv[4];
    const int64_t c0 = kb / 32, c1 = (kb + klen) / 32;
    const int tail = (kb + klen) % 32 != 0;
    const int64_t chunks = c1 - c0 + tail;
    for (int64_t f = 0; f < nc + (nc & 1); f++) {
        float *p = panel + (f >> 1) * PAIR_FLOATS + (f & 1) * 8;
        if (f == nc) {
            for (int64_t s = 0; s < 4 * chunks; s++) _mm256_storeu_ps(p + 16 * s, _mm256_setzero_ps());
            break;
        }
        const uint8_t *row = w + (size_t)(j + f) * row_bytes;
        for (int64_t c = c0; c < c1; c++, p += 64) {
            decode32(type, row, c, wv);
            for (int i = 0; i < 4; i++) _mm256_storeu_ps(p + 16 * i, wv[i]);
        }
        if (tail) {
            decode_scalar_tail(type, row, c1, k - 32 * c1, wv);
            for (int i = 0; i < 4; i++) _mm256_storeu_ps(p + 16 * i, wv[i]);
        }
    }
}

// MR x rows × NP feature pairs (nf ≤ 2·NP real features) over one k slice of `steps` full 8-lane
// steps plus `rem` (0..7) trailing elements. Accumulators are parked between slices at the AVX2
// path's place for them (8 floats per (row, feature), P_NC features per row).
FTQ512_INLINE void micro512(int MR, int NP, const float *x, int64_t ldx, const float *p, int64_t steps,
                            int64_t rem, float *park, int first, int last, float *y, int64_t ldy,
                            int accumulate, int nf) {
    __m512 acc[4][4];
    for (int r = 0; r < MR; r++)
        for (int q = 0; q < NP; q++)
            acc[r][q] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(park + (r * P_NC + 2 * q) * 8);
    const float *xs[4] = {x, x + ldx, x + 2 * ldx, x + 3 * ldx};
    for (int64_t s = 0; s < steps; s++) {
        __m512 wv[4];
        for (int q = 0; q < NP; q++) wv[q] = _mm512_loadu_ps(p + q * PAIR_FLOATS + 16 * s);
        for (int r = 0; r < MR; r++) {
            const __m512 xv = _mm512_broadcast_f32x8(_mm256_loadu_ps(xs[r] + 8 * s));
            for (int q = 0; q < NP; q++) acc[r][q] = _mm512_fmadd_ps(xv, wv[q], acc[r][q]);
        }
    }
    if (rem) {  // x's tail masked to +0.0 in both halves; the panel is zero-padded there
        const __m256i m = lane_mask(rem);
        for (int r = 0; r < MR; r++) {
            const __m512 xv = _mm512_broadcast_f32x8(_mm256_maskload_ps(xs[r] + 8 * steps, m));
            for (int q = 0; q < NP; q++)
                acc[r][q] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(p + q * PAIR_FLOATS + 16 * steps), acc[r][q]);
        }
    }
    for (int r = 0; r < MR; r++)
        for (int q = 0; q < NP; q++) {
            if (!last) {
                _mm512_storeu_ps(park + (r * P_NC + 2 * q) * 8, acc[r][q]);
                continue;
            }
            store_result512(y + r * ldy + 2 * q, reduce8_512(_mm512_castps512_ps256(acc[r][q])), accumulate);
            if (2 * q + 1 < nf)
                store_result512(y + r * ldy + 2 * q + 1, reduce8_512(_mm512_extractf32x8_ps(acc[r][q], 1)), accumulate);
        }
}

#define MICRO512_CASE(MR, NP) \
    case (MR) * 8 + (NP): micro512(MR, NP, x, ldx, p, steps, rem, park, first, last, y, ldy, accumulate, nf); break;

// One non-inlined entry for the 16 shapes (4 rows × 4 pairs = 16 accumulators of the 32 zmm
// registers, plus 4 weight pairs and one x broadcast).
static FTQ512_TARGET void micro512_any(int mr, int np, const float *x, int64_t ldx, const float *p, int64_t steps,
                                       int64_t rem, float *park, int first, int last, float *y, int64_t ldy,
                                       int accumulate, int nf) {
    switch (mr * 8 + np) {
    MICRO512_CASE(4, 4) MICRO512_CASE(4, 3) MICRO512_CASE(4, 2) MICRO512_CASE(4, 1)
    MICRO512_CASE(3, 4) MICRO512_CASE(3, 3) MICRO512_CASE(3, 2) MICRO512_CASE(3, 1)
    MICRO512_CASE(2, 4) MICRO512_CASE(2, 3) MICRO512_CASE(2, 2) MICRO512_CASE(2, 1)
    MICRO512_CASE(1, 4) MICRO512_CASE(1, 3) MICRO512_CASE(1, 2) MICRO512_CASE(1, 1)
    default: break;
    }
}

FTQ512_INLINE void paneled512(int type, const uint8_t *w, size_t row_bytes, int64_t k, const float *x, int64_t ldx,
                              int64_t rows, int64_t j0, int64_t j1, float *y, int64_t ldy, int accumulate,
                              float *scratch) {
    float *panel = scratch, *park_all = scratch + P_NC * P_KC_MAX;
    // Balanced k slices of whole blocks, as in the AVX2 panel path.
    const int64_t align = ftq_block_elems(type) == 256 ? 256 : 32;
    const int64_t slices = k <= P_KC_MAX ? 1 : (k + P_KC - 1) / P_KC;
    const int64_t kc = ((k + slices - 1) / slices + align - 1) / align * align;
    for (int64_t jp = j0; jp < j1; jp += P_NC) {
        const int64_t nc = j1 - jp < P_NC ? j1 - jp : P_NC;
        const int64_t next_nc = j1 - jp - nc < P_NC ? j1 - jp - nc : P_NC;
        const char *pf = (const char *)w + (size_t)(jp + nc) * row_bytes;
        const int64_t pf_per_slice = ((int64_t)(next_nc * row_bytes) / 64 + slices) / slices;
        for (int64_t ib = 0; ib < rows; ib += P_RB) {
            const int64_t rbn = rows - ib < P_RB ? rows - ib : P_RB;
            for (int64_t kb = 0; kb < k; kb += kc) {
                const int64_t klen = k - kb < kc ? k - kb : kc;
                const int first = kb == 0, last = kb + klen == k;
                fill_pairs(type, w, row_bytes, k, jp, nc, kb, klen, panel);
                if (ib == 0)
                    for (int64_t t = 0; t < pf_per_slice; t++, pf += 64) _mm_prefetch(pf, _MM_HINT_T0);
                // Features outer, rows inner: the 8 features' slice of the panel (16 KB at the
                // longest slice) stays in L1 while the x rows stream past it from L2 — half the
                // L2 traffic per FMA of the other order, whose 48-feature panel does not fit L1.
                for (int64_t f = 0; f < nc; f += 8) {
                    const int nf = nc - f < 8 ? (int)(nc - f) : 8;
                    for (int64_t i = 0; i < rbn; i += 4) {
                        const int mr = rbn - i < 4 ? (int)(rbn - i) : 4;
                        micro512_any(mr, (nf + 1) / 2, x + (ib + i) * ldx + kb, ldx, panel + (f / 2) * PAIR_FLOATS,
                                     klen / 8, klen % 8, park_all + (i * P_NC + f) * 8, first, last,
                                     y + (ib + i) * ldy + jp + f, ldy, accumulate, nf);
                    }
                }
            }
        }
    }
}

#define TYPED512_FN(T, NAME)                                                                                \
    static FTQ512_TARGET void NAME(const void *w, size_t rb, int64_t k, const float *x, int64_t ldx,        \
                                   int64_t rows, int64_t j0, int64_t j1, float *y, int64_t ldy, int acc,    \
                                   float *scratch) {                                                        \
        paneled512(T, (const uint8_t *)w, rb, k, x, ldx, rows, j0, j1, y, ldy, acc, scratch);               \
    }
TYPED512_FN(FTQ_F32, p512_f32)
TYPED512_FN(FTQ_F16, p512_f16)
TYPED512_FN(FTQ_BF16, p512_bf16)
TYPED512_FN(FTQ_Q8_0, p512_q8_0)
TYPED512_FN(FTQ_Q4_0, p512_q4_0)
TYPED512_FN(FTQ_Q4_1, p512_q4_1)
TYPED512_FN(FTQ_Q5_0, p512_q5_0)
TYPED512_FN(FTQ_Q5_1, p512_q5_1)
TYPED512_FN(FTQ_Q4_K, p512_q4_K)
TYPED512_FN(FTQ_Q5_K, p512_q5_K)
TYPED512_FN(FTQ_Q6_K, p512_q6_K)

void ftq_matmul_avx512_paneled(int type, const void *w, size_t row_bytes, int64_t k,
                               const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                               float *y, int64_t ldy, int accumulate, float *scratch) {
    switch (type) {
    case FTQ_F32: p512_f32(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_F16: p512_f16(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_BF16: p512_bf16(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q8_0: p512_q8_0(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q4_0: p512_q4_0(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q4_1: p512_q4_1(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q5_0: p512_q5_0(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q5_1: p512_q5_1(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q4_K: p512_q4_K(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q5_K: p512_q5_K(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q6_K: p512_q6_K(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    default: ftq_matmul_portable(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    }
}

#else
size_t ftq_matmul_avx512_scratch_floats(int64_t k) { (void)k; return 0; }
void ftq_matmul_avx512_paneled(int type, const void *w, size_t row_bytes, int64_t k,
                               const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                               float *y, int64_t ldy, int accumulate, float *scratch) {
    ftq_matmul_portable(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch);
}
#endif
