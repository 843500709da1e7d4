import Engine
import Foundation

/// Peak memory of a run, estimated from shapes before anything large is allocated, by part.
public struct MemoryEstimate: Codable, Sendable, Equatable {
    /// Weights as held: the mapped GGUF blocks, plus the fp32 arena when there is one.
    public var weightBytes = 0
    /// Saved activations of the training graph.
    public var activationBytes = 0
    public var gradientBytes = 0
    /// AdamW moments (and the adapters' own values).
    public var optimizerBytes = 0
    /// KV cache of the evaluation (paged: what the rows can hold at once).
    public var kvCacheBytes = 0
    /// Scratch buffers, tokenizer, dataset, runtime.
    public var otherBytes = 0
    /// Whether the plan recomputes activations (gradient checkpointing).
    public var recompute = false
    /// A training run's `then eval`: its own peak (the tuned weights in fp32, the KV cache), which
    /// comes after the training buffers are freed.
    public var followingEvaluationBytes = 0

    /// The sum of the parts, or the following evaluation's peak where that is higher.
    public var totalBytes: Int {
        max(weightBytes + activationBytes + gradientBytes + optimizerBytes + kvCacheBytes + otherBytes,
            followingEvaluationBytes)
    }

    /// "≈ 2.9 GB (weights 1.1, activations 0.8, gradients 0.1, optimizer 0.2, other 0.7 GB)".
    public var summary: String {
        var parts = ["weights \(Self.gigabytes(weightBytes))"]
        if activationBytes > 0 { parts.append("activations \(Self.gigabytes(activationBytes))" + (recompute ? " recomputed" : "")) }
        if gradientBytes > 0 { parts.append("gradients \(Self.gigabytes(gradientBytes))") }
        if optimizerBytes > 0 { parts.append("optimizer \(Self.gigabytes(optimizerBytes))") }
        if kvCacheBytes > 0 { parts.append("KV cache \(Self.gigabytes(kvCacheBytes))") }
        parts.append("other \(Self.gigabytes(otherBytes))")
        let sum = weightBytes + activationBytes + gradientBytes + optimizerBytes + kvCacheBytes + otherBytes
        var text = "≈ \(Self.gigabytes(sum)) GB (" + parts.joined(separator: ", ") + " GB)"
        if followingEvaluationBytes > sum {
            text += ", then ≈ \(Self.gigabytes(followingEvaluationBytes)) GB for its evaluation (tuned weights in fp32, KV cache)"
        }
        return text

    }

    public static func gigabytes(_ bytes: Int) -> String {
        let g = Double(bytes) / 1e9
        return g >= 10 ? String(format: "%.0f", g) : String(format: "%.1f", g)
    }
}

/// A refused run: the estimate, what is available, and what would fit instead.
public struct MemoryRefusal: Error, CustomStringConvertible {
    public let description: String
}

/// Estimates runs' peak memory and refuses those that cannot fit, before their model loads.
public enum MemoryPlanner {
    /// Resident memory of the process apart from the run's buffers and the tokenizer: Swift
    /// runtime, SQLite, OpenBLAS's buffers, dataset text (measured on this machine's runs).
    public static let processBaseline = 56 << 20

    /// What a model file says about its size without loading it (a GGUF header is read; the
    /// tensors stay on disk).
    public struct ModelShape: Sendable {
        public var config: ModelConfig
        /// Bytes of the tensors as stored (what a quantized model maps and touches).
        public var storedBytes: Int
        /// Floats of the fp32 arena (`TransformerWeights`: each tensor padded to 16).
        public var arenaFloats: Int
        /// Whether the file is a GGUF whose matrices can stay quantized.
        public var quantizable: Bool
        /// Tokenizer tables (vocabulary and merges as Swift strings and dictionaries).
        /// (SmolLM2's 49k tokens ≈ 20 MB, gemma3's 262k ≈ 105 MB, measured as RSS differences.)
        public var tokenizerBytes: Int { config.vocabSize * 400 }
    }

