import Foundation

/// Global gradient-norm clipping, as `torch.nn.utils.clip_grad_norm_`: the L2 norm over all
/// tensors' gradients together; when it exceeds `maxNorm`, every gradient is multiplied by
/// maxNorm / (norm + 1e-6).
///
/// Built once per tensor list: the work pieces and per-piece partial sums are allocated here,
/// so `clip` allocates nothing. Each piece sums squares in Float SIMD lanes over blocks of 256
/// values and adds the block sums into a Double, and pieces are added in a fixed order — so the
/// norm does not depend on the number of cores.
public final class GradientClipper {
    public let tensors: [TrainableTensor]
    private let pieces: UnsafeMutableBufferPointer<(pointer: UnsafeMutablePointer<Float>, count: Int)>
    private let partials: UnsafeMutableBufferPointer<Double>

    static let chunkSize = 1 << 15

    public init(tensors: [TrainableTensor]) {
        self.tensors = tensors
        var list: [(pointer: UnsafeMutablePointer<Float>, count: Int)] = []
        for t in tensors {
            var i = 0
            while i < t.grad.count {
                let n = min(Self.chunkSize, t.grad.count - i)
                list.append((t.grad.baseAddress! + i, n))
                i += n
            }
        }
        pieces = .allocate(capacity: max(list.count, 1))
        _ = pieces.initialize(from: list)
        pieceCount = list.count
        partials = .allocate(capacity: max(list.count, 1))
        partials.initialize(repeating: 0)
    }

    private let pieceCount: Int

    deinit {
        pieces.deallocate()
        partials.deallocate()
    }

    /// The global L2 norm of the gradients.
    public func norm() -> Double {
        Parallel.forRanges(pieceCount, costPerItem: Self.chunkSize,
                           SumSquares(pieces: UnsafePointer(pieces.baseAddress!), partials: partials.baseAddress!))
        var total = 0.0
        for i in 0..<pieceCount { total += partials[i] }
        return total.squareRoot()
    }

    /// Scales the gradients so their global norm is at most `maxNorm`; returns the norm before
    /// clipping. A non-finite norm is returned without touching the gradients (the caller should
    /// skip the step).
    @discardableResult
    public func clip(maxNorm: Float) -> Float {
        let n = norm()
        guard n.isFinite else { return Float(n) }
        let coefficient = Double(maxNorm) / (n + 1e-6)
        if coefficient < 1 {
            Parallel.forRanges(pieceCount, costPerItem: Self.chunkSize,
                               Scale(pieces: UnsafePointer(pieces.baseAddress!), factor: Float(coefficient)))
        }
        return Float(n)
    }

    private struct SumSquares: RangeRegion {
        let pieces: UnsafePointer<(pointer: UnsafeMutablePointer<Float>, count: Int)>
        let partials: UnsafeMutablePointer<Double>
        func run(_ range: Range<Int>) {
            for p in range {
                let (x, n) = pieces[p]
                var total = 0.0, i = 0
                while i < n {
                    let block = min(256, n - i)
                    total += Double(VectorOps.sumOfSquares(x + i, block))
                    i += block
                }
                partials[p] = total
            }
        }
    }

    private struct Scale: RangeRegion {
        let pieces: UnsafePointer<(pointer: UnsafeMutablePointer<Float>, count: Int)>
        let factor: Float
        func run(_ range: Range<Int>) {
            for p in range { VectorOps.scale(pieces[p].pointer, by: factor, into: pieces[p].pointer, pieces[p].count) }
        }
    }
}
