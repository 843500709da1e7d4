import Foundation

public enum TransformerError: Error, CustomStringConvertible, Equatable {
    case tensorSize(name: String, expected: Int, got: Int)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .tensorSize(let name, let expected, let got):
            return "tensor '\(name)' has \(got) values, expected \(expected)"
        case .invalidInput(let m): return m
        }
    }
}

/// One layer's weights: pointers into the model's arena, row-major [out, in] as GGUF stores them.
struct LayerWeights {
    var attnNorm: UnsafeMutablePointer<Float>
    /// Wq, Wk and Wv stacked row-wise ([qDim + 2·kvDim, dim]) so one sgemm computes all three;
    /// each projection is still a contiguous sub-matrix (rows 0..<qDim, then K, then V).
    var qkv: UnsafeMutablePointer<Float>
    var qkvBias: UnsafeMutablePointer<Float>?
    var qNorm: UnsafeMutablePointer<Float>?
    var kNorm: UnsafeMutablePointer<Float>?
    var attnOutput: UnsafeMutablePointer<Float>
    var postAttnNorm: UnsafeMutablePointer<Float>?
    var ffnNorm: UnsafeMutablePointer<Float>
    /// W_gate then W_up, stacked row-wise ([2·ffnDim, dim]).
    var gateUp: UnsafeMutablePointer<Float>
    var down: UnsafeMutablePointer<Float>
    var postFfnNorm: UnsafeMutablePointer<Float>?
}

/// All weights in fp32, dequantized once at load into one contiguous 64-byte-aligned arena.
final class TransformerWeights: @unchecked Sendable {
    let config: ModelConfig
    let arena: UnsafeMutableBufferPointer<Float>
    let embedding: UnsafeMutablePointer<Float>   // [vocab, dim]
    let output: UnsafeMutablePointer<Float>      // [vocab, dim]; the embedding when tied
    let outputNorm: UnsafeMutablePointer<Float>  // [dim]
    let layers: [LayerWeights]
    /// Where each GGUF-named tensor lies in the arena (the tied output has no entry of its own).
    let index: [String: Range<Int>]

    /// The tensor `name` (GGUF name, engine layout) as a view of the arena — what exporters and
    /// full fine-tuning read and write.
    func tensor(named name: String) -> UnsafeMutableBufferPointer<Float>? {
        index[name].map { UnsafeMutableBufferPointer(rebasing: arena[$0]) }
    }

    /// `provider` returns a tensor by GGUF name, row-major (a GGUF ne = [in, out] weight as `out`
    /// rows of `in` floats).
    convenience init(config c: ModelConfig, provider: (String) throws -> [Float]) throws {
        try self.init(config: c) { name, buffer in
            let values = try provider(name)
            guard values.count == buffer.count else {
                throw TransformerError.tensorSize(name: name, expected: buffer.count, got: values.count)
            }
            values.withUnsafeBufferPointer { src in
                buffer.baseAddress!.update(from: src.baseAddress!, count: buffer.count)
            }
        }
    }

