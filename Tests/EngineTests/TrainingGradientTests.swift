import XCTest
@testable import Engine

/// Finite-difference checks of the training graph's backward pass on tiny random models of each
/// family: every parameter kind (sampled coordinates) and a directional derivative along a random
/// direction through all trainable tensors at once. Loss sums are accumulated in Double and ε is
/// large (1e-2) for fp32: the truncation error O(ε²) stays below the rounding noise / 2ε.
final class TrainingGradientTests: XCTestCase {
    func testFullFineTuningGradientsLlama() throws { try checkFull(.llama, seed: 101) }
    func testFullFineTuningGradientsQwen2() throws { try checkFull(.qwen2, seed: 102) }
    func testFullFineTuningGradientsGemma3() throws { try checkFull(.gemma3, seed: 103, eps: 3e-3) }

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

    private func checkFull(_ family: ModelFamily, seed: UInt64, eps: Float = 1e-2) throws {
        let tiny = TinyModel(family: family, seed: seed)
        let model = try tiny.transformer()
        let graph = try TrainingGraph(transformer: model, method: .full, adapters: nil, maxTokens: 32)
        let batch = Self.batch(tiny.config, seed: seed)
        let report = try FiniteDifferences.check(graph: graph, batch: batch, eps: eps, seed: seed) {
            graph.loss(batch).lossSum
        }
        print("[fd] \(family) full: \(report.summary)")
        assertAccurate(report, "\(family) full")
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
        assertAccurate(report, what)
        XCTAssertTrue(report.perTensor.keys.contains { $0.hasSuffix("lora_A.weight") })
        XCTAssertTrue(report.perTensor.keys.contains { $0.hasSuffix("lora_B.weight") })
        if method == .dora { XCTAssertTrue(report.perTensor.keys.contains { $0.hasSuffix("lora_magnitude_vector") }) }
    }

    private func assertAccurate(_ r: FiniteDifferences.Report, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThan(r.worstTensor, 5e-3, "\(what): \(r.summary)", file: file, line: line)
        XCTAssertLessThan(r.worstCoordinate, 2e-2, "\(what): \(r.summary)", file: file, line: line)
        XCTAssertLessThan(r.directional, 1e-3, "\(what): \(r.summary)", file: file, line: line)
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
///
/// fp32 forward passes make the loss a slightly rough function of θ (rounding noise ~1e-6 of the
/// loss), so single small gradient coordinates drown in noise/ε. The sharp checks are therefore
/// directional derivatives, where the signal is a whole tensor's gradient: per tensor, along
/// u = normalize(ĝ + r̂) (r random: a wrong gradient shows in either part), and along such a
/// direction through all tensors at once. Each tensor's largest coordinate is checked too.
enum FiniteDifferences {
    struct Report {
        /// Per tensor: the worse of its directional and largest-coordinate relative errors.
        var perTensor: [String: Double] = [:]
        var worstTensor = 0.0
        var worstCoordinate = 0.0
        var worstName = ""
        var directional = 0.0
        var summary: String {
            "worst per-tensor directional rel. error \(String(format: "%.2e", worstTensor)) (\(worstName)), "
                + "worst largest-coordinate rel. error \(String(format: "%.2e", worstCoordinate)), "
                + "all-tensor directional rel. error \(String(format: "%.2e", directional)), \(perTensor.count) tensors"
        }
    }

    /// Gradients from one `accumulate` (lossScale 1), then the checks above with a five-point
    /// stencil (truncation O(ε⁴)).
    static func check(graph: TrainingGraph, batch: [TrainingSequence], eps: Float, seed: UInt64,
                      dropoutSeed: UInt64 = 0, loss: () -> Double) throws -> Report {
        graph.zeroGradients()
        let result = graph.accumulate(batch, lossScale: 1, dropoutSeed: dropoutSeed)
        XCTAssertGreaterThan(result.answerTokens, 0)
        let tensors = graph.trainableTensors
        let grads = tensors.map { Array($0.grad) }
        let originals = tensors.map { Array($0.value) }
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        var report = Report()

        func direction(_ g: [Float]) -> [Double] {
            let r = g.map { _ in rng.nextDouble() * 2 - 1 }
            let gn = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let rn = r.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            return zip(g, r).map { (gn > 0 ? Double($0) / gn : 0) + $1 / rn }
        }
        func stencil(_ set: (Double) -> Void) -> Double {
            func at(_ k: Double) -> Double { set(k); return loss() }
            let d1 = at(1) - at(-1), d2 = at(2) - at(-2)
            set(0)
            return (8 * d1 - d2) / 12
        }
        let globalScale = grads.flatMap { $0 }.reduce(0.0) { max($0, Double(abs($1))) }
        var all: [[Double]] = []
        var allNorm2 = 0.0
        for (k, t) in tensors.enumerated() {
            let g = grads[k], v = originals[k]
            var u = direction(g)
            let n = u.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            u = u.map { $0 / n }
            all.append(u)
            allNorm2 += 1
            let predicted = zip(u, g).reduce(0.0) { $0 + $1.0 * Double($1.1) } * Double(eps)
            let measured = stencil { k in for i in v.indices { t.value[i] = v[i] + Float(k * Double(eps) * u[i]) } }
            let dirErr = abs(measured - predicted) / max(abs(predicted), 1e-12)
            // The largest coordinate, against a floor of 1e-2 of the largest gradient anywhere.
            let i = g.indices.max { abs(g[$0]) < abs(g[$1]) }!
            let fd = stencil { k in t.value[i] = v[i] + Float(k * Double(eps)) } / Double(eps)
            let coordErr = abs(fd - Double(g[i])) / max(abs(Double(g[i])), abs(fd), 1e-2 * globalScale)
            report.perTensor[t.name] = max(dirErr, coordErr)
            if dirErr > report.worstTensor { report.worstTensor = dirErr; report.worstName = t.name }
            report.worstCoordinate = max(report.worstCoordinate, coordErr)
        }
        // All tensors at once, each along its unit direction, scaled so the whole step has length ε.
        let scale = Double(eps) / allNorm2.squareRoot()
        var predicted = 0.0
        for (k, g) in grads.enumerated() { for i in g.indices { predicted += all[k][i] * Double(g[i]) } }
        predicted *= scale
        let measured = stencil { s in
            for (k, t) in tensors.enumerated() {
                for i in 0..<t.value.count { t.value[i] = originals[k][i] + Float(s * scale * all[k][i]) }
            }
        }
        report.directional = abs(measured - predicted) / max(abs(predicted), 1e-12)
        return report
    }
}
