import QuantKernels

/// How a model's weight matrices are held for inference.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// The GGUF's own blocks, memory-mapped and multiplied in place (`ftq_matmul`): no fp32 copy.
    /// The default for evaluation and generation.
    case quantized
    /// Every tensor dequantized once into an fp32 arena: the reference path, and what training
    /// (full fine-tuning's master weights, adapter merging, export) needs.
    case fp32
}

/// The weights the forward pass reads, whichever way they are stored: the small vectors (norms,
/// biases) as fp32 pointers, the matrices as `LinearWeight`s, the embedding table as rows that can
/// be turned into floats one at a time.
final class InferenceWeights: @unchecked Sendable {
    struct Layer {
        var attnNorm: UnsafePointer<Float>
        var qkvBias: UnsafePointer<Float>?
        var qNorm: UnsafePointer<Float>?
        var kNorm: UnsafePointer<Float>?
        var postAttnNorm: UnsafePointer<Float>?
        var ffnNorm: UnsafePointer<Float>
        var postFfnNorm: UnsafePointer<Float>?
        /// Wq, Wk, Wv stacked: [qDim + 2·kvDim, dim].
        var qkv: LinearWeight
        var attnOutput: LinearWeight
        /// W_gate then W_up: [2·ffnDim, dim].
        var gateUp: LinearWeight
        var down: LinearWeight
    }

    /// The token embedding table: fp32 rows, or stored rows of a ggml type.
    enum Embedding {
        case dense(UnsafePointer<Float>)
        case quantized(type: Int32, data: UnsafeRawPointer, rowBytes: Int)
    }

    let precision: WeightPrecision
    /// Every product through QuantKernels' fixed-order kernels (always true for quantized weights).
    let ordered: Bool
    let embedding: Embedding
    let output: LinearWeight
    let outputNorm: UnsafePointer<Float>
    let layers: [Layer]
    /// Per-core scratch of the quantized products (nil for fp32 weights).
    let scratch: QuantScratch?
    /// What keeps the memory behind the pointers alive: the fp32 arena, or the mapped file and the
    /// small fp32 arena of norms and biases.
    private let owners: [AnyObject]
    /// Bytes of weights this object references (the quantized blocks, or the fp32 arena).
    let residentBytes: Int

    /// Assembles a weight set from parts of others (`merging(_:into:config:)`); `owners` keep
    /// every pointer alive.
    init(precision: WeightPrecision, embedding: Embedding, output: LinearWeight, outputNorm: UnsafePointer<Float>,
         layers: [Layer], scratch: QuantScratch?, owners: [AnyObject], residentBytes: Int) {
        self.precision = precision
        ordered = true
        self.embedding = embedding
        self.output = output
        self.outputNorm = outputNorm
        self.layers = layers
        self.scratch = scratch
        self.owners = owners
        self.residentBytes = residentBytes
    }

    /// Views of an fp32 arena (no copy): training's in-place updates show in the next forward.
    /// `ordered`: multiply with the QuantKernels F32 product (fixed per-row summation order, so
    /// outputs do not depend on the batch) instead of OpenBLAS (the reference path).
    init(fp32 w: TransformerWeights, ordered: Bool = false) {
        let c = w.config
        precision = .fp32
        self.ordered = ordered
        func dense(_ p: UnsafeMutablePointer<Float>, out: Int, in k: Int) -> LinearWeight {
            guard ordered else { return .dense(p, out: out, in: k) }
            return LinearWeight(outFeatures: out, inFeatures: k, storage: .quantized([QuantizedPart(
                type: Int32(FTQ_F32), data: UnsafeRawPointer(p), rowBytes: 4 * k, firstFeature: 0, rows: out)]))
        }
        embedding = .dense(w.embedding)
        output = dense(w.output, out: c.vocabSize, in: c.dim)
        outputNorm = UnsafePointer(w.outputNorm)
        layers = w.layers.map { l in
            Layer(attnNorm: l.attnNorm, qkvBias: l.qkvBias.map { UnsafePointer($0) },
                  qNorm: l.qNorm.map { UnsafePointer($0) }, kNorm: l.kNorm.map { UnsafePointer($0) },
                  postAttnNorm: l.postAttnNorm.map { UnsafePointer($0) }, ffnNorm: l.ffnNorm,
                  postFfnNorm: l.postFfnNorm.map { UnsafePointer($0) },
                  qkv: dense(l.qkv, out: c.qkvDim, in: c.dim), attnOutput: dense(l.attnOutput, out: c.dim, in: c.qDim),
                  gateUp: dense(l.gateUp, out: 2 * c.ffnDim, in: c.dim), down: dense(l.down, out: c.dim, in: c.ffnDim))
        }
        scratch = ordered ? QuantScratch(maxInFeatures: max(c.dim, c.qDim, c.ffnDim)) : nil
        owners = [w]
        residentBytes = w.arena.count * 4
    }

