// The fields users can name: exactly the columns of the q_* views in Schema/migrations/ (001, 002).
// The compiler only ever emits names taken from this catalog, which is what keeps user text out of
// the SQL: a field the catalog does not know is an error, never an identifier.

/// A queryable source; each is one SQLite view.
public enum Source: String, CaseIterable, Sendable {
    case runs, predictions, steps, models, datasets, sweeps

    /// The view the source reads (`q_runs`, …).
    public var viewName: String { "q_" + rawValue }
}

public enum FieldType: Equatable, Sendable { case integer, real, text }

public struct Field: Equatable, Sendable {
    public let name: String
    public let type: FieldType
    /// The only values the column can hold (method, status, kind, family); nil for free text/numbers.
    public let allowedValues: [String]?

    public init(name: String, type: FieldType, allowedValues: [String]? = nil) {
        self.name = name
        self.type = type
        self.allowedValues = allowedValues
    }

    public var isNumeric: Bool { type != .text }
}

public enum FieldCatalog {
    /// In the canonical order pivots sort by (the order of the study's table columns).
    public static let methods = ["zero_shot", "few_shot", "full", "lora", "dora"]
    public static let statuses = ["queued", "running", "done", "failed", "interrupted", "cancelled"]
    public static let kinds = ["eval", "train"]
    public static let families = ["llama", "qwen2", "gemma3"]

    private static func i(_ n: String) -> Field { Field(name: n, type: .integer) }
    private static func r(_ n: String) -> Field { Field(name: n, type: .real) }
    private static func t(_ n: String, _ allowed: [String]? = nil) -> Field {
        Field(name: n, type: .text, allowedValues: allowed)
    }

    // Column order follows each view's SELECT list, so "select *" reads like the schema.
    private static let runs: [Field] = [
        i("id"), t("uuid"), i("parent"), t("model"), t("family", families), i("params"), t("task"),
        t("split"), t("method", methods), t("kind", kinds), t("format"), i("shots"), r("lr"),
        i("rank"), r("alpha"), r("epochs"), i("steps"), i("batch"), i("seed"),
        t("status", statuses), i("n"), i("correct"), r("accuracy"), r("seconds"), i("tokens"),
        i("rss"), t("engine"), t("host"), t("started"), t("finished"), t("error"), i("sweep"),
    ]
    private static let sweeps: [Field] = [
        i("id"), t("name"), t("statement"), t("created"), i("runs"), i("queued"), i("running"), i("done"),
        i("failed"), i("interrupted"), i("cancelled"), i("trainings"), i("evaluations"),
    ]
    private static let predictions: [Field] = [
        i("id"), i("run"), i("example"), t("model"), t("method", methods), t("task"), i("seed"),
        t("output"), t("extracted"), t("gold"), i("correct"), i("prompt_tokens"),
        i("output_tokens"), r("seconds"), t("prompt"),
    ]
    private static let steps: [Field] = [
        i("id"), i("run"), t("model"), t("method", methods), i("step"), r("loss"), r("lr"),
        r("grad_norm"), i("tokens"), r("seconds"),
    ]
    private static let models: [Field] = [
        i("id"), t("model"), t("family", families), i("params"), t("format"), t("path"),
        t("hash"), t("added"), t("base"),
    ]
    private static let datasets: [Field] = [
        i("id"), t("task"), t("split"), i("size"), t("hash"), t("path"), t("added"),
    ]

    public static func fields(for source: Source) -> [Field] {
        switch source {
        case .runs: return runs
        case .predictions: return predictions
        case .steps: return steps
        case .models: return models
        case .datasets: return datasets
        case .sweeps: return sweeps
        }
    }

    /// The columns shown when a query has no `select`.
    public static func defaultColumns(for source: Source) -> [String] {
        switch source {
        case .runs: return ["id", "model", "method", "task", "shots", "seed", "status", "n", "accuracy"]
        case .predictions: return ["run", "example", "extracted", "gold", "correct", "output"]
        case .steps: return ["run", "step", "loss", "lr", "grad_norm"]
        case .models: return ["model", "family", "params", "format", "hash"]
        case .datasets: return ["task", "split", "size", "hash"]
        case .sweeps: return ["id", "name", "runs", "trainings", "evaluations", "queued", "running", "done", "failed", "interrupted", "cancelled"]
        }
    }

    /// Case-insensitive lookup; the returned field carries the canonical (lower-case) name.
    public static func field(named name: String, in source: Source) -> Field? {
        let lowered = name.lowercased()
        return fields(for: source).first { $0.name == lowered }
    }
}
