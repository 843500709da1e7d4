import Foundation
import XCTest
@testable import Engine

/// The learning-rate schedule at hand-computed points, and global-norm gradient clipping.
final class ScheduleAndClippingTests: XCTestCase {
    /// peak 1e-3, floor 1e-4, T = 110, warm-up 10: decay progress p = (s − 10)/100.
    func testWarmupThenCosineLinearConstant() {
        let cos = LearningRateSchedule(peak: 1e-3, totalSteps: 110, warmup: .steps(10), decay: .cosine, floor: 1e-4)
        XCTAssertEqual(cos.learningRate(step: 0), 0)
        XCTAssertEqual(cos.learningRate(step: 5), 5e-4, accuracy: 1e-10)       // 1e-3 · 5/10
        XCTAssertEqual(cos.learningRate(step: 10), 1e-3, accuracy: 1e-10)      // p = 0
        XCTAssertEqual(cos.learningRate(step: 35), 8.681981e-4, accuracy: 1e-9) // p = ¼: 1e-4 + 9e-4·½(1 + √½)
        XCTAssertEqual(cos.learningRate(step: 60), 5.5e-4, accuracy: 1e-10)    // p = ½: midway
        XCTAssertEqual(cos.learningRate(step: 110), 1e-4, accuracy: 1e-10)     // p = 1: the floor
        XCTAssertEqual(cos.learningRate(step: 500), 1e-4, accuracy: 1e-10)     // stays there
        var lin = cos
        lin.decay = .linear
        XCTAssertEqual(lin.learningRate(step: 35), 7.75e-4, accuracy: 1e-10)   // 1e-4 + 9e-4·¾
        XCTAssertEqual(lin.learningRate(step: 110), 1e-4, accuracy: 1e-10)
        var constant = cos
        constant.decay = .constant
        XCTAssertEqual(constant.learningRate(step: 3), 3e-4, accuracy: 1e-10)
        XCTAssertEqual(constant.learningRate(step: 100), 1e-3)
        // transformers' cosine (floor 0) at its half-way point: peak/2.
        let hf = LearningRateSchedule(peak: 2e-4, totalSteps: 100, warmup: .steps(0))
        XCTAssertEqual(hf.learningRate(step: 0), 2e-4)
        XCTAssertEqual(hf.learningRate(step: 50), 1e-4, accuracy: 1e-11)
    }

    func testWarmupRatioRoundsUp() {
        XCTAssertEqual(LearningRateSchedule(peak: 1, totalSteps: 110, warmup: .ratio(0.05)).warmupSteps, 6)  // ⌈5.5⌉
        XCTAssertEqual(LearningRateSchedule(peak: 1, totalSteps: 100, warmup: .ratio(0.1)).warmupSteps, 10)
        let s = LearningRateSchedule(peak: 1, totalSteps: 100, warmup: .ratio(0.1), decay: .linear)
        XCTAssertEqual(s.learningRate(step: 4), 0.4, accuracy: 1e-7)
        XCTAssertEqual(s.learningRate(step: 55), 0.5, accuracy: 1e-7)
    }

    func testScheduleIsCodable() throws {
        let s = LearningRateSchedule(peak: 3e-4, totalSteps: 1000, warmup: .ratio(0.03), decay: .linear, floor: 1e-5)
        XCTAssertEqual(try JSONDecoder().decode(LearningRateSchedule.self, from: JSONEncoder().encode(s)), s)
    }

    /// Gradients [3, 4] and [12]: global norm 13. Clipping to 6.5 scales by 6.5/(13 + 1e-6).
    func testClipToGlobalNorm() {
        let f = TensorFixture()
        f.add("a", [0, 0]); f.add("b", [0])
        f.setGrad(0, [3, 4]); f.setGrad(1, [12])
        let clipper = GradientClipper(tensors: f.tensors)
        XCTAssertEqual(clipper.norm(), 13)
        XCTAssertEqual(clipper.clip(maxNorm: 20), 13)       // below the limit: untouched
        XCTAssertEqual(f.grad(0), [3, 4])
        XCTAssertEqual(clipper.clip(maxNorm: 6.5), 13)
        let k = Float(6.5 / (13 + 1e-6))
        XCTAssertEqual(f.grad(0), [3 * k, 4 * k])
        XCTAssertEqual(f.grad(1), [12 * k])
        XCTAssertEqual(clipper.norm(), 6.5, accuracy: 1e-5)
    }

    /// A norm over several work pieces (parallel) and a non-finite norm.
    func testLargeAndNonFiniteNorms() {
        let f = TensorFixture()
        let n = GradientClipper.chunkSize * 3 + 5
        f.add("big", [Float](repeating: 0, count: n))
        f.setGrad(0, [Float](repeating: 0.01, count: n))
        let clipper = GradientClipper(tensors: f.tensors)
        XCTAssertEqual(clipper.norm(), 0.01 * Double(n).squareRoot(), accuracy: 1e-6 * Double(n).squareRoot())
        f.tensors[0].grad[7] = .infinity
        XCTAssertEqual(clipper.clip(maxNorm: 1), .infinity)
        XCTAssertEqual(f.tensors[0].grad[0], 0.01)  // left alone
    }
}
