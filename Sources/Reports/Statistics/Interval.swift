/// A closed interval [lower, upper], e.g. a 95 % confidence interval.
public struct Interval: Equatable, Sendable {
    public let lower: Double
    public let upper: Double

    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    public var width: Double { upper - lower }

    public func contains(_ x: Double) -> Bool { lower <= x && x <= upper }

    /// True when the two intervals share at least one point (the "tie" rule of recommendations).
    public func overlaps(_ other: Interval) -> Bool {
        lower <= other.upper && other.lower <= upper
    }

    /// True when 0 lies strictly outside: the effect's sign is settled at this level.
    public var excludesZero: Bool { upper < 0 || lower > 0 }
}
