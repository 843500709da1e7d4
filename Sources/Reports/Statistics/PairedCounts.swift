/// Two runs' correctness on the examples both scored, counted into McNemar's 2 × 2 table.
///
/// Every paired analysis of a report (Δ versus zero-shot, `compare`, the depth bins) rests on
/// these four cells, so they are counted in one place.
public struct PairedCounts: Equatable, Sendable {
    public var bothRight = 0
    /// Right in the first run only (McNemar's b).
    public var firstOnly = 0
    /// Right in the second run only (McNemar's c).
    public var secondOnly = 0
    public var bothWrong = 0

    public init() {}

    public init<S: Sequence>(_ pairs: S) where S.Element == (first: Bool, second: Bool) {
        for p in pairs { add(first: p.first, second: p.second) }
    }

    public mutating func add(first: Bool, second: Bool) {
        switch (first, second) {
        case (true, true): bothRight += 1
        case (true, false): firstOnly += 1
        case (false, true): secondOnly += 1
        case (false, false): bothWrong += 1
        }
    }

    public var n: Int { bothRight + firstOnly + secondOnly + bothWrong }
    public var firstCorrect: Int { bothRight + firstOnly }
    public var secondCorrect: Int { bothRight + secondOnly }
    /// Accuracy of the second run minus the first's; nil with no pair.
    public var delta: Double? { n == 0 ? nil : Double(secondOnly - firstOnly) / Double(n) }
    /// Exact McNemar p on the discordant pairs.
    public var pValue: Double { McNemar.exactPValue(b: firstOnly, c: secondOnly) }

    public static func + (a: PairedCounts, b: PairedCounts) -> PairedCounts {
        var s = a
        s.bothRight += b.bothRight; s.firstOnly += b.firstOnly
        s.secondOnly += b.secondOnly; s.bothWrong += b.bothWrong
        return s
    }
}

/// The significance mark of a Δ pooled over seeds: "*" when every seed moves in the direction of
/// the pooled Δ with p < 0.05 (so the largest p is below it), "**" with p < 0.01, "" otherwise.
/// The intersection–union rule of the negative-transfer verdict, applied to gains too; every
/// table that marks a Δ (the Δ table, the plots, the depth tables) marks it through this.
public enum SignificanceMark {
    public static func mark(delta: Double, seeds: [(delta: Double, pValue: Double)]) -> String {
        guard !seeds.isEmpty, delta != 0 else { return "" }
        guard seeds.allSatisfy({ ($0.delta < 0) == (delta < 0) && $0.delta != 0 }) else { return "" }
        let p = seeds.map(\.pValue).max()!
        if p < 0.01 { return "**" }
        if p < 0.05 { return "*" }
        return ""
    }
}
