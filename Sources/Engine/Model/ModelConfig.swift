import Foundation

/// The model families the engine runs. One `Transformer` serves all three; the family only flips
/// the switches in `ModelConfig` (RoPE layout, biases, norms, activation, local/global attention).
public enum ModelFamily: String, Codable, Sendable, CaseIterable {
    case llama, qwen2, gemma3
}

/// The gate activation of the gated MLP: `down(act(gate(x)) * up(x))`.
public enum MLPActivation: String, Codable, Sendable {
    /// x · σ(x) (llama, qwen2).
    case silu
    /// The tanh approximation of GELU (gemma3's `gelu_pytorch_tanh`).
    case geluTanh
}

/// Which pairs of a head's dimensions RoPE rotates together.
public enum RoPELayout: String, Codable, Sendable {
    /// (x[2i], x[2i+1]). llama GGUFs need this: llama.cpp's converter permuted the Q/K rows of each
    /// head from Hugging Face's half-split order into interleaved order, so rotating adjacent pairs of
    /// the raw rows is exactly Hugging Face's half-split rotation of the unpermuted rows.
    case adjacentPairs
    /// (x[i], x[i + d/2]) — GPT-NeoX style (qwen2, gemma3; their GGUF rows are not permuted).
    case halfSplit
}

public enum ModelConfigError: Error, CustomStringConvertible, Equatable {
    case unsupportedArchitecture(String)
    case missingMetadata(String)
    case inconsistent(String)

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let a): return "unsupported model architecture '\(a)' (supported: llama, qwen2, gemma3)"
        case .missingMetadata(let k): return "GGUF metadata key '\(k)' is missing"
        case .inconsistent(let m): return "inconsistent model config: \(m)"
        }
    }
}

/// Shape and per-family switches of a decoder-only transformer.
public struct ModelConfig: Codable, Sendable, Equatable {
    public var family: ModelFamily
    public var vocabSize: Int
    public var dim: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    /// Per-head width of Q, K and V (gemma3-270m: 256, so heads·headDim ≠ dim there).
    public var headDim: Int
    public var ffnDim: Int
    public var normEps: Float
    /// RoPE base of the (global) attention layers.
    public var ropeBase: Double
    /// RoPE base of the sliding-window (local) layers; nil when every layer is global.
    public var localRopeBase: Double?
    /// Sliding window of the local layers (a query sees itself and the window−1 keys before it).
    public var slidingWindow: Int?
    /// With a sliding window, every `globalLayerInterval`-th layer (1-based) is global: gemma3 uses 6,
    /// so layers 5, 11, 17 (0-based) are global.
    public var globalLayerInterval: Int?
    public var ropeLayout: RoPELayout
    public var tiedEmbeddings: Bool
    public var qkvBias: Bool
    /// Per-head RMSNorm of Q and K before RoPE (gemma3).
    public var qkNorm: Bool
    /// RMSNorm of the attention output and of the MLP output before each residual add (gemma3).
    public var sandwichNorms: Bool
    /// Factor applied to looked-up embeddings (gemma3: √dim; others 1).
    public var embeddingScale: Float
    /// Factor applied to q·k (1/√headDim; gemma3: query_pre_attn_scalar^-0.5 = 256^-0.5).
    public var attentionScale: Float
    public var activation: MLPActivation
    public var contextLength: Int

    public init(family: ModelFamily, vocabSize: Int, dim: Int, layers: Int, heads: Int, kvHeads: Int,
                headDim: Int, ffnDim: Int, normEps: Float, ropeBase: Double, contextLength: Int,
                tiedEmbeddings: Bool, localRopeBase: Double? = nil, slidingWindow: Int? = nil,
                globalLayerInterval: Int? = nil, attentionScale: Float? = nil) {
        self.family = family
        self.vocabSize = vocabSize
        self.dim = dim
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.ffnDim = ffnDim
        self.normEps = normEps
        self.ropeBase = ropeBase
        self.contextLength = contextLength
        self.tiedEmbeddings = tiedEmbeddings
        self.localRopeBase = localRopeBase
        self.slidingWindow = slidingWindow
        self.globalLayerInterval = globalLayerInterval
        self.attentionScale = attentionScale ?? Float(1.0 / Double(headDim).squareRoot())
        switch family {
        case .llama:
            ropeLayout = .adjacentPairs; qkvBias = false; qkNorm = false; sandwichNorms = false
            embeddingScale = 1; activation = .silu
        case .qwen2:
            ropeLayout = .halfSplit; qkvBias = true; qkNorm = false; sandwichNorms = false
            embeddingScale = 1; activation = .silu
        case .gemma3:
            ropeLayout = .halfSplit; qkvBias = false; qkNorm = true; sandwichNorms = true
            // Hugging Face multiplies by the fp32 tensor sqrt(hidden_size).
            embeddingScale = Float(Double(dim).squareRoot()); activation = .geluTanh
        }
    }

    public var qDim: Int { heads * headDim }
    public var kvDim: Int { kvHeads * headDim }
    /// Width of the fused Q|K|V projection output.
    public var qkvDim: Int { qDim + 2 * kvDim }
    /// Query heads per KV head (grouped-query attention).
    public var groupSize: Int { heads / kvHeads }

