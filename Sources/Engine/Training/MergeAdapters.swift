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
            Self.fold(ad, scale: s, into: weights.layers[ad.layer].rows(ad.projection, c))
        }
    }

    /// Folds one adapter into its projection's fp32 rows `w` ([out, in]): W += s·B·A, then for
    /// DoRA each row rescaled to m/‖W + sBA‖. Shared by both merges, so they give the same bits.
    static func fold(_ ad: Adapter, scale s: Float, into w: UnsafeMutablePointer<Float>) {
        Matmul.gemm(m: ad.outFeatures, n: ad.inFeatures, k: ad.rank, alpha: s, ad.b.baseAddress!, lda: ad.rank,
                    ad.a.baseAddress!, ldb: ad.inFeatures, beta: 1, into: w, ldc: ad.inFeatures)
        guard let m = ad.magnitude else { return }
        for j in 0..<ad.outFeatures {
            let row = w + j * ad.inFeatures
            var ss: Double = 0
            for k in 0..<ad.inFeatures { ss += Double(row[k]) * Double(row[k]) }
            VectorOps.scale(row, by: Float(Double(m[j]) / ss.squareRoot()), into: row, ad.inFeatures)
        }
    }
}