    /// `fill(name, buffer)` writes the tensor `name` (row-major, exactly `buffer.count` floats)
    /// straight into its place in the arena — e.g. dequantizing from a GGUF without a copy.
    init(config c: ModelConfig, fill: (String, UnsafeMutableBufferPointer<Float>) throws -> Void) throws {
        config = c
        // Lay out the arena.
        var offset = 0
        func take(_ n: Int) -> Int {
            let o = offset
            offset += (n + 15) / 16 * 16  // keep every tensor 64-byte aligned
            return o
        }
        let embOff = take(c.vocabSize * c.dim)
        let outOff = c.tiedEmbeddings ? embOff : take(c.vocabSize * c.dim)
        let normOff = take(c.dim)
        struct Offsets { var attnNorm = 0, qkv = 0, bias = -1, qn = -1, kn = -1, o = 0, pan = -1, ffnNorm = 0, gu = 0, down = 0, pfn = -1 }
        var layerOffsets: [Offsets] = []
        for _ in 0..<c.layers {
            var o = Offsets()
            o.attnNorm = take(c.dim)
            o.qkv = take(c.qkvDim * c.dim)
            if c.qkvBias { o.bias = take(c.qkvDim) }
            if c.qkNorm { o.qn = take(c.headDim); o.kn = take(c.headDim) }
            o.o = take(c.dim * c.qDim)
            if c.sandwichNorms { o.pan = take(c.dim); o.pfn = take(c.dim) }
            o.ffnNorm = take(c.dim)
            o.gu = take(2 * c.ffnDim * c.dim)
            o.down = take(c.dim * c.ffnDim)
            layerOffsets.append(o)
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(offset, 1) * 4, alignment: 64)
        let base = raw.bindMemory(to: Float.self, capacity: max(offset, 1))
        arena = UnsafeMutableBufferPointer(start: base, count: offset)
        var ok = false
        defer { if !ok { raw.deallocate() } }

        var index: [String: Range<Int>] = [:]
        func load(_ name: String, _ off: Int, _ count: Int) throws {
            index[name] = off..<(off + count)
            try fill(name, UnsafeMutableBufferPointer(start: base + off, count: count))
        }
        try load("token_embd.weight", embOff, c.vocabSize * c.dim)
        if !c.tiedEmbeddings { try load("output.weight", outOff, c.vocabSize * c.dim) }
        try load("output_norm.weight", normOff, c.dim)
        var built: [LayerWeights] = []
        for (l, o) in layerOffsets.enumerated() {
            let p = "blk.\(l)."
            try load(p + "attn_norm.weight", o.attnNorm, c.dim)
            try load(p + "attn_q.weight", o.qkv, c.qDim * c.dim)
            try load(p + "attn_k.weight", o.qkv + c.qDim * c.dim, c.kvDim * c.dim)
            try load(p + "attn_v.weight", o.qkv + (c.qDim + c.kvDim) * c.dim, c.kvDim * c.dim)
            if c.qkvBias {
                try load(p + "attn_q.bias", o.bias, c.qDim)
                try load(p + "attn_k.bias", o.bias + c.qDim, c.kvDim)
                try load(p + "attn_v.bias", o.bias + c.qDim + c.kvDim, c.kvDim)
            }
            if c.qkNorm {
                try load(p + "attn_q_norm.weight", o.qn, c.headDim)
                try load(p + "attn_k_norm.weight", o.kn, c.headDim)
            }
            try load(p + "attn_output.weight", o.o, c.dim * c.qDim)
            if c.sandwichNorms {
                try load(p + "post_attention_norm.weight", o.pan, c.dim)
                try load(p + "post_ffw_norm.weight", o.pfn, c.dim)
            }
            try load(p + "ffn_norm.weight", o.ffnNorm, c.dim)
            try load(p + "ffn_gate.weight", o.gu, c.ffnDim * c.dim)
            try load(p + "ffn_up.weight", o.gu + c.ffnDim * c.dim, c.ffnDim * c.dim)
            try load(p + "ffn_down.weight", o.down, c.dim * c.ffnDim)
            func ptr(_ off: Int) -> UnsafeMutablePointer<Float>? { off < 0 ? nil : base + off }
            built.append(LayerWeights(
                attnNorm: base + o.attnNorm, qkv: base + o.qkv, qkvBias: ptr(o.bias),
                qNorm: ptr(o.qn), kNorm: ptr(o.kn), attnOutput: base + o.o, postAttnNorm: ptr(o.pan),
                ffnNorm: base + o.ffnNorm, gateUp: base + o.gu, down: base + o.down, postFfnNorm: ptr(o.pfn)))
        }
        embedding = base + embOff
        output = base + outOff
        outputNorm = base + normOff
        layers = built
        self.index = index
        ok = true
    }

    deinit { UnsafeMutableRawPointer(arena.baseAddress!).deallocate() }
}
