// AVX2/FMA ftq_matmul. Every (row i, feature j) result is the contract's dot — one ymm
// accumulator whose lane l takes fma(x[kk + l], w[kk + l], ·) for kk = 0, 8, 16, … in order,
// then the fixed reduction — so the bits equal the portable path's. Tiling only decides which
// dots run side by side; the accumulators may be parked in memory between k slices (exact).
//
// Two strategies:
//  * few rows (≤ FUSED_MAX_ROWS: decode, small batches): the weights are decoded 32 at a time
//    into registers and used at once for every x row of a group of ≤ 4 — no scratch traffic,
//    and decoding overlaps the FMAs; several features side by side give independent FMA chains.
//  * more rows (prefill, larger batches): a panel of NC features × one k slice is dequantized
//    into scratch once per row block and reused by a 4-row × 3-feature register-blocked
//    micro-kernel (12 accumulators); partial accumulators live in scratch between k slices.
// The constants below were measured on a Zen 5 core (AVX2 kernels): the fused path beats the
// panel up to 8 rows (12 for Q4_0/Q4_1/Q8_0) even though it decodes the weights once per 4 rows,
// because decoding overlaps the FMAs there while the panel's fill does not; NF1 = 8 features
// side by side for one row, plus explicit prefetch, keep enough cache lines in flight to stream
// weights from DRAM.
#include "ftq_internal.h"

// Tuning constants (each can be overridden with -D for experiments).
#ifndef FUSED_MAX_ROWS
#define FUSED_MAX_ROWS 8  // up to this many x rows: the fused path (+4 for some types)
#endif
#ifndef FUSED_FEATURE_BLOCK
#define FUSED_FEATURE_BLOCK 24  // a multiple of every NF below
#endif
#ifndef NF1
#define NF1 8    // features side by side when there is one x row
#endif
#ifndef NF2
#define NF2 4    // … with 2, 3, 4 rows: NR × NF ≤ 9 accumulators leave room for decoding
#endif
#ifndef NF3
#define NF3 3
#endif
#ifndef NF4
#define NF4 2
#endif
#ifndef FBAR
#define FBAR -1  // -1: per type (fused_barrier)
#endif
#ifndef KC
#define KC 512  // target k slice; slices are balanced and at most KC_MAX long
#endif
#define KC_MAX (KC + KC / 2)
#ifndef NC
#define NC 48   // features per panel (multiple of the micro-kernel's 3)
#endif
#ifndef RB
#define RB 128  // x rows per row block (multiple of the micro-kernel's 4)
#endif

#if defined(__x86_64__)
#include "decode_avx2.h"

size_t ftq_matmul_avx2_scratch_floats(int64_t k) {
    const size_t own = (size_t)NC * KC_MAX + (size_t)RB * NC * 8, avx512 = ftq_matmul_avx512_scratch_floats(k);
    return own > avx512 ? own : avx512;
}

