import Foundation
import XCTest
@testable import Engine

/// AdamW against numbers derived by hand (in Double, from PyTorch's AdamW algorithm, not from
/// this implementation), its weight-decay flag, and state save/restore.
final class AdamWTests: XCTestCase {
    /// lr 0.1, β (0.9, 0.999), ε 1e-8, λ 0.1. Tensor "a" (decayed) starts [1, −2, 0.5], tensor
    /// "b" (not decayed) starts [0.3]. Gradients per step:
    ///   1: a [0.5, −1, 0],     b [2]
    ///   2: a [−0.25, 0.5, 1],  b [−1]
    ///   3: a [0.1, 0.1, 0.1],  b [0]
    /// Step 1: m̂ = g, v̂ = g², so a decayed weight moves to w(1 − 0.01) − 0.1·sign(g):
    ///   a = [0.99 − 0.1, −1.98 + 0.1, 0.495 − 0] = [0.89, −1.88, 0.495];  b = 0.3 − 0.1 = 0.2.
    /// Step 2 for b: m = 0.9·0.2 + 0.1·(−1) = 0.08, v = 0.999·0.004 + 0.001·1 = 0.004996;
    ///   m̂ = 0.08/0.19 = 0.421053, v̂ = 0.004996/0.001999 = 2.499250, √v̂ = 1.580902;
    ///   b = 0.2 − 0.1·0.421053/1.580902 = 0.173366.
    /// The remaining values, by the same recurrence in Double:
    ///   after 2: a = [0.854466299, −1.834566297, 0.415636319]
    ///   after 3: a = [0.814397280, −1.801410801, 0.347884137], b = 0.152778367
    func testThreeStepsMatchHandDerivation() {
        let f = TensorFixture()
        let a = f.add("a", [1, -2, 0.5], decay: true)
        let b = f.add("b", [0.3], decay: false)
        let opt = AdamW(tensors: f.tensors, config: AdamWConfig(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1))
        XCTAssertEqual(opt.parameterCount, 4)
        let grads: [([Float], [Float])] = [([0.5, -1, 0], [2]), ([-0.25, 0.5, 1], [-1]), ([0.1, 0.1, 0.1], [0])]
        let expected: [([Double], Double)] = [
            ([0.89, -1.88, 0.495], 0.2),
            ([0.854466299, -1.834566297, 0.415636319], 0.173366297),
            ([0.814397280, -1.801410801, 0.347884137], 0.152778367),
        ]
        for (step, (ga, gb)) in grads.enumerated() {
            f.setGrad(a, ga); f.setGrad(b, gb)
            opt.step(learningRate: 0.1)
            XCTAssertEqual(opt.stepCount, step + 1)
            for i in 0..<3 { XCTAssertEqual(Double(f.value(a)[i]), expected[step].0[i], accuracy: 2e-6, "step \(step + 1) a[\(i)]") }
            XCTAssertEqual(Double(f.value(b)[0]), expected[step].1, accuracy: 2e-6, "step \(step + 1) b")
        }
        // Moments after step 3 (plain recurrences): m_a = [0.028, −0.026, 0.1], v_b = 0.004991004.
        XCTAssertEqual(Array(opt.firstMoment(a)).map(Double.init), [0.028, -0.026, 0.1], accuracy: 1e-7)
        XCTAssertEqual(Double(opt.secondMoment(b)[0]), 0.004991004, accuracy: 3e-9)
    }

    /// With a zero gradient Adam's update is 0, so only decay moves a weight: by the factor
    /// (1 − lr·λ) where flagged, not at all where not.
    func testDecayOnlyWhereFlagged() {
        let f = TensorFixture()
        let d = f.add("decayed", [2, -4], decay: true)
        let n = f.add("norm.weight", [2, -4], decay: false)
        let opt = AdamW(tensors: f.tensors, config: AdamWConfig(weightDecay: 0.5))
        opt.step(learningRate: 0.1)
        XCTAssertEqual(f.value(d), [2 * 0.95, -4 * 0.95])
        XCTAssertEqual(f.value(n), [2, -4])
    }

    /// The SIMD body and the scalar tail compute the same expression: equal inputs at positions
    /// in both give bit-identical outputs, for tensors longer than one work piece (several cores).
    func testVectorAndTailAgreeAcrossPieces() {
        let count = AdamW.chunkSize * 2 + 37
        let f = TensorFixture()
        let t = f.add("big", (0..<count).map { Float($0 % 7) * 0.25 - 0.5 })
        f.setGrad(t, (0..<count).map { Float($0 % 7) * 0.125 - 0.3 })
        let opt = AdamW(tensors: f.tensors, config: AdamWConfig(weightDecay: 0.01))
        for _ in 0..<3 { opt.step(learningRate: 1e-3) }
        let v = f.value(t)
        for i in stride(from: count - 37, to: count, by: 1) { XCTAssertEqual(v[i], v[i % 7], "position \(i)") }
        XCTAssertEqual(v[AdamW.chunkSize + 3], v[(AdamW.chunkSize + 3) % 7])
    }

    /// Save after 2 steps, restore into a fresh optimiser over copies of the weights, take step 3
    /// in both: identical weights and moments.
    func testStateSaveRestoreResumesExactly() throws {
        let folder = try HFTemporaryFolder("adamw")
        let path = folder.url.appendingPathComponent("optimizer.safetensors").path
        let f1 = TensorFixture(), f2 = TensorFixture()
        for f in [f1, f2] { f.add("x", [0.5, -1, 2, 3], shape: [2, 2]); f.add("y", [1], decay: false) }
        let opt1 = AdamW(tensors: f1.tensors)
        for s in 0..<2 {
            f1.setGrad(0, [0.1, Float(s), -0.3, 0.2]); f1.setGrad(1, [Float(s) - 0.5])
            opt1.step(learningRate: 0.01)
        }
        try opt1.saveState(to: path)
        for i in 0..<2 { _ = f2.tensors[i].value.update(fromContentsOf: f1.value(i)) }
        let opt2 = AdamW(tensors: f2.tensors)
        try opt2.loadState(from: path)
        XCTAssertEqual(opt2.stepCount, 2)
        for f in [f1, f2] { f.setGrad(0, [1, 2, 3, 4]); f.setGrad(1, [-2]) }
        opt1.step(learningRate: 0.01); opt2.step(learningRate: 0.01)
        XCTAssertEqual(f1.value(0), f2.value(0))
        XCTAssertEqual(f1.value(1), f2.value(1))
        XCTAssertEqual(Array(opt1.secondMoment(0)), Array(opt2.secondMoment(0)))
    }

    func testLoadStateErrorsNameFileAndTensor() throws {
        let folder = try HFTemporaryFolder("adamw")
        let path = folder.url.appendingPathComponent("optimizer.safetensors").path
        let f = TensorFixture()
        f.add("x", [1, 2, 3, 4], shape: [2, 2])
        try AdamW(tensors: f.tensors).saveState(to: path)
        let other = TensorFixture()
        other.add("x", [1, 2, 3, 4], shape: [4])
        XCTAssertThrowsError(try AdamW(tensors: other.tensors).loadState(from: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path) && text.contains("x.exp_avg") && text.contains("shape"), text)
        }
        let renamed = TensorFixture()
        renamed.add("z", [1, 2, 3, 4], shape: [2, 2])
        XCTAssertThrowsError(try AdamW(tensors: renamed.tensors).loadState(from: path)) { error in
            XCTAssertTrue("\(error)".contains("z.exp_avg") && "\(error)".contains("missing"), "\(error)")
        }
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
