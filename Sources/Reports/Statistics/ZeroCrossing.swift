import Foundation

/// Where a piecewise-linear curve through (x, y) points crosses y = 0.
public enum ZeroCrossing {
    public struct Point: Equatable, Sendable {
        public let label: String
        public let x: Double
        public let y: Double
        public init(label: String, x: Double, y: Double) {
            self.label = label; self.x = x; self.y = y
        }
    }

    public struct Crossing: Equatable, Sendable {
        /// The x where the segment meets zero.
        public let x: Double
        /// The points that bracket it, smaller x first (the same point when one lies exactly on zero).
        public let left: Point
        public let right: Point
        /// True when y goes from negative to positive as x grows (e.g. a method that hurts
        /// small models and helps large ones).
        public let rising: Bool
    }

    /// Every crossing, in x order, of the curve through `points` sorted by x, found by linear
    /// interpolation inside each segment whose ends have opposite signs. A point exactly on
    /// zero is a crossing at that point only if the curve changes sign there (touching zero and
    /// turning back is not a crossing). Empty means "no crossing in range".
    public static func crossings(_ points: [Point]) -> [Crossing] {
        let sorted = points.filter { $0.y.isFinite && $0.x.isFinite }.sorted { $0.x < $1.x }
        // Drop exact zeros for the sign walk; remember them to report where the change happened.
        var result: [Crossing] = []
        var last: Point?           // last point with a non-zero y
        var zerosSince: [Point] = []
        for p in sorted {
            if p.y == 0 {
                zerosSince.append(p)
                continue
            }
            if let l = last, (l.y < 0) != (p.y < 0) {
                if let z = zerosSince.first {
                    result.append(Crossing(x: z.x, left: z, right: z, rising: p.y > 0))
                } else {
                    let x = l.x + (0 - l.y) * (p.x - l.x) / (p.y - l.y)
                    result.append(Crossing(x: x, left: l, right: p, rising: p.y > 0))
                }
            }
            last = p
            zerosSince = []
        }
        return result
    }
}