    /// The matrices of `file` referenced in place; norms and biases copied into a small fp32 arena.
    init(gguf file: GGUFFile, config c: ModelConfig) throws {
        precision = .quantized
        ordered = true
        // Small tensors: one arena, filled by name.
        var vectors: [(name: String, count: Int)] = [("output_norm.weight", c.dim)]
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            vectors.append((p + "attn_norm.weight", c.dim))
            vectors.append((p + "ffn_norm.weight", c.dim))
            if c.qkvBias {
                vectors += [(p + "attn_q.bias", c.qDim), (p + "attn_k.bias", c.kvDim), (p + "attn_v.bias", c.kvDim)]
            }
            if c.qkNorm { vectors += [(p + "attn_q_norm.weight", c.headDim), (p + "attn_k_norm.weight", c.headDim)] }
            if c.sandwichNorms { vectors += [(p + "post_attention_norm.weight", c.dim), (p + "post_ffw_norm.weight", c.dim)] }
        }
        let arena = FloatArena(count: vectors.reduce(0) { $0 + $1.count })
        var offsets: [String: Int] = [:]
        var next = 0
        for (name, count) in vectors {
            let info = try Self.tensor(file, name, elements: count)
            try file.dequantize(info, into: UnsafeMutableBufferPointer(start: arena.base + next, count: count))
            offsets[name] = next
            next += count
        }
        func vector(_ name: String) -> UnsafePointer<Float> { UnsafePointer(arena.base + offsets[name]!) }
        func optional(_ name: String) -> UnsafePointer<Float>? { offsets[name].map { UnsafePointer(arena.base + $0) } }

        var bytes = 0
        /// The stacked matrix of `names`, each [rows, k].
        func matrix(_ names: [(String, Int)], k: Int) throws -> LinearWeight {
            var parts: [QuantizedPart] = []
            var first = 0
            for (name, rows) in names {
                let info = try Self.tensor(file, name, elements: rows * k)
                guard info.rowLength == k, ftq_type_supported(Int32(info.type.rawValue)) != 0 else {
                    throw GGUFError(file: file.name, field: "tensor \(ErrorText.quoted(name))",
                                    problem: info.rowLength != k ? "rows of \(info.rowLength) values, expected \(k)"
                                        : "type \(info.type) has no quantized product (use fp32 weights)")
                }
                parts.append(QuantizedPart(type: Int32(info.type.rawValue), data: try file.dataPointer(of: info),
                                           rowBytes: info.rowByteCount, firstFeature: first, rows: rows))
                bytes += info.byteCount
                first += rows
            }
            return LinearWeight(outFeatures: first, inFeatures: k, storage: .quantized(parts))
        }

        let embedInfo = try Self.tensor(file, "token_embd.weight", elements: c.vocabSize * c.dim)
        guard ftq_type_supported(Int32(embedInfo.type.rawValue)) != 0 else {
            throw GGUFError(file: file.name, field: "tensor 'token_embd.weight'", problem: "type \(embedInfo.type) is not supported")
        }
        embedding = .quantized(type: Int32(embedInfo.type.rawValue), data: try file.dataPointer(of: embedInfo),
                               rowBytes: embedInfo.rowByteCount)
        output = try matrix([(c.tiedEmbeddings ? "token_embd.weight" : "output.weight", c.vocabSize)], k: c.dim)
        if !c.tiedEmbeddings { bytes += embedInfo.byteCount }
        outputNorm = vector("output_norm.weight")
        var built: [Layer] = []
        for l in 0..<c.layers {
            let p = "blk.\(l)."
            built.append(Layer(
                attnNorm: vector(p + "attn_norm.weight"), qkvBias: optional(p + "attn_q.bias"),
                qNorm: optional(p + "attn_q_norm.weight"), kNorm: optional(p + "attn_k_norm.weight"),
                postAttnNorm: optional(p + "post_attention_norm.weight"), ffnNorm: vector(p + "ffn_norm.weight"),
                postFfnNorm: optional(p + "post_ffw_norm.weight"),
                qkv: try matrix([(p + "attn_q.weight", c.qDim), (p + "attn_k.weight", c.kvDim),
                                 (p + "attn_v.weight", c.kvDim)], k: c.dim),
                attnOutput: try matrix([(p + "attn_output.weight", c.dim)], k: c.qDim),
                gateUp: try matrix([(p + "ffn_gate.weight", c.ffnDim), (p + "ffn_up.weight", c.ffnDim)], k: c.dim),
                down: try matrix([(p + "ffn_down.weight", c.dim)], k: c.ffnDim)))
        }
        layers = built
        scratch = QuantScratch(maxInFeatures: max(c.dim, c.qDim, c.ffnDim))
        owners = [file, arena]
        residentBytes = bytes + arena.count * 4
    }

    private static func tensor(_ file: GGUFFile, _ name: String, elements: Int) throws -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else {
            throw GGUFError(file: file.name, field: "tensor \(ErrorText.quoted(name))", problem: "no such tensor")
        }
        guard info.elementCount == elements else {
            throw TransformerError.tensorSize(name: name, expected: elements, got: info.elementCount)
        }
        return info
    }
}

/// A 64-byte-aligned block of floats owned by an object (so a weight set can keep it alive).
final class FloatArena {
    let base: UnsafeMutablePointer<Float>
    let count: Int
    init(count: Int) {
        self.count = count
        base = allocateFloats(count)
    }
    deinit { base.deallocate() }
}
