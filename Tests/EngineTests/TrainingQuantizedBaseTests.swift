import XCTest
@testable import Engine

/// LoRA/DoRA on a frozen base that stays in its stored blocks (products through QuantKernels, the
/// input gradient through the transposed product on dequantized tiles), against the fp32
/// (OpenBLAS) base; and activation recomputation against stored activations.
final class TrainingQuantizedBaseTests: XCTestCase {
    /// Tiny models: the same weights once as an fp32 arena multiplied by OpenBLAS, once as F32
    /// "blocks" through the quantized code path (ftq_matmul forward, tiled transposed product
    /// backward). Only summation orders differ: loss and every adapter gradient agree to 1e-4.
    func testTinyModelsQuantizedPathMatchesFP32Base() throws {
        for (i, family) in ModelFamily.allCases.enumerated() {
            for method in [TrainingMethod.lora, .dora] {
                let tiny = TinyModel(family: family, seed: 900 + UInt64(i))
                let reference = try tiny.transformer()
                let stored = try tiny.transformer()
                stored.orderedProducts = true
                XCTAssertTrue(stored.inference.output.isQuantized, "the ordered model takes the quantized code path")
                let batch = TrainingGradientTests.batch(tiny.config, seed: 910)
                let a = try Self.adapterStep(reference, tiny.config, method: method, batch: batch, dropout: 0.1)
                let b = try Self.adapterStep(stored, tiny.config, method: method, batch: batch, dropout: 0.1)
                Self.assertAgree(a, b, tolerance: 1e-4, "\(family) \(method.rawValue)")
            }
        }
    }

    /// Recomputing each layer's activations in the backward pass gives the stored pass's
    /// gradients bit for bit (the same products on the same inputs), for every method and family.
    func testRecomputedActivationsGiveIdenticalGradients() throws {
        for (i, family) in ModelFamily.allCases.enumerated() {
            for method in [TrainingMethod.full, .lora, .dora] {
                let tiny = TinyModel(family: family, seed: 920 + UInt64(i))
                let batch = TrainingGradientTests.batch(tiny.config, seed: 930)
                var results: [StepResult] = []
                for recompute in [false, true] {
                    let model = try tiny.transformer()
                    if method == .full {
                        let graph = try TrainingGraph(transformer: model, method: .full, adapters: nil, maxTokens: 32,
                                                      recomputeActivations: recompute)
                        graph.zeroGradients()
                        let loss = graph.accumulate(batch, lossScale: 0.1, dropoutSeed: 5).lossSum
                        results.append(StepResult(loss: loss, grads: graph.trainableTensors.map { ($0.name, Array($0.grad)) }))
                    } else {
                        results.append(try Self.adapterStep(model, tiny.config, method: method, batch: batch,
                                                            dropout: 0.2, recompute: recompute))
                    }
                }
                XCTAssertEqual(results[0].loss, results[1].loss, "\(family) \(method): loss")
                for (x, y) in zip(results[0].grads, results[1].grads) {
                    XCTAssertEqual(x.1, y.1, "\(family) \(method): \(x.0) gradient differs with recomputation")
                }
            }
        }
    }

    /// Recomputation keeps only each layer's input: far less memory for the same step.
    func testRecomputationAllocatesLess() throws {
        let tiny = TinyModel(family: .qwen2, seed: 940)
        let stored = try TrainingGraph(transformer: try tiny.transformer(), method: .full, adapters: nil, maxTokens: 512)
        let recomputed = try TrainingGraph(transformer: try tiny.transformer(), method: .full, adapters: nil, maxTokens: 512,
                                           recomputeActivations: true)
        XCTAssertLessThan(recomputed.allocatedBytes, stored.allocatedBytes)
    }

