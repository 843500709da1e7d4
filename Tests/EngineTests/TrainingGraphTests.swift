import XCTest
@testable import Engine

/// Batch semantics, loss values, accumulation and merging of the training graph on tiny models.
final class TrainingGraphTests: XCTestCase {
    /// A packed batch's gradients and loss equal the sums over its sequences run one by one.
    func testPackedBatchEqualsSumOfSequences() throws {
        for family in ModelFamily.allCases {
            for method in [TrainingMethod.full, .lora, .dora] {
                let tiny = TinyModel(family: family, seed: 500)
                let model = try tiny.transformer()
                var set: AdapterSet? = nil
                if method != .full {
                    set = AdapterSet(config: AdapterConfig(method: method == .dora ? .dora : .lora, rank: 2, alpha: 4,
                                                           dropout: 0), model: tiny.config)
                    TrainingGradientTests.randomize(set!, model: model, seed: 501)
                }
                let graph = try TrainingGraph(transformer: model, method: method, adapters: set, maxTokens: 32)
                let batch = TrainingGradientTests.batch(tiny.config, seed: 502)
                graph.zeroGradients()
                let packed = graph.accumulate(batch, lossScale: 0.5, dropoutSeed: 1)
                let g1 = graph.trainableTensors.map { Array($0.grad) }
                graph.zeroGradients()
                var loss = 0.0, count = 0
                for seq in batch {
                    let r = graph.accumulate([seq], lossScale: 0.5, dropoutSeed: 1)
                    loss += r.lossSum; count += r.answerTokens
                }
                let g2 = graph.trainableTensors.map { Array($0.grad) }
                XCTAssertEqual(packed.answerTokens, count)
                XCTAssertEqual(packed.answerTokens, batch.reduce(0) { $0 + $1.tokens.count - max($1.promptTokens, 1) })
                XCTAssertEqual(packed.lossSum, loss, accuracy: 1e-5 * abs(loss), "\(family) \(method)")
                let scale = g1.flatMap { $0 }.reduce(Float(0)) { max($0, abs($1)) }
                var worst: Float = 0
                for (a, b) in zip(g1, g2) { for i in a.indices { worst = max(worst, abs(a[i] - b[i])) } }
                XCTAssertGreaterThan(scale, 0)
                XCTAssertLessThan(worst / scale, 1e-5, "\(family) \(method): packed vs per-sequence gradients")
            }
        }
    }

    /// The loss equals the cross-entropy of the independent float64 reference forward's logits,
    /// answer tokens only.
    func testLossMatchesFloat64Reference() throws {
        for family in ModelFamily.allCases {
            let tiny = TinyModel(family: family, seed: 510)
            let graph = try TrainingGraph(transformer: try tiny.transformer(), method: .full, adapters: nil, maxTokens: 40)
            let batch = TrainingGradientTests.batch(tiny.config, seed: 511)
            var expected = 0.0, count = 0
            for seq in batch {
                let logits = tiny.referenceLogits(seq.tokens)
                for t in max(seq.promptTokens - 1, 0)..<(seq.tokens.count - 1) {
                    let z = logits[t], m = z.max()!
                    let lse = m + Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - m) })
                    expected += lse - z[Int(seq.tokens[t + 1])]
                    count += 1
                }
            }
            let r = graph.loss(batch)
            XCTAssertEqual(r.answerTokens, count)
            XCTAssertEqual(r.lossSum, expected, accuracy: 2e-5 * abs(expected), "\(family)")
        }
    }

    /// accumulate adds: two calls give twice one call's gradients; lossScale scales them.
    func testAccumulateAddsScaledGradients() throws {
        let tiny = TinyModel(family: .qwen2, seed: 520)
        let graph = try TrainingGraph(transformer: try tiny.transformer(), method: .full, adapters: nil, maxTokens: 32)
        let batch = TrainingGradientTests.batch(tiny.config, seed: 521)
        graph.zeroGradients()
        _ = graph.accumulate(batch, lossScale: 1, dropoutSeed: 0)
        let once = graph.trainableTensors.map { Array($0.grad) }
        graph.zeroGradients()
        _ = graph.accumulate(batch, lossScale: 1, dropoutSeed: 0)
        for (t, a) in zip(graph.trainableTensors, once) {
            XCTAssertEqual(Array(t.grad), a, "\(t.name): a step is deterministic")
        }
        _ = graph.accumulate(batch, lossScale: 2, dropoutSeed: 0)
        let thrice = graph.trainableTensors.map { Array($0.grad) }
        for (k, (a, b)) in zip(once, thrice).enumerated() {
            let scale = a.reduce(Float(0)) { max($0, abs($1)) }
            var worst: Float = 0
            for i in a.indices { worst = max(worst, abs(b[i] - 3 * a[i])) }
            XCTAssertLessThan(worst, 1e-5 * 3 * scale, "\(graph.trainableTensors[k].name) scale \(scale)")
        }
        graph.zeroGradients()
        XCTAssertTrue(graph.trainableTensors.allSatisfy { $0.grad.allSatisfy { $0 == 0 } })
    }

    /// Merged weights (Transformer forward, token by token) give the logits of the unmerged
    /// adapted path at every position.
    func testMergedAdaptersMatchUnmergedPath() throws {
        for family in ModelFamily.allCases {
            for method in [AdapterMethod.lora, .dora] {
                let tiny = TinyModel(family: family, seed: 530)
                let model = try tiny.transformer()
                let set = AdapterSet(config: AdapterConfig(method: method, rank: 4, alpha: 8, dropout: 0.1),
                                     model: tiny.config)
                TrainingGradientTests.randomize(set, model: model, seed: 531)
                let graph = try TrainingGraph(transformer: model, method: method == .dora ? .dora : .lora,
                                              adapters: set, maxTokens: 16)
                let tokens: [Int32] = (0..<10).map { Int32(($0 * 5 + 2) % tiny.config.vocabSize) }
                let V = tiny.config.vocabSize
                let unmerged = graph.logits(TrainingSequence(tokens: tokens, promptTokens: 0))
                let base = decodeAll(model, tokens)
                model.mergeAdapters(set)
                let merged = decodeAll(model, tokens)
                var worst = 0.0, change = 0.0
                for t in 0..<tokens.count {
                    for v in 0..<V {
                        let a = Double(unmerged[t * V + v]), b = Double(merged[t][v])
                        worst = max(worst, abs(a - b) / max(abs(b), 1))
                        change = max(change, abs(Double(base[t][v]) - b))
                    }
                }
                XCTAssertGreaterThan(change, 1e-2, "\(family) \(method): the adapters should change the model")
                XCTAssertLessThan(worst, 1e-5, "\(family) \(method): merged vs unmerged, max rel. diff \(worst)")
                print("[merge] \(family) \(method): max relative logit difference \(worst)")
            }
        }
    }

    private func decodeAll(_ model: Transformer, _ tokens: [Int32]) -> [[Float]] {
        let cache = model.makeCache(rows: 1, capacity: tokens.count)
        return tokens.map { model.decodeStep(tokens: [$0], cache: cache).array(0) }
    }
}
