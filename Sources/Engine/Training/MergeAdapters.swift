extension Transformer {
    /// The frozen [out, in] weight rows of one projection, in engine row order (for
    /// `AdapterSet.initialize(seed:baseWeight:)`).
    public func baseWeight(layer: Int, _ projection: Projection) -> UnsafePointer<Float> {
        UnsafePointer(weights.layers[layer].rows(projection, config))
    }

    /// Σ w² per row of one projection's frozen weight (Double, column order), read from the weights
    /// as stored — quantized blocks included (for `AdapterSet.initialize(seed:rowSquaredNorms:)`).
    public func baseRowSquaredNorms(layer: Int, _ projection: Projection) -> [Double] {
        inference.layers[layer].projection(projection, config).rowSquaredNorms()
    }

    /// Folds the adapters into the weights, in place: LoRA W += s·B·A; DoRA W ← m/‖W + sBA‖_row ⊙
    /// (W + sBA). Biases are unchanged (neither method scales them).
    public func mergeAdapters(_ adapters: AdapterSet) {
        let c = config, s = adapters.config.scale
        Parallel.forwardLock.lock()
        defer { Parallel.forwardLock.unlock() }
        for ad in adapters.adapters {
            let w = weights.layers[ad.layer].rows(ad.projection, c)
            Matmul.gemm(m: ad.outFeatures, n: ad.inFeatures, k: ad.rank, alpha: s, ad.b.baseAddress!, lda: ad.rank,
                        ad.a.baseAddress!, ldb: ad.inFeatures, beta: 1, into: w, ldc: ad.inFeatures)
            guard let m = ad.magnitude else { continue }
            for j in 0..<ad.outFeatures {
                let row = w + j * ad.inFeatures
                var ss: Double = 0
                for k in 0..<ad.inFeatures { ss += Double(row[k]) * Double(row[k]) }
                let f = Float(Double(m[j]) / ss.squareRoot())
                VectorOps.scale(row, by: f, into: row, ad.inFeatures)
            }
        }
    }
}
