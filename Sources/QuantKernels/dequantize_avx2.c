// AVX2 dequantizers: the decoders of decode_avx2.h, stored. Same bits as the portable ones.
#include "ftq_internal.h"

#if defined(__x86_64__)
#include "decode_avx2.h"

// One loop per type: `type` is a literal at each call site below, so decode32 is specialised.
FTQ_INLINE void dequant_loop(int type, const uint8_t *row, int64_t k, float *out) {
    const int64_t chunks = k / 32;
    __m256 w[4];
    for (int64_t c = 0; c < chunks; c++) {
        decode32(type, row, c, w);
        for (int i = 0; i < 4; i++) _mm256_storeu_ps(out + 32 * c + 8 * i, w[i]);
    }
    if (k % 32) {  // scalar types only: quantized rows are whole blocks
        decode_scalar_tail(type, row, chunks, k % 32, w);
        float f[32];
        for (int i = 0; i < 4; i++) _mm256_storeu_ps(f + 8 * i, w[i]);
        memcpy(out + 32 * chunks, f, (size_t)(k % 32) * 4);
    }
}

#define DEQ_CASE(T) case T: dequant_loop(T, row, k, out); return 1;

FTQ_TARGET int ftq_dequantize_row_avx2(int type, const void *src, int64_t k, float *out) {
    const uint8_t *row = (const uint8_t *)src;
    if (k <= 0) return 1;
    switch (type) {
    DEQ_CASE(FTQ_F16) DEQ_CASE(FTQ_BF16)
    DEQ_CASE(FTQ_Q8_0) DEQ_CASE(FTQ_Q4_0) DEQ_CASE(FTQ_Q4_1) DEQ_CASE(FTQ_Q5_0) DEQ_CASE(FTQ_Q5_1)
    DEQ_CASE(FTQ_Q4_K) DEQ_CASE(FTQ_Q5_K) DEQ_CASE(FTQ_Q6_K)
    default: return 0;  // F32 (a memcpy) and unknown types: the portable code
    }
}
#else
int ftq_dequantize_row_avx2(int type, const void *row, int64_t k, float *out) {
    (void)type; (void)row; (void)k; (void)out;
    return 0;
}
#endif