// The contract's reduction: h[l] = acc[l] + acc[l + 4], then (h0 + h2) + (h1 + h3).
FTQ_INLINE float reduce8(__m256 a) {
    const __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    const __m128 t = _mm_add_ps(h, _mm_movehl_ps(h, h));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

FTQ_INLINE void store_result(float *out, float dot, int accumulate) {
    *out = accumulate ? *out + dot : dot;
}

// ---------------------------------------------------------------------------------------------
// Fused decode: NR x rows × NF features, all of k, weights decoded in registers.

// Whether to end each feature's work in fused_tile with a compiler barrier. Without it clang
// schedules the next features' decoding early, and for the 4-bit decoders (many temporaries)
// that spills the accumulators; with it, decoders that did not spill lose overlap. Chosen per
// type and row count from measurements (clang 21, Zen 5): the barrier gave +15–45 % for Q4_0 and
// Q4_1 with 2–8 rows and for Q4_K/Q5_K with 2 or 4 rows, and −10–40 % for Q8_0.
FTQ_INLINE int fused_barrier(int type, int NR) {
    if (FBAR >= 0) return FBAR;  // forced, for experiments
    switch (type) {
    case FTQ_Q4_0: case FTQ_Q4_1: return 1;
    case FTQ_Q4_K: case FTQ_Q5_K: return NR == 2 || NR == 4;
    default: return 0;
    }
}

FTQ_INLINE void fused_tile(int type, int NR, int NF, const uint8_t *w, size_t row_bytes, int64_t k,
                           const float *x, int64_t ldx, int64_t j, float *y, int64_t ldy, int accumulate) {
    __m256 acc[4][8];  // NR ≤ 4, NF ≤ 8
    const uint8_t *wr[8];
    const float *xr[4];
    for (int f = 0; f < NF; f++) wr[f] = w + (size_t)(j + f) * row_bytes;
    for (int r = 0; r < NR; r++) xr[r] = x + r * ldx;
    for (int r = 0; r < NR; r++)
        for (int f = 0; f < NF; f++) acc[r][f] = _mm256_setzero_ps();

    const int64_t chunks = k / 32;
    // Rows of a few hundred bytes are too short for the hardware prefetchers to ramp up on: the
    // next group's rows (contiguous, right after this group's) are fetched as fast as this
    // group's are consumed — NF chunks' worth of bytes per chunk, a compile-time count of lines
    // (a loop here would upset the scheduling of the FMA loop).
    const int chunk_bytes = (int)(ftq_block_bytes(type) * 32 / ftq_block_elems(type));
    const int pf_lines = (NF * chunk_bytes + 63) / 64;
    const char *pf = (const char *)w + (size_t)(j + NF) * row_bytes;
    __m256 wv[4];
#pragma clang loop unroll(disable)  // unrolling would only add register pressure (spills)
    for (int64_t c = 0; c < chunks; c++) {
        for (int t = 0; t < pf_lines; t++) _mm_prefetch(pf + 64 * t, _MM_HINT_T0);
        pf += NF * chunk_bytes;
        for (int f = 0; f < NF; f++) {
            decode32(type, wr[f], c, wv);
            for (int r = 0; r < NR; r++) {
                // x is re-read from L1 for every feature (FMAs with a memory operand): left to
                // itself the compiler keeps the NR × 4 x vectors in registers across features,
                // which with the accumulators spills to the stack. The empty asm hides that the
                // address is the same.
                const float *xp = xr[r] + 32 * c;
                __asm__("" : "+r"(xp));
                for (int i = 0; i < 4; i++)
                    acc[r][f] = _mm256_fmadd_ps(_mm256_loadu_ps(xp + 8 * i), wv[i], acc[r][f]);
            }
            if (fused_barrier(type, NR)) __asm__ volatile("" ::: "memory");
        }
    }
    const int64_t rem = k - 32 * chunks;
    if (ftq_block_elems(type) == 1 && rem) {  // scalar types only; masked lanes are +0.0 on
                                              // both sides, so acc is unchanged there
        for (int f = 0; f < NF; f++) {
            decode_scalar_tail(type, wr[f], chunks, rem, wv);
            for (int r = 0; r < NR; r++)
                for (int i = 0; i < 4 && 8 * i < rem; i++) {
                    const __m256 xv = _mm256_maskload_ps(xr[r] + 32 * chunks + 8 * i, lane_mask(rem - 8 * i));
                    acc[r][f] = _mm256_fmadd_ps(xv, wv[i], acc[r][f]);
                }
        }
    }
    for (int r = 0; r < NR; r++)
        for (int f = 0; f < NF; f++) store_result(y + r * ldy + j + f, reduce8(acc[r][f]), accumulate);
}

// Features side by side per row count (NF1 … NF4): enough independent FMA chains, ≤ 9 accumulators.
FTQ_INLINE void fused_rows(int type, int NR, const uint8_t *w, size_t row_bytes, int64_t k,
                           const float *x, int64_t ldx, int64_t j0, int64_t j1, float *y, int64_t ldy,
                           int accumulate) {
    const int NF = NR == 1 ? NF1 : NR == 2 ? NF2 : NR == 3 ? NF3 : NF4;
    int64_t j = j0;
    for (; j + NF <= j1; j += NF) fused_tile(type, NR, NF, w, row_bytes, k, x, ldx, j, y, ldy, accumulate);
    for (; j < j1; j++) fused_tile(type, NR, 1, w, row_bytes, k, x, ldx, j, y, ldy, accumulate);
}

FTQ_INLINE void fused_group(int type, const uint8_t *w, size_t row_bytes, int64_t k, const float *x, int64_t ldx,
                            int64_t nr, int64_t j0, int64_t j1, float *y, int64_t ldy, int accumulate) {
    switch (nr) {
    case 1: fused_rows(type, 1, w, row_bytes, k, x, ldx, j0, j1, y, ldy, accumulate); break;
    case 2: fused_rows(type, 2, w, row_bytes, k, x, ldx, j0, j1, y, ldy, accumulate); break;
    case 3: fused_rows(type, 3, w, row_bytes, k, x, ldx, j0, j1, y, ldy, accumulate); break;
    default: fused_rows(type, 4, w, row_bytes, k, x, ldx, j0, j1, y, ldy, accumulate); break;
    }
}

// Groups of ≤ 4 rows. With more than one group, features go in blocks of FUSED_FEATURE_BLOCK
// so that the later groups find the block's weights still in cache.
FTQ_INLINE void fused(int type, const uint8_t *w, size_t row_bytes, int64_t k, const float *x, int64_t ldx,
                      int64_t rows, int64_t j0, int64_t j1, float *y, int64_t ldy, int accumulate) {
    if (rows <= 4) {
        fused_group(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate);
        return;
    }
    for (int64_t jb = j0; jb < j1; jb += FUSED_FEATURE_BLOCK) {
        const int64_t je = j1 - jb < FUSED_FEATURE_BLOCK ? j1 : jb + FUSED_FEATURE_BLOCK;
        for (int64_t i = 0; i < rows; i += 4)
            fused_group(type, w, row_bytes, k, x + i * ldx, ldx, rows - i < 4 ? rows - i : 4, jb, je,
                        y + i * ldy, ldy, accumulate);
    }
}

// ---------------------------------------------------------------------------------------------
// Panel path.

// Dequantizes elements [kb, kb + klen) of features j … j + nc − 1 into panel rows of KC_MAX floats.
// A partial last chunk (scalar types) is stored zero-padded to 32.
FTQ_INLINE void fill_panel(int type, const uint8_t *w, size_t row_bytes, int64_t k, int64_t j, int64_t nc,
                           int64_t kb, int64_t klen, float *panel) {
    __m256 wv[4];
    const int64_t c0 = kb / 32, c1 = (kb + klen) / 32;
    for (int64_t f = 0; f < nc; f++) {
        const uint8_t *row = w + (size_t)(j + f) * row_bytes;
        float *p = panel + f * KC_MAX;
        for (int64_t c = c0; c < c1; c++, p += 32) {
            decode32(type, row, c, wv);
            for (int i = 0; i < 4; i++) _mm256_storeu_ps(p + 8 * i, wv[i]);
        }
        if ((kb + klen) % 32) {
            decode_scalar_tail(type, row, c1, k - 32 * c1, wv);
            for (int i = 0; i < 4; i++) _mm256_storeu_ps(p + 8 * i, wv[i]);
        }
    }
}

// MR x rows × NR panel features over one k slice of `steps` full 8-lane steps plus `rem` (0..7)
// trailing elements. Accumulators come from / go to `park` (8 floats per (row, feature), NC
// features per row) unless this is the first / last slice.
FTQ_INLINE void micro(int MR, int NR, const float *x, int64_t ldx, const float *p, int64_t steps, int64_t rem,
                      float *park, int first, int last, float *y, int64_t ldy, int accumulate) {
    __m256 acc[4][3];
    for (int r = 0; r < MR; r++)
        for (int f = 0; f < NR; f++)
            acc[r][f] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(park + (r * NC + f) * 8);
    const float *x0 = x, *x1 = x + ldx, *x2 = x + 2 * ldx, *x3 = x + 3 * ldx;
    const float *xs[4] = {x0, x1, x2, x3};
    for (int64_t s = 0; s < steps; s++) {
        __m256 wv[3];
        for (int f = 0; f < NR; f++) wv[f] = _mm256_loadu_ps(p + f * KC_MAX + 8 * s);
        for (int r = 0; r < MR; r++) {
            const __m256 xv = _mm256_loadu_ps(xs[r] + 8 * s);
            for (int f = 0; f < NR; f++) acc[r][f] = _mm256_fmadd_ps(xv, wv[f], acc[r][f]);
        }
    }
    if (rem) {  // x's tail masked to +0.0; the panel is zero-padded there
        const __m256i m = lane_mask(rem);
        for (int r = 0; r < MR; r++) {
            const __m256 xv = _mm256_maskload_ps(xs[r] + 8 * steps, m);
            for (int f = 0; f < NR; f++)
                acc[r][f] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(p + f * KC_MAX + 8 * steps), acc[r][f]);
        }
    }
    for (int r = 0; r < MR; r++)
        for (int f = 0; f < NR; f++) {
            if (last) store_result(y + r * ldy + f, reduce8(acc[r][f]), accumulate);
            else _mm256_storeu_ps(park + (r * NC + f) * 8, acc[r][f]);
        }
}

