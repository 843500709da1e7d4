/// Which report: both rest on the same analysis; they differ in what comes first and what is left out.
public enum ReportKind: String, Sendable, CaseIterable {
    /// Δ versus zero-shot, verdicts, flips.
    case negativeTransfer = "negative-transfer"
    /// Δ versus model size and where it crosses zero.
    case thresholds

    var title: String {
        switch self {
        case .negativeTransfer: return "Negative transfer"
        case .thresholds: return "Model-size thresholds"
        }
    }
}

/// What the report cannot know from the runs: when it was made and how the runs were chosen.
/// Injected (never read from the clock here) so the same runs always render the same bytes.
public struct ReportContext: Sendable {
    /// Printed as given, e.g. "2026-11-29T08:30:00Z".
    public var generatedAt: String
    /// The `where …` text the runs were selected by, or nil for all runs.
    public var selection: String?
    /// Printed under provenance, e.g. the database path.
    public var source: String?

    public init(generatedAt: String, selection: String? = nil, source: String? = nil) {
        self.generatedAt = generatedAt; self.selection = selection; self.source = source
    }
}
