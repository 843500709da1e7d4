import Foundation

/// One optimizer step's throughput for a training method (what `ftlab bench` reports).
public struct TrainingMeasurement: Codable, Sendable, Equatable {
    public var method: TrainingMethod
    public var batch: Int
    public var sequenceLength: Int
    /// Best of the timed steps: forward + backward + clipping + AdamW.
    public var stepSeconds: Double
    public var tokensPerSecond: Double
    public var trainableParameters: Int
    /// Peak resident set size while this method ran (the high-water mark is reset before it).
    public var peakRSSBytes: Int?
    /// How the frozen base was held ("quantized" blocks or "fp32"; full fine-tuning: fp32).
    public var base: String = "fp32"
    /// Whether activations were recomputed in the backward pass.
    public var recompute = false
}

/// Times full optimizer steps on random token sequences (every position past the first quarter is
/// an answer token), each method on a freshly loaded model so full fine-tuning's updates do not
/// leak into the next measurement. LoRA and DoRA run on the quantized base, as `train` does,
/// unless `fp32Base`.
public enum TrainingBenchmark {
    public static func run(path: String, methods: [TrainingMethod] = [.full, .lora, .dora], batch: Int = 8,
                           sequenceLength: Int = 256, steps: Int = 2, fp32Base: Bool = false,
                           recompute: Bool = false) throws -> [TrainingMeasurement] {
        var results: [TrainingMeasurement] = []
        for method in methods {
            resetPeakRSS()
            results.append(try measure(path: path, method: method, batch: batch, sequenceLength: sequenceLength, steps: steps,
                                       quantizedBase: method != .full && !fp32Base, recompute: recompute))
        }
        return results
    }

    private static func measure(path: String, method: TrainingMethod, batch: Int, sequenceLength: Int,
                                steps: Int, quantizedBase: Bool, recompute: Bool) throws -> TrainingMeasurement {
        let model = try Transformer(ggufPath: path, precision: quantizedBase ? .quantized : .fp32)
        let c = model.config
        var rng = SplitMix64(seed: 9)
        let sequences = (0..<batch).map { _ in
            TrainingSequence(tokens: (0..<sequenceLength).map { _ in Int32(rng.next(below: min(c.vocabSize, 32_000))) },
                             promptTokens: sequenceLength / 4)
        }
        var adapters: AdapterSet?
        if method != .full {
            let set = AdapterSet(config: AdapterConfig(method: method == .lora ? .lora : .dora), model: c)
            set.initialize(seed: 1) { model.baseRowSquaredNorms(layer: $0, $1) }
            adapters = set
        }
        let graph = try TrainingGraph(transformer: model, method: method, adapters: adapters,
                                      maxTokens: batch * sequenceLength, recomputeActivations: recompute)
        let tensors = graph.trainableTensors
        let optimizer = AdamW(tensors: tensors)
        let clipper = GradientClipper(tensors: tensors)
        func step(_ i: Int) {
            graph.zeroGradients()
            _ = graph.accumulate(sequences, lossScale: 1 / Float(batch * (sequenceLength - sequenceLength / 4)),
                                 dropoutSeed: UInt64(i))
            clipper.clip(maxNorm: 1)
            optimizer.step(learningRate: 1e-5)
        }
        step(0)  // warm-up: first touches of every buffer
        var best = Double.infinity
        for i in 1...max(1, steps) {
            let t0 = EngineBenchmark.now()
            step(i)
            best = min(best, EngineBenchmark.now() - t0)
        }
        return TrainingMeasurement(method: method, batch: batch, sequenceLength: sequenceLength, stepSeconds: best,
                                   tokensPerSecond: Double(batch * sequenceLength) / best,
                                   trainableParameters: tensors.reduce(0) { $0 + $1.value.count },
                                   peakRSSBytes: EngineBenchmark.peakRSSBytes(),
                                   base: quantizedBase ? "quantized" : "fp32", recompute: recompute)
    }

    /// Linux resets VmHWM to the current RSS when "5" is written to /proc/self/clear_refs.
    public static func resetPeakRSS() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        handle.write(Data("5".utf8))
        try? handle.close()
    }
}