    public static func shape(path: String) throws -> ModelShape {
        // A sweep plans many runs of a few models: parse each file's header once (keyed by
        // path, size and modification time, so a replaced file is read again).
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let key = "\(path)|\(attributes?[.size] ?? 0)|\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        if let cached = shapeCache.value(for: key) { return cached }
        let shape = try readShape(path: path)
        shapeCache.store(shape, for: key)
        return shape
    }

    private static let shapeCache = ShapeCache()

    private static func readShape(path: String) throws -> ModelShape {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let checkpoint = try HuggingFaceCheckpoint(path: path)
            let c = checkpoint.config
            return ModelShape(config: c, storedBytes: 0, arenaFloats: c.parameterCount, quantizable: false)
        }
        let file = try GGUFFile(path: path)
        let c = try ModelConfig(gguf: file)
        var stored = 0, floats = 0
        for t in file.tensors {
            stored += t.byteCount
            floats += (t.elementCount + 15) / 16 * 16
        }
        return ModelShape(config: c, storedBytes: stored, arenaFloats: floats, quantizable: true)
    }

    /// Memory available to a run: MemAvailable (Linux), capped by `limit` (`--memory`, FTLAB_MEMORY).
    public static func availableBytes(limit: Int? = nil) -> Int {
        var available = Int.max
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kb = Int(fields[1]) { available = kb * 1024 }
            }
        }
        if available == Int.max {
            available = Int(ProcessInfo.processInfo.physicalMemory)
        }
        return min(available, limit ?? Int.max)
    }

    /// "8G", "512M", "6.5GB", "3000000000" → bytes.
    public static func parseSize(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasSuffix("B") { s.removeLast() }
        var factor = 1.0
        if let last = s.last, let f = ["K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12][String(last)] {
            factor = f
            s.removeLast()
        }
        guard let v = Double(s), v > 0, v.isFinite else { return nil }
        return Int(v * factor)
    }

    // MARK: - Training

    /// The training phase (graph, optimizer, weights as trained) and, when the spec has one, the
    /// evaluation that follows (a quantized-base adapter run then merges into an fp32 copy).
    public static func training(_ spec: TrainSpec, shape: ModelShape, recompute: Bool) -> MemoryEstimate {
        let c = shape.config
        let quantizedBase = spec.basePrecision == .quantized && shape.quantizable
        let T = spec.batchSize * spec.maxSequenceLength
        let plan = TrainingMemoryPlan(config: c, method: spec.method, adapters: spec.adapterConfig, maxTokens: T,
                                      quantizedBase: quantizedBase, recompute: recompute, arenaFloats: shape.arenaFloats)
        var e = MemoryEstimate()
        e.recompute = recompute
        e.weightBytes = shape.storedBytes + (quantizedBase ? 0 : shape.arenaFloats * 4)
        e.activationBytes = plan.activations
        e.gradientBytes = plan.gradients
        e.optimizerBytes = plan.optimizer + plan.adapterValues
        // Tokenized training data: a few int32 per token of every sequence, bounded by seq.
        e.otherBytes = plan.scratch + processBaseline + shape.tokenizerBytes
        if spec.method == .full {
            // Writing a checkpoint converts one tensor at a time (the largest: the embedding).
            e.otherBytes += c.vocabSize * c.dim * 4
        }
        if let eval = spec.thenEval {
            // After training: the tuned weights in fp32 and the evaluation's KV cache; the graph
            // and optimizer are gone by then.
            let kv = evaluationKV(eval, config: c)
            e.followingEvaluationBytes = shape.storedBytes + shape.arenaFloats * 4 + kv + processBaseline + shape.tokenizerBytes
        }
        return e
    }

    /// Chooses activation recomputation (when the spec leaves it open and stored activations do
    /// not fit) and refuses a run that cannot fit at all, naming what would.
    public static func planTraining(_ spec: TrainSpec, shape: ModelShape, available: Int) throws -> MemoryEstimate {
        let stored = training(spec, shape: shape, recompute: false)
        let recomputed = training(spec, shape: shape, recompute: true)
        let chosen: MemoryEstimate
        switch spec.recompute {
        case .some(true): chosen = recomputed
        case .some(false): chosen = stored
        case .none: chosen = stored.totalBytes <= available ? stored : recomputed
        }
        guard chosen.totalBytes > available else { return chosen }
        var alternatives: [String] = []
        if spec.method == .full {
            for method in [TrainingMethod.lora, .dora] {
                var other = spec
                other.method = method
                let e = training(other, shape: shape, recompute: true)
                if e.totalBytes <= available {
                    alternatives.append("\(method.rawValue) needs \(e.summary)")
                }
            }
        }
        if spec.recompute == false && recomputed.totalBytes <= available {
            alternatives.append("with activation recomputation it needs \(recomputed.summary)")
        }
        var smaller = spec
        while smaller.batchSize > 1 {
            smaller.batchSize /= 2
            let e = training(smaller, shape: shape, recompute: true)
            if e.totalBytes <= available {
                alternatives.append("batch \(smaller.batchSize) needs ≈ \(MemoryEstimate.gigabytes(e.totalBytes)) GB")
                break
            }
        }
        let what = spec.method == .full ? "full fine-tuning" : spec.method.rawValue
        throw MemoryRefusal(description:
            "\(what) of \(spec.modelKey) at batch \(spec.batchSize) × seq \(spec.maxSequenceLength) needs \(chosen.summary); "
            + "\(MemoryEstimate.gigabytes(available)) GB available — not started"
            + (alternatives.isEmpty ? "" : "; " + alternatives.joined(separator: "; ")))
    }

    // MARK: - Evaluation

    /// Weights as evaluation holds them, the KV cache of `batch` rows of prompt + answer, scratch.
    public static func evaluation(_ spec: ExperimentSpec, shape: ModelShape,
                                  prompts: PromptStatistics? = nil) -> MemoryEstimate {
        let c = shape.config
        var e = MemoryEstimate()
        let fp32 = spec.precision == .fp32 || !shape.quantizable
        e.weightBytes = shape.storedBytes + (fp32 ? shape.arenaFloats * 4 : 0)
        e.kvCacheBytes = evaluationKV(spec, config: c, prompts: prompts)
        // Forward scratch: activations of the widest prefill chunk, logits of the rows.
        let rows = spec.batchSize
        e.otherBytes = processBaseline + shape.tokenizerBytes + rows * c.vocabSize * 4
            + 512 * (c.qkvDim + 2 * c.ffnDim + 4 * c.dim) * 4
        return e
    }

    /// Paged KV: each of the W rows (or fewer, with fewer examples) holds its prompt and its
    /// answer so far, in pages of 64 positions, K and V per layer. Rows sit at random points of
    /// their answers, so on average a row holds its prompt, half an answer and half a page; an
    /// answer is taken to be as long as the reference solution (capped by max-tokens).
    /// Measured on SmolLM2 and gemma3 (GSM8K, synthetic): within ±20 % of the pages' peak.
    static func evaluationKV(_ spec: ExperimentSpec, config c: ModelConfig, prompts: PromptStatistics? = nil) -> Int {
        let perPosition = c.layers * 2 * c.kvDim * 4
        // Without the prompts: a zero-shot GSM8K prompt is ~100 tokens, each shot ~180 more, a
        // worked solution ~120.
        let prompt = prompts.map { Int($0.meanPromptTokens) } ?? (100 + 180 * spec.shots)
        let answer = min(spec.maxNewTokens, prompts.map { Int($0.meanReferenceAnswerTokens) } ?? 120)
        let rows = min(spec.batchSize, prompts?.examples ?? spec.batchSize)
        let row = prompt + answer / 2 + 32
        return rows * row * perPosition
    }
}

/// The shapes of model files already read, shared by every planner call in the process.
private final class ShapeCache: @unchecked Sendable {
    private let lock = NSLock()
    private var shapes: [String: MemoryPlanner.ModelShape] = [:]

    func value(for key: String) -> MemoryPlanner.ModelShape? {
        lock.lock(); defer { lock.unlock() }
        return shapes[key]
    }

    func store(_ shape: MemoryPlanner.ModelShape, for key: String) {
        lock.lock(); defer { lock.unlock() }
        shapes[key] = shape
    }
}
