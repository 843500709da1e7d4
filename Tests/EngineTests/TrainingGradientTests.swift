import XCTest
@testable import Engine

/// Finite-difference checks of the training graph's backward pass on tiny random models of each
/// family: every parameter kind (sampled coordinates) and a directional derivative along a random
/// direction through all trainable tensors at once. Loss sums are accumulated in Double and ε is
/// large (1e-2) for fp32: the truncation error O(ε²) stays below the rounding noise / 2ε.
final class TrainingGradientTests: XCTestCase {
    func testFullFineTuningGradientsLlama() throws { try checkFull(.llama, seed: 101) }
    func testFullFineTuningGradientsQwen2() throws { try checkFull(.qwen2, seed: 102) }
    func testFullFineTuningGradientsGemma3() throws { try checkFull(.gemma3, seed: 103) }

    func testLoRAGradients() throws {
        for (i, family) in ModelFamily.allCases.enumerated() {
            try checkAdapters(family, method: .lora, dropout: 0, seed: 200 + UInt64(i))
        }
    }

    func testDoRAGradients() throws {
        for (i, family) in ModelFamily.allCases.enumerated() {
            try checkAdapters(family, method: .dora, dropout: 0, seed: 300 + UInt64(i))
        }
    }

    /// With dropout the loss of `accumulate` (same seed, lossScale 0) is the function differentiated.
    func testAdapterGradientsWithDropout() throws {
        try checkAdapters(.qwen2, method: .lora, dropout: 0.3, seed: 401)
        try checkAdapters(.gemma3, method: .dora, dropout: 0.3, seed: 402)
    }

    // MARK: - Helpers

    static func batch(_ c: ModelConfig, seed: UInt64) -> [TrainingSequence] {
        var rng = SplitMix64(seed: seed)
        func seq(_ n: Int, prompt: Int) -> TrainingSequence {
            TrainingSequence(tokens: (0..<n).map { _ in Int32(rng.next(below: c.vocabSize)) }, promptTokens: prompt)
        }
        // Lengths beyond the tiny gemma3's window of 4; different prompt lengths.
        return [seq(9, prompt: 3), seq(6, prompt: 1), seq(11, prompt: 5)]
    }

