// ftq_matmul's public entry points and its portable implementation. The portable product
// dequantizes one weight row into scratch (the exact floats of ftq_dequantize_row), then runs
// the contract's dot — 8 lane accumulators, fmaf per element, fixed reduction — against each
// x row. The AVX2 version (matmul_avx2.c) only regroups that work; it never reorders a sum.
#include "ftq_internal.h"

int ftq_type_supported(int type) { return ftq_block_elems(type) != 0; }

int64_t ftq_block_elements(int type) { return ftq_block_elems(type); }

size_t ftq_row_bytes(int type, int64_t k) {
    const int64_t be = ftq_block_elems(type);
    if (be == 0 || k < 0 || k % be != 0) return 0;
    return (size_t)(k / be * ftq_block_bytes(type));
}

// The larger of the two paths' needs, so callers need not know which one runs.
size_t ftq_matmul_scratch_floats(int64_t k) {
    const size_t portable = (size_t)(k > 0 ? k : 0) + 8;
    const size_t avx2 = ftq_matmul_avx2_scratch_floats(k);
    return portable > avx2 ? portable : avx2;
}

void ftq_matmul_portable(int type, const void *w, size_t row_bytes, int64_t k,
                         const float *x, int64_t ldx, int64_t rows, int64_t j0, int64_t j1,
                         float *y, int64_t ldy, int accumulate, float *scratch) {
    for (int64_t j = j0; j < j1; j++) {
        ftq_dequantize_row_portable(type, (const char *)w + (size_t)j * row_bytes, k, scratch);
        for (int64_t i = 0; i < rows; i++) {
            const float d = ftq_dot_portable(x + i * ldx, scratch, k);
            float *out = y + i * ldy + j;
            *out = accumulate ? *out + d : d;
        }
    }
}

void ftq_matmul(int type, const void *w, size_t row_bytes, int64_t k,
                const float *x, int64_t ldx, int64_t rows,
                int64_t j0, int64_t j1,
                float *y, int64_t ldy, int accumulate, float *scratch) {
    if (rows <= 0 || j1 <= j0 || k < 0 || !ftq_type_supported(type)) return;
    if (ftq_avx2_active() && k > 0)
        ftq_matmul_avx2(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch);
    else
        ftq_matmul_portable(type, w, row_bytes, k, x, ldx, rows, j0, j1, y, ldy, accumulate, scratch);
}