    /// True for layers that attend to the whole context (all layers unless a sliding window is set).
    public func isGlobalLayer(_ layer: Int) -> Bool {
        guard slidingWindow != nil else { return true }
        guard let every = globalLayerInterval, every > 0 else { return false }
        return (layer + 1) % every == 0
    }

    /// The sliding window of `layer`, or nil when it attends to everything before it.
    public func window(forLayer layer: Int) -> Int? {
        isGlobalLayer(layer) ? nil : slidingWindow
    }

    public func ropeBase(forLayer layer: Int) -> Double {
        isGlobalLayer(layer) ? ropeBase : (localRopeBase ?? ropeBase)
    }

    /// Number of parameters as Hugging Face counts them (a tied embedding once).
    public var parameterCount: Int {
        var perLayer = dim * qDim + 2 * dim * kvDim + qDim * dim + 3 * dim * ffnDim + 2 * dim
        if qkvBias { perLayer += qkvDim }
        if qkNorm { perLayer += 2 * headDim }
        if sandwichNorms { perLayer += 2 * dim }
        var total = layers * perLayer + vocabSize * dim + dim
        if !tiedEmbeddings { total += vocabSize * dim }
        return total
    }

    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw ModelConfigError.inconsistent(message) }
        }
        try check(vocabSize > 0 && dim > 0 && layers > 0 && ffnDim > 0, "sizes must be positive")
        try check(heads > 0 && kvHeads > 0 && heads % kvHeads == 0, "heads (\(heads)) must be a multiple of kvHeads (\(kvHeads))")
        try check(headDim > 0 && headDim % 2 == 0, "headDim (\(headDim)) must be even for RoPE")
        if let w = slidingWindow { try check(w > 0, "sliding window must be positive") }
    }

    /// Reads the config from GGUF metadata (`{arch}.embedding_length`, `.block_count`,
    /// `.attention.head_count(_kv)`, `.attention.key_length`, `.feed_forward_length`,
    /// `.attention.layer_norm_rms_epsilon`, `.rope.freq_base`, `.attention.sliding_window`,
    /// `.context_length`; vocabulary size from `tokenizer.ggml.tokens`). The head is untied iff
    /// the file has an `output.weight` tensor, hence `tensorNames`.
    public static func fromGGUF(metadata: [String: GGUFValue], tensorNames: Set<String>) throws -> ModelConfig {
        guard let arch = metadata["general.architecture"]?.string else {
            throw ModelConfigError.missingMetadata("general.architecture")
        }
        guard let family = ModelFamily(rawValue: arch) else { throw ModelConfigError.unsupportedArchitecture(arch) }
        func int(_ key: String) throws -> Int {
            guard let v = metadata["\(arch).\(key)"]?.int else { throw ModelConfigError.missingMetadata("\(arch).\(key)") }
            return v
        }
        func optionalInt(_ key: String) -> Int? { metadata["\(arch).\(key)"]?.int }
        func optionalDouble(_ key: String) -> Double? { metadata["\(arch).\(key)"]?.double }

        let dim = try int("embedding_length")
        let heads = try int("attention.head_count")
        let kvHeads = optionalInt("attention.head_count_kv") ?? heads
        let headDim = optionalInt("attention.key_length") ?? dim / heads
        if let v = optionalInt("attention.value_length"), v != headDim {
            throw ModelConfigError.inconsistent("value_length \(v) differs from key_length \(headDim)")
        }
        let vocab: Int
        if let tokens = metadata["tokenizer.ggml.tokens"]?.array {
            vocab = tokens.count
        } else if let v = optionalInt("vocab_size") {
            vocab = v
        } else {
            throw ModelConfigError.missingMetadata("tokenizer.ggml.tokens")
        }
        guard let eps = optionalDouble("attention.layer_norm_rms_epsilon") else {
            throw ModelConfigError.missingMetadata("\(arch).attention.layer_norm_rms_epsilon")
        }
        var localBase: Double? = nil, window: Int? = nil, interval: Int? = nil
        let defaultBase: Double
        switch family {
        case .llama: defaultBase = 10_000
        case .qwen2, .gemma3: defaultBase = 1_000_000
        }
        if family == .gemma3 {
            // Gemma 3 alternates five sliding-window layers (RoPE base 10 000) with one global layer
            // (the file's freq_base, 1e6). Neither the local base nor the 5:1 pattern is in the GGUF;
            // llama.cpp hard-codes them the same way.
            localBase = 10_000
            window = optionalInt("attention.sliding_window") ?? 512
            interval = 6
        }
        let scale = optionalDouble("attention.scale").map(Float.init)
        let config = ModelConfig(
            family: family, vocabSize: vocab, dim: dim, layers: try int("block_count"),
            heads: heads, kvHeads: kvHeads, headDim: headDim, ffnDim: try int("feed_forward_length"),
            normEps: Float(eps), ropeBase: optionalDouble("rope.freq_base") ?? defaultBase,
            contextLength: optionalInt("context_length") ?? 2048,
            tiedEmbeddings: !tensorNames.contains("output.weight"),
            localRopeBase: localBase, slidingWindow: window, globalLayerInterval: interval,
            attentionScale: scale)
        try config.validate()
        return config
    }
}
