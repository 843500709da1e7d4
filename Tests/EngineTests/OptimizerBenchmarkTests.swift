import Foundation
import XCTest
@testable import Engine

/// Time of one AdamW step and one gradient clip at the study's sizes: SmolLM2-135M LoRA r=8 on
/// all seven projections (2,442,240 values) and the full 134.5M-parameter model. Release only:
/// `swift test -c release -Xswiftc -enable-testing --filter OptimizerBenchmarkTests`.
final class OptimizerBenchmarkTests: XCTestCase {
    func testStepTimes() throws {
        #if DEBUG
        throw XCTSkip("optimizer timings are measured in release builds")
        #else
        for (label, count) in [("LoRA r=8 SmolLM2", 2_442_240), ("full SmolLM2-135M", 134_515_008)] {
            let f = TensorFixture()
            // Split like a model: many tensors of a few sizes.
            var left = count, i = 0
            while left > 0 {
                let n = min(left, 576 * 1536)
                f.add("t\(i)", [Float](repeating: 0.01, count: n), decay: i % 5 != 0)
                f.setGrad(i, [Float](repeating: 1e-3, count: n))
                left -= n; i += 1
            }
            let opt = AdamW(tensors: f.tensors)
            let clipper = GradientClipper(tensors: f.tensors)
            opt.step(learningRate: 1e-4)  // warm the pages
            let steps = 5
            var start = Date()
            for _ in 0..<steps { opt.step(learningRate: 1e-4) }
            let stepSeconds = Date().timeIntervalSince(start) / Double(steps)
            start = Date()
            for _ in 0..<steps { _ = clipper.clip(maxNorm: 1e9) }
            let clipSeconds = Date().timeIntervalSince(start) / Double(steps)
            // A step reads value, grad, m, v and writes value, m, v: 28 bytes per value.
            print("[adamw] \(label): \(count) values, \(Parallel.cores) cores: step \(String(format: "%.2f", stepSeconds * 1000)) ms "
                  + "(\(String(format: "%.1f", 28 * Double(count) / stepSeconds / 1e9)) GB/s), "
                  + "clip norm \(String(format: "%.2f", clipSeconds * 1000)) ms")
        }
        #endif
    }
}
