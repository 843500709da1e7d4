// Matrix products directly on ggml's quantized blocks, and the small attention products of a
// decode step — with one fixed summation order, so that a row's result never depends on the
// other rows of the batch, on the feature range a core was given, or on the instruction set.
//
// The order (the contract every implementation here keeps, AVX2/FMA or portable):
//   dot(a, b) over k elements uses 8 lane accumulators acc[0..7] = +0.0f;
//   for kk = 0, 8, 16, … : acc[l] = fmaf(a[kk + l], b[kk + l], acc[l]) for each l with kk + l < k;
//   then h[l] = acc[l] + acc[l + 4] (l < 4); result = (h[0] + h[2]) + (h[1] + h[3]).
// A quantized weight row is first turned into the exact floats ftq_dequantize_row gives (ggml's
// dequantize_row_* term by term: products and sums rounded separately, never fused), so the
// quantized product differs from the fp32 reference path only in summation order.
#ifndef FTLAB_QUANT_KERNELS_H
#define FTLAB_QUANT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ggml type ids (enum ggml_type), as stored in GGUF tensor infos.
enum {
    FTQ_F32 = 0, FTQ_F16 = 1, FTQ_Q4_0 = 2, FTQ_Q4_1 = 3, FTQ_Q5_0 = 6, FTQ_Q5_1 = 7,
    FTQ_Q8_0 = 8, FTQ_Q4_K = 12, FTQ_Q5_K = 13, FTQ_Q6_K = 14, FTQ_BF16 = 30
};

/// 1 if `type` is one of the ids above.
int ftq_type_supported(int type);

/// Elements per block of `type` (1 for F32, F16, BF16; 32 or 256 for the quantized types); 0 if
/// unsupported. A row's elements [i0, i1) with i0 a multiple of it start ftq_row_bytes(type, i0)
/// bytes into the row and dequantize on their own.
int64_t ftq_block_elements(int type);

/// Bytes of one row of `k` elements of `type`; 0 if the type is unsupported or k is not a
/// multiple of its block size.
size_t ftq_row_bytes(int type, int64_t k);

/// Dequantizes one row of `k` elements (a multiple of the block size) into `out`.
void ftq_dequantize_row(int type, const void *row, int64_t k, float *out);

/// Floats of scratch one ftq_matmul call needs for rows of `k` elements.
size_t ftq_matmul_scratch_floats(int64_t k);

/// y[i·ldy + j] = (accumulate ? y[i·ldy + j] : 0) + dot(x_i, w_j)   for i < rows, j0 ≤ j < j1,
/// where x_i = x + i·ldx (k floats), w_j = the dequantized row j of W (W's row j starts at
/// (const char *)w + j·row_bytes). With `accumulate` the dot is added in one rounding.
/// `scratch`: ftq_matmul_scratch_floats(k) floats, 32-byte aligned, owned by the caller (one per
/// thread). Single-threaded: callers split [0, n) among their cores.
void ftq_matmul(int type, const void *w, size_t row_bytes, int64_t k,
                const float *x, int64_t ldx, int64_t rows,
                int64_t j0, int64_t j1,
                float *y, int64_t ldy, int accumulate, float *scratch);

/// Attention scores: out[i·ldo + j] = scale · dot(q_i, k_j), q_i = q + i·ldq, k_j = keys + j·ldk,
/// dot over d elements, for i < m, j < n.
void ftq_scores(const float *q, int64_t ldq, int64_t m, const float *keys, int64_t ldk, int64_t n,
                int64_t d, float scale, float *out, int64_t ldo);

/// Weighted values: for i < m, e < d: out[i·ldo + e] starts at (accumulate ? its value : +0.0f),
/// then for j = 0, 1, …, n−1 in order: out[i·ldo + e] = fmaf(p[i·ldp + j], v[j·ldv + e], out).
/// (A sum split over consecutive calls with accumulate gives the same bits as one call.)
void ftq_weighted_values(const float *p, int64_t ldp, int64_t m, const float *v, int64_t ldv, int64_t n,
                         int64_t d, float *out, int64_t ldo, int accumulate);

/// 1 when the AVX2/FMA kernels are in use (chosen once at first use from the CPU's features).
int ftq_using_avx2(void);

/// Forces the portable kernels (on = 1) or restores the automatic choice (on = 0) — for tests
/// that check the two give the same bits.
void ftq_force_portable(int on);

/// 1 when the products with many x rows use AVX-512 FMAs (CPUs with AVX-512 F/DQ/VL, unless
/// FTLAB_NO_AVX512=1 or forced off). Same bits as the AVX2 and portable kernels.
int ftq_using_avx512(void);

/// Keeps the AVX2 kernels from using AVX-512 (on = 1) or restores the automatic choice (on = 0).
void ftq_force_no_avx512(int on);

#ifdef __cplusplus
}
#endif
#endif
