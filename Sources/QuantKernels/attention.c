// The two attention products of a decode/prefill step, on fp32 q, K, V and probabilities:
// scores (q·kᵀ, the contract's 8-lane dot, then one multiply by scale) and weighted values
// (a running fmaf over the keys, in key order). Portable and AVX2 versions give the same bits:
// the AVX2 one keeps lane l of each accumulator on exactly the elements the contract gives it.
#include "ftq_internal.h"

static void scores_portable(const float *q, int64_t ldq, int64_t m, const float *keys, int64_t ldk, int64_t n,
                            int64_t d, float scale, float *out, int64_t ldo) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
            out[i * ldo + j] = scale * ftq_dot_portable(q + i * ldq, keys + j * ldk, d);
}

static void weighted_values_portable(const float *p, int64_t ldp, int64_t m, const float *v, int64_t ldv,
                                     int64_t n, int64_t d, float *out, int64_t ldo, int accumulate) {
    for (int64_t i = 0; i < m; i++) {
        float *o = out + i * ldo;
        if (!accumulate)
            for (int64_t e = 0; e < d; e++) o[e] = 0.0f;
        for (int64_t j = 0; j < n; j++) {
            const float pj = p[i * ldp + j];
            const float *vj = v + j * ldv;
            for (int64_t e = 0; e < d; e++) o[e] = fmaf(pj, vj[e], o[e]);
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define FTQ_AVX2 __attribute__((target("avx2,fma,f16c")))
#define FTQ_AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma,f16c")))

// Lanes < rem set (rem in 1..8): the tail of a row that is not a multiple of 8 long. Masked-off
// lanes load as +0.0, and fma(0, 0, acc) leaves acc unchanged (acc is never −0: it starts at
// +0 and an exact cancellation rounds to +0), so the tail gives the contract's bits.
FTQ_AVX2 static inline __m256i tail_mask(int64_t rem) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rem), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

FTQ_AVX2 static inline float reduce_ymm(__m256 acc) {
    float a[8];
    _mm256_storeu_ps(a, acc);
    return ftq_reduce8(a);
}

// NK keys at a time against one query: NK independent FMA chains hide the FMA latency.
FTQ_AVX2_INLINE void scores_keys(int NK, const float *qi, const float *kj, int64_t ldk, int64_t d, float scale,
                                 float *oi) {
    const int64_t dv = d & ~(int64_t)7;
    __m256 a[8];
    for (int t = 0; t < NK; t++) a[t] = _mm256_setzero_ps();
    int64_t e = 0;
    for (; e < dv; e += 8) {
        const __m256 qv = _mm256_loadu_ps(qi + e);
        for (int t = 0; t < NK; t++) a[t] = _mm256_fmadd_ps(qv, _mm256_loadu_ps(kj + t * ldk + e), a[t]);
    }
    if (e < d) {
        const __m256i mask = tail_mask(d - e);
        const __m256 qv = _mm256_maskload_ps(qi + e, mask);
        for (int t = 0; t < NK; t++) a[t] = _mm256_fmadd_ps(qv, _mm256_maskload_ps(kj + t * ldk + e, mask), a[t]);
    }
    for (int t = 0; t < NK; t++) oi[t] = scale * reduce_ymm(a[t]);
}

FTQ_AVX2 static void scores_avx2(const float *q, int64_t ldq, int64_t m, const float *keys, int64_t ldk,
                                 int64_t n, int64_t d, float scale, float *out, int64_t ldo) {
    for (int64_t i = 0; i < m; i++) {
        const float *qi = q + i * ldq;
        float *oi = out + i * ldo;
        int64_t j = 0;
        for (; j + 8 <= n; j += 8) scores_keys(8, qi, keys + j * ldk, ldk, d, scale, oi + j);
        for (; j < n; j++) scores_keys(1, qi, keys + j * ldk, ldk, d, scale, oi + j);
    }
}

// NV·8 output elements (the last vector possibly masked) stay in registers for the whole pass
// over the keys; each element's fma chain runs over j in order, exactly as in the portable loop.
FTQ_AVX2_INLINE void weighted_block(int NV, const float *pi, const float *v, int64_t ldv, int64_t n, float *o,
                                    int64_t valid, int accumulate) {
    __m256 acc[8];
    const __m256i last = tail_mask(valid - 8 * (NV - 1));  // lanes of the last vector to use
    for (int t = 0; t < NV; t++) {
        const __m256i mk = t == NV - 1 ? last : _mm256_set1_epi32(-1);
        acc[t] = accumulate ? _mm256_maskload_ps(o + 8 * t, mk) : _mm256_setzero_ps();
    }
    for (int64_t j = 0; j < n; j++, v += ldv) {
        const __m256 pj = _mm256_broadcast_ss(pi + j);
        for (int t = 0; t < NV - 1; t++) acc[t] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(v + 8 * t), acc[t]);
        acc[NV - 1] = _mm256_fmadd_ps(pj, _mm256_maskload_ps(v + 8 * (NV - 1), last), acc[NV - 1]);
    }
    for (int t = 0; t < NV - 1; t++) _mm256_storeu_ps(o + 8 * t, acc[t]);
    _mm256_maskstore_ps(o + 8 * (NV - 1), last, acc[NV - 1]);
}

FTQ_AVX2 static void weighted_values_avx2(const float *p, int64_t ldp, int64_t m, const float *v, int64_t ldv,
                                          int64_t n, int64_t d, float *out, int64_t ldo, int accumulate) {
    for (int64_t i = 0; i < m; i++) {
        const float *pi = p + i * ldp;
        float *o = out + i * ldo;
        int64_t e = 0;
        for (; e + 64 <= d; e += 64) weighted_block(8, pi, v + e, ldv, n, o + e, 64, accumulate);
        for (; e < d; e += 32) {
            const int64_t valid = d - e < 32 ? d - e : 32;
            switch ((valid + 7) / 8) {
            case 1: weighted_block(1, pi, v + e, ldv, n, o + e, valid, accumulate); break;
            case 2: weighted_block(2, pi, v + e, ldv, n, o + e, valid, accumulate); break;
            case 3: weighted_block(3, pi, v + e, ldv, n, o + e, valid, accumulate); break;
            default: weighted_block(4, pi, v + e, ldv, n, o + e, valid, accumulate); break;
            }
        }
    }
}
#endif

void ftq_scores(const float *q, int64_t ldq, int64_t m, const float *keys, int64_t ldk, int64_t n,
                int64_t d, float scale, float *out, int64_t ldo) {
#if defined(__x86_64__)
    if (ftq_avx2_active()) { scores_avx2(q, ldq, m, keys, ldk, n, d, scale, out, ldo); return; }
#endif
    scores_portable(q, ldq, m, keys, ldk, n, d, scale, out, ldo);
}

void ftq_weighted_values(const float *p, int64_t ldp, int64_t m, const float *v, int64_t ldv, int64_t n,
                         int64_t d, float *out, int64_t ldo, int accumulate) {
#if defined(__x86_64__)
    if (ftq_avx2_active()) { weighted_values_avx2(p, ldp, m, v, ldv, n, d, out, ldo, accumulate); return; }
#endif
    weighted_values_portable(p, ldp, m, v, ldv, n, d, out, ldo, accumulate);
}
