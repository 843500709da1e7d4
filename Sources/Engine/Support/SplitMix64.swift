/// SplitMix64 (Steele, Lea & Flood 2014): ftlab's one source of randomness, so that a seed fixes
/// every synthetic problem, k-shot draw, adapter initialisation and shuffle on any platform and
/// Swift version. Stored results use only the mappings below (`next(below:)`, `nextDouble()`,
/// `pick`): the standard library's `random(in:using:)` algorithms, available through the
/// `RandomNumberGenerator` conformance, are not promised to stay the same across releases, so
/// only tests (fuzzing) use them.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for a sub-stream, e.g. (seed, question index): mixing both through the
    /// finaliser keeps neighbouring indices' streams unrelated.
    public init(seed: UInt64, stream: UInt64) {
        state = SplitMix64.finalize(seed ^ SplitMix64.finalize(stream &+ 0x9E37_79B9_7F4A_7C15))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.finalize(state)
    }

    /// The SplitMix64 output mix, also a good 64-bit hash of a single word.
    public static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n, without modulo bias (rejection of the top partial range).
    public mutating func next(below n: Int) -> Int {
        precondition(n > 0, "empty range")
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let r = next()
            if r < limit { return Int(r % bound) }
        }
    }

    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + next(below: range.upperBound - range.lowerBound + 1)
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[next(below: items.count)] }

    /// Uniform in [0, 1) from the top 53 bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
