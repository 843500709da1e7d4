import QuantKernels

/// One weight matrix [outFeatures, inFeatures] as the forward pass multiplies it: y = x·Wᵀ.
///
/// Either fp32 in memory (`dense`: the reference path, and what training updates in place) or
/// the GGUF's own quantized blocks (`quantized`), multiplied by `ftq_matmul`, which dequantizes
/// inside the product. A quantized matrix may be a stack of tensors of different types (Wq, Wk,
/// Wv as one [qkvDim, dim] product), each a `QuantizedPart` covering a range of output features.
///
/// The quantized product has one fixed summation order per output element (see
/// QuantKernels.h), so a row's result never depends on the other rows of the batch — greedy
/// outputs are the same whatever an example's neighbours, which `dense` (OpenBLAS, whose kernels
/// change with the row count) does not promise.
struct LinearWeight {
    enum Storage {
        case dense(UnsafePointer<Float>)
        case quantized([QuantizedPart])
    }

    let outFeatures: Int
    let inFeatures: Int
    let storage: Storage

    static func dense(_ w: UnsafePointer<Float>, out: Int, in k: Int) -> LinearWeight {
        LinearWeight(outFeatures: out, inFeatures: k, storage: .dense(w))
    }

    var isQuantized: Bool { if case .quantized = storage { return true } else { return false } }

    /// Bytes the matrix's storage occupies (its blocks, or its fp32 rows).
    var storedBytes: Int {
        switch storage {
        case .dense: return outFeatures * inFeatures * 4
        case .quantized(let parts): return parts.reduce(0) { $0 + $1.rows * $1.rowBytes }
        }
    }

    /// y[i, j] = Σₖ x[i, k]·W[j, k] (+ y[i, j] when `accumulate`) for `rows` rows.
    /// Not to be called inside a parallel region (it splits the output features across cores).
    func apply(_ x: UnsafePointer<Float>, rows: Int, xStride: Int? = nil,
               into y: UnsafeMutablePointer<Float>, yStride: Int? = nil, accumulate: Bool = false,
               scratch: QuantScratch?) {
        switch storage {
        case .dense(let w):
            Matmul.linear(x, rows: rows, inFeatures: inFeatures, xStride: xStride, weight: w,
                          outFeatures: outFeatures, into: y, yStride: yStride, accumulate: accumulate)
        case .quantized(let parts):
            guard let scratch else { fatalError("LinearWeight: a quantized product needs scratch") }
            let region = QuantizedProduct(parts: parts, k: inFeatures, x: x, ldx: xStride ?? inFeatures, rows: rows,
                                          y: y, ldy: yStride ?? outFeatures, n: outFeatures,
                                          accumulate: accumulate, scratch: scratch)
            if rows * outFeatures * inFeatures < 1 << 16 {
                region.run(worker: 0, workers: 1)
            } else {
                Parallel.forEachWorker(region)
            }
        }
    }
}

/// A run of output features stored as one GGUF tensor: rows `firstFeature ..< firstFeature + rows`
/// of the stacked matrix, `rowBytes` bytes each, of ggml type `type`.
struct QuantizedPart {
    let type: Int32
    let data: UnsafeRawPointer
    let rowBytes: Int
    let firstFeature: Int
    let rows: Int
}

/// Per-core scratch for `ftq_matmul` (the dequantized weight tiles), sized once for the longest
/// input dimension of a model.
final class QuantScratch: @unchecked Sendable {
    let perWorker: Int
    let base: UnsafeMutablePointer<Float>

    init(maxInFeatures: Int) {
        perWorker = (Int(ftq_matmul_scratch_floats(Int64(maxInFeatures))) + 15) / 16 * 16
        base = allocateFloats(perWorker * Parallel.cores)
    }

    func worker(_ w: Int) -> UnsafeMutablePointer<Float> { base + w * perWorker }

    deinit { base.deallocate() }
}

/// One core's contiguous block of output features, walked part by part.
private struct QuantizedProduct: ParallelRegion {
    let parts: [QuantizedPart], k: Int
    let x: UnsafePointer<Float>, ldx: Int, rows: Int
    let y: UnsafeMutablePointer<Float>, ldy: Int, n: Int
    let accumulate: Bool, scratch: QuantScratch

    func run(worker: Int, workers: Int) {
        let mine = Parallel.chunk(n, worker, workers, align: 8)
        guard !mine.isEmpty else { return }
        let buffer = scratch.worker(worker)
        for p in parts {
            let lo = max(mine.lowerBound, p.firstFeature), hi = min(mine.upperBound, p.firstFeature + p.rows)
            guard lo < hi else { continue }
            // The part's own row 0 is output feature firstFeature: shift y so local indices land there.
            ftq_matmul(p.type, p.data, p.rowBytes, Int64(k), x, Int64(ldx), Int64(rows),
                       Int64(lo - p.firstFeature), Int64(hi - p.firstFeature),
                       y + p.firstFeature, Int64(ldy), accumulate ? 1 : 0, buffer)
        }
    }
}
