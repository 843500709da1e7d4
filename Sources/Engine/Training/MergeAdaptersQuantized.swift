import QuantKernels

extension Transformer {
    /// Folds LoRA/DoRA adapters into a model held in the GGUF's quantized blocks, without an fp32
    /// copy of the model: each stacked matrix an adapter targets (Wqkv, Wo, Wgate|up, Wdown of its
    /// layer) becomes fp32 — its stored rows dequantized, s·B·A added, DoRA's rows rescaled to
    /// m/‖W + sBA‖ exactly as `mergeAdapters` does — and is multiplied by the fixed-order F32
    /// kernel; the embedding, the LM head and every untargeted matrix stay in their blocks. The
    /// weights are those of the fp32 merge (the dequantized blocks are the fp32 weights), only the
    /// summation order of the untouched products differs; greedy outputs stay independent of the
    /// batch. For Gemma3 this keeps its 170M-parameter embedding/LM head quantized.
    public func mergeAdaptersOverQuantizedBase(_ adapters: AdapterSet) {
        precondition(inference.precision == .quantized, "mergeAdaptersOverQuantizedBase needs a quantized model")
        let c = config, s = adapters.config.scale
        Parallel.forwardLock.lock()
        defer { Parallel.forwardLock.unlock() }
        var layers = inference.layers
        var arenas: [FloatArena] = []
        var bytes = inference.residentBytes
        for (l, group) in Dictionary(grouping: adapters.adapters, by: \.layer) {
            for matrix in Set(group.map { MergedMatrix(of: $0.projection) }) {
                let stored = matrix.weight(in: layers[l])
                let arena = FloatArena(count: stored.outFeatures * stored.inFeatures)
                stored.dequantizeRows(0..<stored.outFeatures, into: arena.base)
                for ad in group where MergedMatrix(of: ad.projection) == matrix {
                    Self.fold(ad, scale: s, into: arena.base + matrix.firstRow(of: ad.projection, c) * stored.inFeatures)
                }
                bytes += arena.count * 4 - stored.storedBytes
                let merged = LinearWeight(outFeatures: stored.outFeatures, inFeatures: stored.inFeatures, storage: .quantized([
                    QuantizedPart(type: Int32(FTQ_F32), data: UnsafeRawPointer(arena.base), rowBytes: 4 * stored.inFeatures,
                                  firstFeature: 0, rows: stored.outFeatures)]))
                matrix.set(merged, in: &layers[l])
                arenas.append(arena)
            }
        }
        let base = inference
        inference = InferenceWeights(precision: .quantized, embedding: base.embedding, output: base.output,
                                     outputNorm: base.outputNorm, layers: layers, scratch: base.scratch,
                                     owners: [base] + arenas, residentBytes: bytes)
    }
}

/// The stacked matrix of a layer that holds a projection's rows.
private enum MergedMatrix: Hashable {
    case qkv, attnOutput, gateUp, down

    init(of p: Projection) {
        switch p {
        case .q_proj, .k_proj, .v_proj: self = .qkv
        case .o_proj: self = .attnOutput
        case .gate_proj, .up_proj: self = .gateUp
        case .down_proj: self = .down
        }
    }

    func firstRow(of p: Projection, _ c: ModelConfig) -> Int {
        switch p {
        case .k_proj: return c.qDim
        case .v_proj: return c.qDim + c.kvDim
        case .up_proj: return c.ffnDim
        default: return 0
        }
    }

    func weight(in layer: InferenceWeights.Layer) -> LinearWeight {
        switch self {
        case .qkv: return layer.qkv
        case .attnOutput: return layer.attnOutput
        case .gateUp: return layer.gateUp
        case .down: return layer.down
        }
    }

    func set(_ w: LinearWeight, in layer: inout InferenceWeights.Layer) {
        switch self {
        case .qkv: layer.qkv = w
        case .attnOutput: layer.attnOutput = w
        case .gateUp: layer.gateUp = w
        case .down: layer.down = w
        }
    }
}
