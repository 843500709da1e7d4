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
    /// The statement that made the report, as typed: the LaTeX files say it in their first line.
    public var statement: String?

    public init(generatedAt: String, selection: String? = nil, source: String? = nil, statement: String? = nil) {
        self.generatedAt = generatedAt; self.selection = selection; self.source = source; self.statement = statement
    }
}

/// Which files a report writes (`report … format md|latex|all`). The CSVs are the data behind
/// the tables and come with either.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// report.md and the SVG figures.
    case markdown = "md"
    /// report.tex, the table-*.tex fragments and the PDF figures.
    case latex
}
