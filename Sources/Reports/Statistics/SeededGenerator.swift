/// SplitMix64 (Steele, Lea & Flood 2014), the generator behind the paired bootstrap.
///
/// Why a local one and not `Engine.SplitMix64`: the package (Package.swift, DESIGN.md) lets
/// Reports depend on nothing, and pulling in Engine would drag OpenBLAS and the whole tensor
/// engine into a target of pure statistics. The algorithm is the published one, a few lines,
/// so the same seed yields the same bootstrap interval on every machine and in every release.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform index in 0..<bound by multiply-shift (Lemire); the bias, < bound/2⁶⁴, is far
    /// below anything a 2 000-resample bootstrap can resolve, and it needs no rejection loop.
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
