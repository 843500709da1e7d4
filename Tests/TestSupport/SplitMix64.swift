import Engine

/// Test-data helpers over the engine's seeded generator: deterministic hex and UUID-shaped text.
extension SplitMix64 {
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
