import Foundation
import XCTest
@testable import Engine

/// One training step of SmolLM2-135M at 8 × 256 tokens (full, LoRA, DoRA). Runs only with
/// FTLAB_TRAINING_BENCH=1, in a release build.
final class TrainingBenchmarkTests: XCTestCase {
    func testTrainingStepSmolLM2() throws {
        guard ProcessInfo.processInfo.environment["FTLAB_TRAINING_BENCH"] == "1" else {
            throw XCTSkip("set FTLAB_TRAINING_BENCH=1 to time a training step")
        }
        let model = try Transformer(ggufPath: TestModels.require("smollm2-135m-instruct"))
        let c = model.config
        var rng = SplitMix64(seed: 9)
        let batch = (0..<8).map { _ in
            TrainingSequence(tokens: (0..<256).map { _ in Int32(rng.next(below: c.vocabSize)) }, promptTokens: 64)
        }
        for method in [TrainingMethod.full, .lora, .dora] {
            var set: AdapterSet? = nil
            if method != .full {
                set = AdapterSet(config: AdapterConfig(method: method == .dora ? .dora : .lora), model: c)
                set!.initialize(seed: 1) { model.baseWeight(layer: $0, $1) }
            }
            let graph = try TrainingGraph(transformer: model, method: method, adapters: set, maxTokens: 2048)
            _ = graph.accumulate(batch, lossScale: 1, dropoutSeed: 0)
            let start = Date()
            let r = graph.accumulate(batch, lossScale: 1, dropoutSeed: 1)
            let seconds = Date().timeIntervalSince(start)
            let fwdStart = Date()
            _ = graph.loss(batch)
            let fwd = Date().timeIntervalSince(fwdStart)
            print("[training bench] \(method.rawValue): step \(String(format: "%.2f", seconds)) s, "
                  + "\(Int(2048 / seconds)) tokens/s (forward only \(String(format: "%.2f", fwd)) s), "
                  + "mean loss \(r.lossSum / Double(r.answerTokens)), graph buffers \(graph.allocatedBytes >> 20) MiB, cores \(Parallel.cores)")
        }
    }
}
