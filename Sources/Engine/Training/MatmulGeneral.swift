import CBLAS

extension Matmul {
    /// C = alpha·op(A)·op(B) + beta·C (row-major; op(A) is [m, k], op(B) is [k, n]), split among
    /// the cores along C's larger dimension, each slice one single-threaded sgemm. The backward
    /// pass needs all four transpose combinations: dX = dY·W, dW += dYᵀ·X, and the small LoRA
    /// products. Not to be called inside a parallel region.
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                     _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, into c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = Parallel.blasSingleThreaded
        if m <= 0 || n <= 0 { return }
        let region = GemmSlices(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, splitRows: m >= n)
        if m * n * max(k, 1) < 1 << 16 || Parallel.cores == 1 {
            region.run(worker: 0, workers: 1)
        } else {
            Parallel.forEachWorker(region)
        }
    }

    private struct GemmSlices: ParallelRegion {
        let transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float
        let a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int
        let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, splitRows: Bool

        func run(worker: Int, workers: Int) {
            let r = Parallel.chunk(splitRows ? m : n, worker, workers, align: 16)
            if r.isEmpty { return }
            let s = r.lowerBound, len = r.count
            if splitRows {
                gemmCall(transA, transB, len, n, k, alpha, a + (transA ? s : s * lda), lda, b, ldb,
                         beta, c + s * ldc, ldc)
            } else {
                gemmCall(transA, transB, m, len, k, alpha, a, lda, b + (transB ? s * ldb : s), ldb,
                         beta, c + s, ldc)
            }
        }
    }

    @inline(__always)
    static func gemmCall(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                         _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                         _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        if k == 0 {
            // BLAS would only scale C; do the same without relying on the k = 0 corner case.
            if beta != 1 {
                for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
