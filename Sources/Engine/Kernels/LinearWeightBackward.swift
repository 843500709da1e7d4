import CBLAS
import QuantKernels

/// What training on a frozen base needs from a `LinearWeight` besides y = x·Wᵀ: the input
/// gradient dX = dY·W (the transposed product), rows of W as floats, and per-row squared norms
/// (DoRA). For quantized storage each is computed from the GGUF's blocks, never from an fp32 copy
/// of the matrix: the transposed product dequantizes tiles of W into per-core scratch and
/// multiplies each with one sgemm, so the cost over the fp32 path is one dequantization of W per
/// call — small next to the product itself once dY has more than a few rows.
extension LinearWeight {
    /// dx[i, c] = (accumulate ? dx[i, c] : 0) + Σⱼ dy[i, j]·W[j, c] for `rows` rows.
    /// Not to be called inside a parallel region.
    func applyTransposed(_ dy: UnsafePointer<Float>, rows: Int, dyStride: Int? = nil,
                         into dx: UnsafeMutablePointer<Float>, dxStride: Int? = nil, accumulate: Bool,
                         scratch: TransposedProductScratch?) {
        let ldy = dyStride ?? outFeatures, ldx = dxStride ?? inFeatures
        switch storage {
        case .dense(let w):
            Matmul.gemm(m: rows, n: inFeatures, k: outFeatures, dy, lda: ldy, w, ldb: inFeatures,
                        beta: accumulate ? 1 : 0, into: dx, ldc: ldx)
        case .quantized(let parts):
            guard let scratch else { fatalError("LinearWeight: a transposed quantized product needs scratch") }
            _ = Parallel.blasSingleThreaded
            let align = parts.map { Int(ftq_block_elements($0.type)) }.max() ?? 1
            Parallel.forEachWorker(TransposedQuantizedProduct(
                parts: parts, out: outFeatures, k: inFeatures, align: align, dy: dy, ldy: ldy, rows: rows,
                dx: dx, ldx: ldx, accumulate: accumulate, scratch: scratch))
        }
    }

    /// Output features `range` of W (`range.count` rows of `inFeatures` floats) into `out`.
    func dequantizeRows(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        switch storage {
        case .dense(let w):
            out.update(from: w + range.lowerBound * inFeatures, count: range.count * inFeatures)
        case .quantized(let parts):
            for j in range {
                let p = parts.first { j >= $0.firstFeature && j < $0.firstFeature + $0.rows }!
                ftq_dequantize_row(p.type, p.data + (j - p.firstFeature) * p.rowBytes, Int64(inFeatures),
                                   out + (j - range.lowerBound) * inFeatures)
            }
        }
    }

    /// Σₖ W[j, k]² per output feature, summed in Double in k order (the same numbers whichever
    /// way W is stored, since dequantization gives the fp32 path's exact floats).
    func rowSquaredNorms() -> [Double] {
        var norms = [Double](repeating: 0, count: outFeatures)
        let k = inFeatures
        norms.withUnsafeMutableBufferPointer { n in
            let rowBuffer = allocateFloats(k * Parallel.cores)
            defer { rowBuffer.deallocate() }
            Parallel.forEachWorker(RowNorms(weight: self, norms: n.baseAddress!, rowBuffer: rowBuffer))
        }
        return norms
    }

    /// Output features `range` as a matrix of their own (a view: no copy).
    func slice(features range: Range<Int>) -> LinearWeight {
        switch storage {
        case .dense(let w):
            return .dense(w + range.lowerBound * inFeatures, out: range.count, in: inFeatures)
        case .quantized(let parts):
            var clipped: [QuantizedPart] = []
            for p in parts {
                let lo = max(range.lowerBound, p.firstFeature), hi = min(range.upperBound, p.firstFeature + p.rows)
                guard lo < hi else { continue }
                clipped.append(QuantizedPart(type: p.type, data: p.data + (lo - p.firstFeature) * p.rowBytes,
                                             rowBytes: p.rowBytes, firstFeature: lo - range.lowerBound, rows: hi - lo))
            }
            return LinearWeight(outFeatures: range.count, inFeatures: inFeatures, storage: .quantized(clipped))
        }
    }
}

/// Per-core fp32 tiles for `applyTransposed` on quantized weights.
final class TransposedProductScratch: @unchecked Sendable {
    /// Floats per core: a tile is as many rows of W as fit (at least 16).
    let perWorker: Int
    let base: UnsafeMutablePointer<Float>

    init(maxInFeatures: Int, floatsPerWorker: Int = 1 << 21) {
        perWorker = max(floatsPerWorker, 16 * maxInFeatures)
        base = allocateFloats(perWorker * Parallel.cores)
    }

    var bytes: Int { perWorker * Parallel.cores * 4 }
    func worker(_ w: Int) -> UnsafeMutablePointer<Float> { base + w * perWorker }

    deinit { base.deallocate() }
}

/// One core's block of input features (columns of W, aligned to the block size so each row's
/// slice is whole blocks): tiles of W's rows dequantized for those columns, each multiplied into
/// dx's columns with one sgemm. The columns are disjoint, so no two cores write the same dx.
private struct TransposedQuantizedProduct: ParallelRegion {
    let parts: [QuantizedPart], out: Int, k: Int, align: Int
    let dy: UnsafePointer<Float>, ldy: Int, rows: Int
    let dx: UnsafeMutablePointer<Float>, ldx: Int, accumulate: Bool
    let scratch: TransposedProductScratch

    func run(worker: Int, workers: Int) {
        let cols = Parallel.chunk(k, worker, workers, align: align)
        guard !cols.isEmpty, rows > 0 else { return }
        let width = cols.count
        let tile = scratch.worker(worker)
        let tileRows = max(1, scratch.perWorker / width)
        var j0 = 0
        while j0 < out {
            let j1 = min(out, j0 + tileRows)
            for j in j0..<j1 {
                let p = part(j)
                let row = p.data + (j - p.firstFeature) * p.rowBytes + ftq_row_bytes(p.type, Int64(cols.lowerBound))
                ftq_dequantize_row(p.type, row, Int64(width), tile + (j - j0) * width)
            }
            let beta: Float = (j0 == 0 && !accumulate) ? 0 : 1
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(width), Int32(j1 - j0), 1,
                        dy + j0, Int32(ldy), tile, Int32(width), beta, dx + cols.lowerBound, Int32(ldx))
            j0 = j1
        }
    }

    @inline(__always)
    private func part(_ j: Int) -> QuantizedPart {
        for p in parts where j < p.firstFeature + p.rows { return p }
        return parts[parts.count - 1]
    }
}

/// Row norms of W, rows split among the cores, each dequantizing into its own row buffer.
private struct RowNorms: ParallelRegion {
    let weight: LinearWeight, norms: UnsafeMutablePointer<Double>, rowBuffer: UnsafeMutablePointer<Float>

    func run(worker: Int, workers: Int) {
        let k = weight.inFeatures, row = rowBuffer + worker * k
        for j in Parallel.chunk(weight.outFeatures, worker, workers) {
            weight.dequantizeRows(j..<(j + 1), into: row)
            var s: Double = 0
            for c in 0..<k { let v = Double(row[c]); s += v * v }
            norms[j] = s
        }
    }
}
