// The parsed form of a statement. Field names in the AST are canonical catalog names and values are
// already typed for their field, so the compiler only has to print SQL.

/// A value bound to a `?` placeholder.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

public enum CompareOp: String, Equatable, CaseIterable, Sendable {
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    /// SQLite GLOB: `*`, `?`, `[…]`, case-sensitive.
    case glob = "~"
}

public indirect enum Expr: Equatable {
    /// `field op value`; with `.null`, `=` means IS NULL and `!=` means IS NOT NULL.
    case compare(field: String, op: CompareOp, value: SQLValue)
    /// `field in (…)`, or `field not in (…)` when `negated`.
    case isIn(field: String, values: [SQLValue], negated: Bool)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)
}

extension Expr {
    /// Whether any comparison in this expression is on `field` (a canonical name).
    public func mentions(field name: String) -> Bool {
        switch self {
        case .compare(let field, _, _), .isIn(let field, _, _): return field == name
        case .and(let a, let b), .or(let a, let b): return a.mentions(field: name) || b.mentions(field: name)
        case .not(let e): return e.mentions(field: name)
        }
    }
}

public struct OrderKey: Equatable {
    public let field: String
    public let descending: Bool
    public init(field: String, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }
}

public struct Query: Equatable {
    public let source: Source
    /// nil means the source's default columns.
    public let select: [String]?
    public let filter: Expr?
    public let order: [OrderKey]
    public let limit: Int?

    public init(source: Source, select: [String]? = nil, filter: Expr? = nil,
                order: [OrderKey] = [], limit: Int? = nil) {
        self.source = source
        self.select = select
        self.filter = filter
        self.order = order
        self.limit = limit
    }
}

public enum PivotMetric: String, Equatable, Sendable { case accuracy, count }

/// `accuracy by …` / `count by …` over the runs source.
public struct Pivot: Equatable {
    public let metric: PivotMetric
    public let by: [String]
    public let filter: Expr?

    public init(metric: PivotMetric, by: [String], filter: Expr? = nil) {
        self.metric = metric
        self.by = by
        self.filter = filter
    }
}

public enum Command: Equatable {
    case query(Query)
    case showRun(Int)
    case pivot(Pivot)
    /// `eval MODEL on TASK …`: start an evaluation run.
    case eval(EvalCommand)
    /// `resume run N`: finish an interrupted run.
    case resume(Int)
    /// `train MODEL on TASK with METHOD …`: start a training run (and the evaluation after it).
    case train(TrainCommand)
    /// `report …` / `compare run A with run B`: analyses written as files or printed.
    case report(ReportCommand)
    /// `sweep …`: a grid of runs, queued (or emitted as a Slurm job array).
    case sweep(SweepCommand)
    /// `sweep status N`: a sweep's runs by status.
    case sweepStatus(Int)
    /// `import lm-eval PATH [as MODEL]`: runs made by another tool, into the database.
    case importRuns(ImportCommand)
    /// `cancel run N …` / `cancel runs where …`: queued or interrupted runs taken off the queue.
    case cancel(CancelCommand)
}