    private func checkFull(_ family: ModelFamily, seed: UInt64) throws {
        let tiny = TinyModel(family: family, seed: seed)
        let model = try tiny.transformer()
        let graph = try TrainingGraph(transformer: model, method: .full, adapters: nil, maxTokens: 32)
        let batch = Self.batch(tiny.config, seed: seed)
        let report = try FiniteDifferences.check(graph: graph, batch: batch, eps: 1e-2, seed: seed) {
            graph.loss(batch).lossSum
        }
        print("[fd] \(family) full: \(report.summary)")
        XCTAssertLessThan(report.worstCoordinate, 1e-2, "\(family) full: \(report.summary)")
        XCTAssertLessThan(report.directional, 2e-3, "\(family) full: \(report.summary)")
        // Every parameter kind was checked (q/k/v, o, gate/up/down, norms, biases, QK-norms, head).
        let names = Set(report.perTensor.keys.map { $0.replacingOccurrences(of: #"model\.layers\.\d+\."#, with: "", options: .regularExpression) })
        var expected: Set<String> = ["model.embed_tokens.weight", "model.norm.weight", "input_layernorm.weight",
                                     "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight",
                                     "self_attn.o_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
                                     "mlp.down_proj.weight"]
        if family == .qwen2 { expected.formUnion(["lm_head.weight", "self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias"]) }
        if family == .gemma3 {
            expected.formUnion(["self_attn.q_norm.weight", "self_attn.k_norm.weight", "post_attention_layernorm.weight",
                                "pre_feedforward_layernorm.weight", "post_feedforward_layernorm.weight"])
        }
        XCTAssertTrue(expected.isSubset(of: names), "\(family): unchecked kinds \(expected.subtracting(names))")
    }

    private func checkAdapters(_ family: ModelFamily, method: TrainingMethod, dropout: Float, seed: UInt64) throws {
        let tiny = TinyModel(family: family, seed: seed)
        let model = try tiny.transformer()
        let set = AdapterSet(config: AdapterConfig(method: method == .dora ? .dora : .lora, rank: 3, alpha: 6,
                                                   dropout: dropout), model: tiny.config)
        Self.randomize(set, model: model, seed: seed)
        let graph = try TrainingGraph(transformer: model, method: method, adapters: set, maxTokens: 32)
        let batch = Self.batch(tiny.config, seed: seed)
        let dropoutSeed: UInt64 = 77
        if method == .dora {
            // The backward pass treats ‖W + sBA‖ as a constant (PEFT detaches it): so must the FD.
            _ = graph.loss(batch)
            graph.freezeDoraNorms = true
        }
        let report = try FiniteDifferences.check(graph: graph, batch: batch, eps: 1e-2, seed: seed,
                                                 dropoutSeed: dropoutSeed) {
            dropout > 0 ? graph.accumulate(batch, lossScale: 0, dropoutSeed: dropoutSeed).lossSum
                        : graph.loss(batch).lossSum
        }
        let what = "\(family) \(method.rawValue) dropout \(dropout)"
        print("[fd] \(what): \(report.summary)")
        XCTAssertLessThan(report.worstCoordinate, 1e-2, "\(what): \(report.summary)")
        XCTAssertLessThan(report.directional, 2e-3, "\(what): \(report.summary)")
        XCTAssertTrue(report.perTensor.keys.contains { $0.hasSuffix("lora_A.weight") })
        XCTAssertTrue(report.perTensor.keys.contains { $0.hasSuffix("lora_B.weight") })
        if method == .dora { XCTAssertTrue(report.perTensor.keys.contains { $0.hasSuffix("lora_magnitude_vector") }) }
    }

    /// PEFT init, then B (and m) made non-zero so every adapter gradient is.
    static func randomize(_ set: AdapterSet, model: Transformer, seed: UInt64) {
        set.initialize(seed: seed) { model.baseWeight(layer: $0, $1) }
        var rng = SplitMix64(seed: seed ^ 0xABCDEF)
        for ad in set.adapters {
            for j in 0..<ad.b.count { ad.b[j] = Float(rng.nextDouble() * 2 - 1) * 0.3 }
            if let m = ad.magnitude { for j in 0..<m.count { m[j] *= Float(0.8 + 0.4 * rng.nextDouble()) } }
        }
    }
}

/// Central differences against a graph's gradients.
enum FiniteDifferences {
    struct Report {
        var perTensor: [String: Double] = [:]
        var worstCoordinate = 0.0
        var worstName = ""
        var directional = 0.0
        var summary: String {
            "worst coordinate rel. error \(String(format: "%.2e", worstCoordinate)) (\(worstName)), "
                + "directional rel. error \(String(format: "%.2e", directional)), \(perTensor.count) tensors"
        }
    }

    /// Gradients from one `accumulate` (lossScale 1), then per tensor the largest-gradient coordinate
    /// and 2 random ones, error |fd − g| / max(|g|, |fd|, 1e-2·max|g| of the tensor); then the
    /// derivative along a random direction over all tensors.
    static func check(graph: TrainingGraph, batch: [TrainingSequence], eps: Float, seed: UInt64,
                      dropoutSeed: UInt64 = 0, loss: () -> Double) throws -> Report {
        graph.zeroGradients()
        let result = graph.accumulate(batch, lossScale: 1, dropoutSeed: dropoutSeed)
        XCTAssertGreaterThan(result.answerTokens, 0)
        let tensors = graph.trainableTensors
        let grads = tensors.map { Array($0.grad) }
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        var report = Report()
        // Five-point stencil (truncation O(ε⁴)): [8(L(+ε) − L(−ε)) − (L(+2ε) − L(−2ε))] / 12ε.
        func fd(_ t: TrainableTensor, _ i: Int) -> Double {
            let v = t.value[i]
            func at(_ k: Float) -> Double { t.value[i] = v + k * eps; return loss() }
            let d1 = at(1) - at(-1), d2 = at(2) - at(-2)
            t.value[i] = v
            return (8 * d1 - d2) / (12 * Double(eps))
        }
        for (t, g) in zip(tensors, grads) {
            let scale = g.reduce(0.0) { max($0, Double(abs($1))) }
            var picks = [g.indices.max { abs(g[$0]) < abs(g[$1]) }!]
            for _ in 0..<2 { picks.append(rng.next(below: g.count)) }
            var worst = 0.0
            for i in picks {
                let f = fd(t, i), a = Double(g[i])
                let err = abs(f - a) / max(abs(a), abs(f), 1e-2 * scale, 1e-6)
                worst = max(worst, err)
            }
            report.perTensor[t.name] = worst
            if worst > report.worstCoordinate { report.worstCoordinate = worst; report.worstName = t.name }
        }
        // Directional derivative: θ ± ε·u with u uniform in [-1, 1] per coordinate.
        var dirs: [[Float]] = []
        var predicted = 0.0
        for (t, g) in zip(tensors, grads) {
            let u = (0..<t.value.count).map { _ in Float(rng.nextDouble() * 2 - 1) }
            for i in u.indices { predicted += Double(u[i]) * Double(g[i]) }
            dirs.append(u)
        }
        let originals = tensors.map { Array($0.value) }
        let step = eps / 4
        func shift(_ sign: Float) {
            for (k, t) in tensors.enumerated() {
                for i in 0..<t.value.count { t.value[i] = originals[k][i] + sign * step * dirs[k][i] }
            }
        }
        func at(_ k: Float) -> Double { shift(k); return loss() }
        let d1 = at(1) - at(-1), d2 = at(2) - at(-2)
        for (k, t) in tensors.enumerated() { for i in 0..<t.value.count { t.value[i] = originals[k][i] } }
        let measured = (8 * d1 - d2) / (12 * Double(step))
        report.directional = abs(measured - predicted) / max(abs(predicted), 1e-9)
        return report
    }
}
