/// A tiny seeded generator (Steele, Lea & Flood's SplitMix64), so seeded test data is the same
/// on every machine and Swift version. No system randomness anywhere in test data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) from the top 53 bits. Our own mapping rather than
    /// `Double.random(in:using:)`, whose algorithm the standard library may change.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `count` lowercase hex digits.
    public mutating func hex(_ count: Int) -> String {
        var out = ""
        while out.count < count {
            let word = String(next(), radix: 16)
            out += String(repeating: "0", count: 16 - word.count) + word
        }
        return String(out.prefix(count))
    }

    /// A UUID-shaped lowercase string (8-4-4-4-12), deterministic unlike `UUID()`.
    public mutating func uuidString() -> String {
        let h = hex(32)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { r in
            String(h.dropFirst(r.lowerBound).prefix(r.count))
        }
        return parts.joined(separator: "-")
    }
}
