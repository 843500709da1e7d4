import Foundation

/// Final norm, LM head and cross-entropy on the answer positions only, in chunks of rows.
extension TrainingGraph {
    /// Returns Σ CE over the answer tokens. With `gradient`, leaves dL/dx of the last residual
    /// stream in `dx` (zero off the answer rows) and adds the head's and final norm's gradients.
    func head(scale: Float, gradient: Bool) -> Double {
        let c = config, dim = c.dim, V = c.vocabSize, A = answers
        if gradient { dx.update(repeating: 0, count: tokens * dim) }
        if A == 0 { return 0 }
        Parallel.forRanges(A, costPerItem: dim, TrainingGatherNorm(
            x: finalX, rows: answerRows, weight: base.outputNorm, eps: c.normEps, out: headIn, dim: dim))
        let headGrad = trainsHead ? weights.flatMap { grad($0.output) } : nil
        var a = 0
        while a < A {
            let rows = min(logitsChunk, A - a)
            base.output.apply(headIn + a * dim, rows: rows, into: logitsBuf, scratch: productScratch)
            Parallel.forRanges(rows, costPerItem: V * 4, TrainingCrossEntropy(
                logits: logitsBuf, vocab: V, targets: answerTargets + a, losses: rowLoss + a,
                scale: scale, gradient: gradient))
            if gradient {
                // dh = dlogits·W_out; dW_out += dlogitsᵀ·h.
                base.output.applyTransposed(logitsBuf, rows: rows, into: dHeadIn + a * dim, accumulate: false,
                                            scratch: transposeScratch)
                if let g = headGrad {
                    Matmul.gemm(transA: true, m: V, n: dim, k: rows, logitsBuf, lda: V, headIn + a * dim, ldb: dim,
                                beta: 1, into: g, ldc: dim)
                }
            }
            a += rows
        }
        var sum: Double = 0
        for i in 0..<A { sum += rowLoss[i] }
        if gradient {
            normBackward(x: finalX, weight: base.outputNorm, dy: dHeadIn, dx: dx, accumulate: false,
                         rows: A, map: answerRows, weightGrad: grad(base.outputNorm))
        }
        return sum
    }

    /// Full fine-tuning trains the output matrix unless it is the frozen embedding.
    var trainsHead: Bool { method == .full && !(freezeEmbeddings && config.tiedEmbeddings) }

    /// RMSNorm backward over `rows` rows of width dim, reducing the weight gradient's per-worker partials.
    func normBackward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                      dx: UnsafeMutablePointer<Float>, accumulate: Bool, rows: Int, map: UnsafePointer<Int32>?,
                      weightGrad: UnsafeMutablePointer<Float>?) {
        let n = config.dim
        Parallel.forEachWorker(TrainingNormBackward(
            x: x, weight: weight, eps: config.normEps, dy: dy, dx: dx, accumulate: accumulate, rows: rows, n: n,
            map: map, partials: weightGrad == nil ? nil : partials))
        if let g = weightGrad {
            for w in 0..<Parallel.cores { VectorOps.add(partials + w * n, into: g, n) }
        }
    }
}
