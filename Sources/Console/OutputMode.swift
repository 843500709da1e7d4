/// How result tables are printed (`.mode`). `latex` is a booktabs tabular for a paper.
public enum OutputMode: String, CaseIterable, Sendable {
    case table, markdown, latex, csv, json, line
}

/// Printing settings that every renderer reads.
public struct RenderOptions: Sendable {
    public var mode: OutputMode = .table
    public var headers = true
    /// Width available for `table` and `markdown` rows; nil means no limit (files, pipes).
    public var width: Int? = nil
    /// At most this many rows are printed (`.maxrows`; 0 = all). The rest are counted, not shown.
    public var maxRows = 0
    public init() {}
}