#define MICRO_CASE(MR, NR) \
    case (MR) * 4 + (NR): micro(MR, NR, x, ldx, p, steps, rem, park, first, last, y, ldy, accumulate); break;

// One non-inlined entry for the 12 micro-kernel shapes (the full 4 × 3 is by far the most used).
static FTQ_TARGET void micro_any(int mr, int nr, const float *x, int64_t ldx, const float *p, int64_t steps,
                                 int64_t rem, float *park, int first, int last, float *y, int64_t ldy,
                                 int accumulate) {
    switch (mr * 4 + nr) {
    MICRO_CASE(4, 3) MICRO_CASE(4, 2) MICRO_CASE(4, 1)
    MICRO_CASE(3, 3) MICRO_CASE(3, 2) MICRO_CASE(3, 1)
    MICRO_CASE(2, 3) MICRO_CASE(2, 2) MICRO_CASE(2, 1)
    MICRO_CASE(1, 3) MICRO_CASE(1, 2) MICRO_CASE(1, 1)
    default: break;
    }
}

FTQ_INLINE void paneled(int type, const uint8_t *w, size_t row_bytes, int64_t k, const float *x, int64_t ldx,
                        int64_t rows, int64_t j0, int64_t j1, float *y, int64_t ldy, int accumulate,
                        float *scratch) {
    float *panel = scratch, *park_all = scratch + NC * KC_MAX;
    // Balanced k slices, whole blocks (32 elements, 256 for K-quants), none longer than KC_MAX:
    // a short last slice would pay the accumulator parking for little work.
    const int64_t align = ftq_block_elems(type) == 256 ? 256 : 32;
    const int64_t slices = k <= KC_MAX ? 1 : (k + KC - 1) / KC;
    const int64_t kc = ((k + slices - 1) / slices + align - 1) / align * align;
    for (int64_t jp = j0; jp < j1; jp += NC) {
        const int64_t nc = j1 - jp < NC ? j1 - jp : NC;
        // The next panel's weights (contiguous rows) are prefetched a part per k slice of the
        // first row block: with few x rows the fill would otherwise wait on memory each time.
        const int64_t next_nc = j1 - jp - nc < NC ? j1 - jp - nc : NC;
        const char *pf = (const char *)w + (size_t)(jp + nc) * row_bytes;
        const int64_t pf_per_slice = ((int64_t)(next_nc * row_bytes) / 64 + slices) / slices;
        for (int64_t ib = 0; ib < rows; ib += RB) {
            const int64_t rbn = rows - ib < RB ? rows - ib : RB;
            for (int64_t kb = 0; kb < k; kb += kc) {
                const int64_t klen = k - kb < kc ? k - kb : kc;
                const int first = kb == 0, last = kb + klen == k;
                fill_panel(type, w, row_bytes, k, jp, nc, kb, klen, panel);
                if (ib == 0)
                    for (int64_t t = 0; t < pf_per_slice; t++, pf += 64) _mm_prefetch(pf, _MM_HINT_T0);
                for (int64_t i = 0; i < rbn; i += 4) {
                    const int mr = rbn - i < 4 ? (int)(rbn - i) : 4;
                    const float *xi = x + (ib + i) * ldx + kb;
                    float *yi = y + (ib + i) * ldy + jp;
                    for (int64_t f = 0; f < nc; f += 3) {
                        const int nr = nc - f < 3 ? (int)(nc - f) : 3;
                        micro_any(mr, nr, xi, ldx, panel + f * KC_MAX, klen / 8, klen % 8,
                                  park_all + (i * NC + f) * 8, first, last, yi + f, ldy, accumulate);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

FTQ_INLINE void matmul_typed(int type, const void *w, size_t row_bytes, int64_t k, const float *x, int64_t ldx,
                             int64_t rows, int64_t j0, int64_t j1, float *y, int64_t ldy, int accumulate,
                             float *scratch) {
    // Q4_0/Q4_1/Q8_0 decode cheaply enough for the fused path to stay ahead up to 12 rows.
    const int64_t fused_max = type == FTQ_Q4_0 || type == FTQ_Q4_1 || type == FTQ_Q8_0 ? FUSED_MAX_ROWS + 4
                                                                                      : FUSED_MAX_ROWS;
    if (rows <= fused_max)
        fused(type, (const uint8_t *)w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate);
    else if (ftq_avx512_active())
        ftq_matmul_avx512_paneled(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch);
    else
        paneled(type, (const uint8_t *)w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch);
}

#define TYPED_FN(T, NAME)                                                                                   \
    static FTQ_TARGET void NAME(const void *w, size_t rb, int64_t k, const float *x, int64_t ldx,           \
                                int64_t rows, int64_t j0, int64_t j1, float *y, int64_t ldy, int acc,       \
                                float *scratch) {                                                           \
        matmul_typed(T, w, rb, k, x, ldx, rows, j0, j1, y, ldy, acc, scratch);                              \
    }
TYPED_FN(FTQ_F32, mm_f32)
TYPED_FN(FTQ_F16, mm_f16)
TYPED_FN(FTQ_BF16, mm_bf16)
TYPED_FN(FTQ_Q8_0, mm_q8_0)
TYPED_FN(FTQ_Q4_0, mm_q4_0)
TYPED_FN(FTQ_Q4_1, mm_q4_1)
TYPED_FN(FTQ_Q5_0, mm_q5_0)
TYPED_FN(FTQ_Q5_1, mm_q5_1)
TYPED_FN(FTQ_Q4_K, mm_q4_K)
TYPED_FN(FTQ_Q5_K, mm_q5_K)
TYPED_FN(FTQ_Q6_K, mm_q6_K)

void ftq_matmul_avx2(int type, const void *w, size_t row_bytes, int64_t k,
                     const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                     float *y, int64_t ldy, int accumulate, float *scratch) {
    switch (type) {
    case FTQ_F32: mm_f32(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_F16: mm_f16(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_BF16: mm_bf16(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q8_0: mm_q8_0(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q4_0: mm_q4_0(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q4_1: mm_q4_1(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q5_0: mm_q5_0(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q5_1: mm_q5_1(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q4_K: mm_q4_K(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q5_K: mm_q5_K(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    case FTQ_Q6_K: mm_q6_K(w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    default: ftq_matmul_portable(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch); break;
    }
}

#else
size_t ftq_matmul_avx2_scratch_floats(int64_t k) { (void)k; return 0; }
void ftq_matmul_avx2(int type, const void *w, size_t row_bytes, int64_t k,
                     const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                     float *y, int64_t ldy, int accumulate, float *scratch) {
    ftq_matmul_portable(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch);
}
#endif