    /// SmolLM2-135M on its real Q4_1/Q8_0 blocks vs its fp32 arena: LoRA and DoRA (r 8, all seven
    /// projections) give the same loss and adapter gradients within 1e-4 relative.
    func testSmolLM2QuantizedBaseMatchesFP32Base() throws {
        let path = try TestModels.require("smollm2-135m-instruct")
        let fp32 = try Transformer(ggufPath: path, precision: .fp32)
        let quantized = try Transformer(ggufPath: path, precision: .quantized)
        XCTAssertNil(quantized.fp32Arena, "no fp32 copy of the base")
        var rng = SplitMix64(seed: 77)
        let c = fp32.config
        let batch = [48, 80, 64].map { n in
            TrainingSequence(tokens: (0..<n).map { _ in Int32(rng.next(below: c.vocabSize)) }, promptTokens: n / 2)
        }
        for method in [TrainingMethod.lora, .dora] {
            let a = try Self.adapterStep(fp32, c, method: method, batch: batch, dropout: 0.05, rank: 8)
            let b = try Self.adapterStep(quantized, c, method: method, batch: batch, dropout: 0.05, rank: 8)
            Self.assertAgree(a, b, tolerance: 1e-4, "SmolLM2 \(method.rawValue)")
            print("[quantized base] SmolLM2 \(method.rawValue): loss \(a.loss) (fp32 base) vs \(b.loss) (quantized base)")
        }
        // Full fine-tuning needs the fp32 master weights: refused with a message, not a crash.
        XCTAssertThrowsError(try TrainingGraph(transformer: quantized, method: .full, adapters: nil, maxTokens: 8)) {
            XCTAssertTrue("\($0)".contains("fp32"), "\($0)")
        }
    }

    // MARK: - Helpers

    struct StepResult {
        var loss: Double
        var grads: [(String, [Float])]
    }

    /// One accumulate step with seeded adapters (B and m made non-zero so every gradient is).
    static func adapterStep(_ model: Transformer, _ c: ModelConfig, method: TrainingMethod, batch: [TrainingSequence],
                            dropout: Float, rank: Int = 3, recompute: Bool = false) throws -> StepResult {
        let set = AdapterSet(config: AdapterConfig(method: method == .dora ? .dora : .lora, rank: rank, alpha: 2 * Float(rank),
                                                   dropout: dropout), model: c)
        set.initialize(seed: 3) { model.baseRowSquaredNorms(layer: $0, $1) }
        var rng = SplitMix64(seed: 4)
        for ad in set.adapters {
            for j in 0..<ad.b.count { ad.b[j] = Float(rng.nextDouble() * 2 - 1) * 0.05 }
            if let m = ad.magnitude { for j in 0..<m.count { m[j] *= Float(0.9 + 0.2 * rng.nextDouble()) } }
        }
        let maxTokens = batch.reduce(0) { $0 + $1.tokens.count }
        let graph = try TrainingGraph(transformer: model, method: method, adapters: set, maxTokens: maxTokens,
                                      recomputeActivations: recompute)
        graph.zeroGradients()
        let loss = graph.accumulate(batch, lossScale: 1 / Float(maxTokens), dropoutSeed: 11).lossSum
        return StepResult(loss: loss, grads: set.trainableTensors.map { ($0.name, Array($0.grad)) })
    }

    /// Loss within `tolerance` relative; each tensor's gradient within `tolerance` of its norm.
    static func assertAgree(_ a: StepResult, _ b: StepResult, tolerance: Double, _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThan(abs(a.loss - b.loss) / abs(a.loss), tolerance, "\(what): loss \(a.loss) vs \(b.loss)",
                          file: file, line: line)
        var worst = 0.0, worstName = ""
        for (x, y) in zip(a.grads, b.grads) {
            XCTAssertEqual(x.0, y.0, file: file, line: line)
            var diff = 0.0, norm = 0.0
            for i in x.1.indices { diff += Double(x.1[i] - y.1[i]) * Double(x.1[i] - y.1[i]); norm += Double(x.1[i]) * Double(x.1[i]) }
            XCTAssertGreaterThan(norm, 0, "\(what): \(x.0) has a zero gradient", file: file, line: line)
            let r = (diff / max(norm, 1e-300)).squareRoot()
            if r > worst { worst = r; worstName = x.0 }
        }
        XCTAssertLessThan(worst, tolerance, "\(what): worst gradient \(worstName)", file: file, line: line)
        print("[quantized base] \(what): loss rel. diff \(abs(a.loss - b.loss) / abs(a.loss)), worst gradient rel. diff \(worst) (\(worstName))")
    }
}
