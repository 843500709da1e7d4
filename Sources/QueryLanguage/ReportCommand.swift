/// `report …` and `compare …` statements. Pure data: Console loads the runs and Reports renders.
public enum ReportCommand: Equatable {
    /// `report negative-transfer|thresholds [where EXPR] [to DIR] [format md|latex|all]`.
    case study(ReportStudy)
    /// `report run N`: one run's card on the terminal.
    case run(Int)
    /// `compare run A with run B`: B against A, example by example.
    case compare(Int, Int)
}

public struct ReportStudy: Equatable {
    public enum Kind: String, Equatable, CaseIterable, Sendable {
        case negativeTransfer = "negative-transfer"
        case thresholds
    }

    /// Which files: Markdown + SVG, LaTeX + PDF, or both (the default). CSVs come with each.
    public enum Format: String, Equatable, CaseIterable, Sendable {
        case md, latex, all
    }

    public var kind: Kind
    /// A filter over runs fields (the grammar of `runs where …`); nil selects every run.
    public var filter: Expr?
    /// The filter as typed, for the report's provenance.
    public var filterText: String?
    /// The output folder; nil means the default under Reports/out/.
    public var directory: String?
    public var format: Format

    public init(kind: Kind, filter: Expr? = nil, filterText: String? = nil, directory: String? = nil, format: Format = .all) {
        self.kind = kind; self.filter = filter; self.filterText = filterText; self.directory = directory; self.format = format
    }
}
