import Foundation
@testable import Engine

/// Owns value/gradient buffers for hand-built `TrainableTensor`s in optimiser tests.
final class TensorFixture {
    private var owned: [UnsafeMutableBufferPointer<Float>] = []
    private(set) var tensors: [TrainableTensor] = []

    /// Adds a tensor with the given values (gradients zero).
    @discardableResult
    func add(_ name: String, _ values: [Float], shape: [Int]? = nil, decay: Bool = true) -> Int {
        let v = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        _ = v.initialize(from: values)
        g.initialize(repeating: 0)
        owned += [v, g]
        tensors.append(TrainableTensor(name: name, shape: shape ?? [values.count], value: v, grad: g, weightDecay: decay))
        return tensors.count - 1
    }

    func setGrad(_ i: Int, _ g: [Float]) { _ = tensors[i].grad.update(fromContentsOf: g) }
    func value(_ i: Int) -> [Float] { Array(tensors[i].value) }
    func grad(_ i: Int) -> [Float] { Array(tensors[i].grad) }

    deinit { for b in owned { b.deallocate() } }
}
