// Words for the REPL's Tab completion.

public enum Vocabulary {
    /// Every keyword of the language, lower-case, sorted (sources included).
    public static let keywords: [String] = Array(Set(Source.allCases.map(\.rawValue) + [
        "select", "from", "where", "order", "by", "asc", "desc", "limit", "show", "run", "of",
        "accuracy", "count", "in", "not", "and", "or", "null",
        "eval", "on", "split", "shots", "fixed", "chat", "seed", "max-tokens", "batch", "fp32", "resume",
        "import", "lm-eval", "as",
    ] + StatementParser.reportKeywords)).sorted()

    /// Options of `eval`, `train` and `sweep` statements, as their parsers accept them.
    public static let evalOptions = StatementParser.evalOptions
    public static let trainOptions = StatementParser.trainOptions
    public static let sweepOptions = ["lr", "seeds", "seed", "name", "emit", "then"]
    public static let schedules = StatementParser.schedules

    /// Field names of every source, de-duplicated and sorted.
    public static let fieldNames: [String] =
        Array(Set(Source.allCases.flatMap { FieldCatalog.fields(for: $0).map(\.name) })).sorted()

    /// Values of fields with a fixed set (method, status, kind, family).
    public static let enumValues: [String] =
        FieldCatalog.methods + FieldCatalog.statuses + FieldCatalog.kinds + FieldCatalog.families
}
