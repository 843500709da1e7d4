import Foundation

/// Where a method's gain over zero-shot changes sign as models grow, on log10(parameters).
public struct ThresholdResult: Equatable, Sendable {
    public struct Point: Equatable, Sendable {
        public let model: String
        public let params: Int64
        public let delta: Double
        public var log10Params: Double { log10(Double(params)) }
    }

    public let dataset: DatasetKey
    public let method: String
    /// One per model with both a zero-shot and a `method` score, smallest model first.
    public let points: [Point]
    /// Empty: "no crossing in range".
    public let crossings: [ZeroCrossing.Crossing]

    init(dataset: DatasetKey, method: String, points: [Point]) {
        self.dataset = dataset
        self.method = method
        self.points = points.sorted { ($0.params, $0.model) < ($1.params, $1.model) }
        self.crossings = ZeroCrossing.crossings(self.points.map {
            ZeroCrossing.Point(label: $0.model, x: $0.log10Params, y: $0.delta)
        })
    }

    /// The parameter count at a crossing, 10^x.
    public static func params(at crossing: ZeroCrossing.Crossing) -> Double { pow(10, crossing.x) }
}
