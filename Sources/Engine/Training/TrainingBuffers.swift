/// Float buffers allocated once (64-byte aligned) and freed together: the training graph's saved
/// activations and scratch, sized by its `maxTokens`.
final class TrainingBufferPool {
    private var blocks: [UnsafeMutableRawPointer] = []
    /// Bytes allocated so far.
    private(set) var bytes = 0

    func floats(_ n: Int) -> UnsafeMutablePointer<Float> { zeroed(n) }
    func ints32(_ n: Int) -> UnsafeMutablePointer<Int32> { zeroed(n) }
    func ints(_ n: Int) -> UnsafeMutablePointer<Int> { zeroed(n) }
    func doubles(_ n: Int) -> UnsafeMutablePointer<Double> { zeroed(n) }

    /// At least 16 zeroed elements, so that a 16-wide SIMD load at the start never reads past the end.
    private func zeroed<T: Numeric>(_ n: Int) -> UnsafeMutablePointer<T> {
        let count = max(n, 16)
        let p = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<T>.stride, alignment: 64)
        blocks.append(p)
        bytes += count * MemoryLayout<T>.stride
        let typed = p.bindMemory(to: T.self, capacity: count)
        typed.initialize(repeating: 0, count: count)
        return typed
    }

    deinit { for b in blocks { b.deallocate() } }
}

/// What one layer's backward pass needs from its forward pass.
struct SavedLayer {
    /// Input of the layer (residual stream) [T, dim].
    let x: UnsafeMutablePointer<Float>
    /// Post-bias Q|K|V before the Q/K-head norm (qkNorm models only) [T, qkvDim].
    let raw: UnsafeMutablePointer<Float>?
    /// Q, K after RoPE, and V [T, qkvDim].
    let qkv: UnsafeMutablePointer<Float>
    /// Attention output (o_proj input) [T, qDim].
    let attn: UnsafeMutablePointer<Float>
    /// Residual stream after attention [T, dim].
    let mid: UnsafeMutablePointer<Float>
    /// Pre-activation [gate | up] [T, 2·ffn].
    let gateUp: UnsafeMutablePointer<Float>
    /// Sandwich norms: o_proj and down_proj outputs before their post-norms [T, dim].
    let projAttn: UnsafeMutablePointer<Float>?
    let projFfn: UnsafeMutablePointer<Float>?
}

/// Per-adapter state of a step.
struct AdapterState {
    let adapter: Adapter
    /// The frozen base weight of the projection [out, in], as stored (fp32 or quantized blocks).
    let base: LinearWeight
    /// Dropout key: layer·8 + projection index.
    let key: Int
    /// A·drop(x) per token [T, rank] (B's gradient needs it).
    let u: UnsafeMutablePointer<Float>
    /// DoRA: W₀·drop(x) + s·B·A·drop(x) per token [T, out] (m's gradient needs it), m/‖·‖, 1/‖·‖,
    /// and ‖W₀ row‖² (W₀ is frozen, so computed once).
    let z: UnsafeMutablePointer<Float>?
    let g: UnsafeMutablePointer<Float>?
    let invNorm: UnsafeMutablePointer<Float>?
    let weightNorm2: UnsafeMutablePointer<Float>?
}

extension Projection {
    /// Position in `Projection.allCases`.
    var index: Int {
        switch self {
        case .q_proj: return 0
        case .k_proj: return 1
        case .v_proj: return 2
        case .o_proj: return 3
        case .gate_proj: return 4
        case .up_proj: return 5
        case .down_proj: return 6
        }
    }
}

extension InferenceWeights.Layer {
    /// One projection's [out, in] matrix inside the stacked products (a view).
    func projection(_ p: Projection, _ c: ModelConfig) -> LinearWeight {
        switch p {
        case .q_proj: return qkv.slice(features: 0..<c.qDim)
        case .k_proj: return qkv.slice(features: c.qDim..<(c.qDim + c.kvDim))
        case .v_proj: return qkv.slice(features: (c.qDim + c.kvDim)..<c.qkvDim)
        case .o_proj: return attnOutput
        case .gate_proj: return gateUp.slice(features: 0..<c.ffnDim)
        case .up_proj: return gateUp.slice(features: c.ffnDim..<(2 * c.ffnDim))
        case .down_proj: return down
        }
    }
}

extension LayerWeights {
    /// The [out, in] rows of one projection inside the stacked layer weights.
    func rows(_ p: Projection, _ c: ModelConfig) -> UnsafeMutablePointer<Float> {
        switch p {
        case .q_proj: return qkv
        case .k_proj: return qkv + c.qDim * c.dim
        case .v_proj: return qkv + (c.qDim + c.kvDim) * c.dim
        case .o_proj: return attnOutput
        case .gate_proj: return gateUp
        case .up_proj: return gateUp + c.ffnDim * c.dim
        case .down_proj: return down
        }
    }
}
