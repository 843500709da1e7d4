// AST → parameterised SQL over the q_* views.
//
// Safety rule: the SQL text is assembled only from fixed keywords, view names from `Source`, and
// field names looked up in `FieldCatalog` (double-quoted). Every literal becomes a `?` argument.
// The compiler re-validates field names because a `Query` can be built by hand, not only parsed;
// such errors have no source position (line/column 0).

/// SQL text, its arguments in placeholder order, and the result column names in order.
public struct CompiledQuery: Equatable {
    public let sql: String
    public let arguments: [SQLValue]
    public let columns: [String]

    public init(sql: String, arguments: [SQLValue], columns: [String]) {
        self.sql = sql
        self.arguments = arguments
        self.columns = columns
    }
}

public enum QueryCompiler {
    /// Any command; `show run N` cannot fail.
    public static func compile(_ command: Command) throws -> CompiledQuery {
        switch command {
        case .query(let q): return try compile(q)
        case .pivot(let p): return try compile(p)
        case .showRun(let id): return compileShowRun(id)
        case .eval, .train, .resume, .sweep: throw QueryError(unpositioned: "`eval`, `train`, `sweep` and `resume` start runs; they are not queries")
        case .sweepStatus(let id):
            return try compile(Query(source: .runs,
                                     select: ["id", "parent", "model", "method", "task", "lr", "seed", "status", "n", "accuracy", "seconds"],
                                     filter: .compare(field: "sweep", op: .eq, value: .integer(Int64(id))),
                                     order: [OrderKey(field: "id")]))
        case .report: throw QueryError(unpositioned: "`report` and `compare` write analyses; they are not queries")
        case .importRuns: throw QueryError(unpositioned: "`import` stores runs; it is not a query")
        case .cancel: throw QueryError(unpositioned: "`cancel` changes runs; it is not a query")
        }
    }

    /// The ids of the runs a `cancel runs where …` condition selects, in id order.
    public static func compileSelection(_ filter: Expr) throws -> CompiledQuery {
        var arguments: [SQLValue] = []
        let condition = try expression(filter, in: .runs, parent: .or, arguments: &arguments)
        return CompiledQuery(sql: "SELECT \"id\" FROM q_runs WHERE \(condition) ORDER BY \"id\"",
                             arguments: arguments, columns: ["id"])
    }

    /// `SELECT "a", "b" FROM q_x [WHERE …] [ORDER BY "a" DESC, …] [LIMIT ?]`.
    public static func compile(_ q: Query) throws -> CompiledQuery {
        let columns = try (q.select ?? FieldCatalog.defaultColumns(for: q.source)).map {
            try canonical($0, in: q.source)
        }
        var arguments: [SQLValue] = []
        var sql = "SELECT " + columns.map(quote).joined(separator: ", ") + " FROM " + q.source.viewName
        if let filter = q.filter {
            sql += " WHERE " + (try expression(filter, in: q.source, parent: .or, arguments: &arguments))
        }
        if !q.order.isEmpty {
            let keys = try q.order.map { key in
                quote(try canonical(key.field, in: q.source)) + (key.descending ? " DESC" : " ASC")
            }
            sql += " ORDER BY " + keys.joined(separator: ", ")
        }
        if let limit = q.limit {
            guard limit > 0 else { throw QueryError(unpositioned: "limit must be a positive integer, got `\(limit)`") }
            sql += " LIMIT ?"
            arguments.append(.integer(Int64(limit)))
        }
        return CompiledQuery(sql: sql, arguments: arguments, columns: columns)
    }

    /// Group fields, then `value` (mean accuracy, or the run count) and `n` (runs in the group).
    /// Groups are ordered so tables read naturally: methods in the study's canonical order, models
    /// by size (their smallest `params`), everything else ascending.
    public static func compile(_ p: Pivot) throws -> CompiledQuery {
        guard !p.by.isEmpty else { throw QueryError(unpositioned: "a pivot needs at least one field after `by`") }
        let groups = try p.by.map { try canonical($0, in: .runs) }
        if groups.contains("n") {
            throw QueryError(unpositioned: "cannot pivot by `n`: the pivot's own `n` column counts the runs in each group")
        }
        var arguments: [SQLValue] = []
        let quoted = groups.map(quote)
        let value = p.metric == .accuracy ? "AVG(\"accuracy\")" : "COUNT(*)"
        var sql = "SELECT " + quoted.joined(separator: ", ") + ", \(value) AS \"value\", COUNT(*) AS \"n\" FROM q_runs"
        var conditions: [String] = []
        if p.metric == .accuracy {
            // Runs without an accuracy (still running, failed) would otherwise count in `n` but not in the mean.
            conditions.append("\"accuracy\" IS NOT NULL")
            // An interrupted or running evaluation's accuracy is over the questions answered so far;
            // averaged with finished runs it would be a silently different measurement. Unless the
            // filter chooses statuses itself, the mean is over finished runs.
            if !(p.filter?.mentions(field: "status") ?? false) { conditions.append("\"status\" = 'done'") }
        }
        if let filter = p.filter {
            let text = try expression(filter, in: .runs, parent: .or, arguments: &arguments)
            conditions.append(conditions.isEmpty ? text : "(" + text + ")")
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " GROUP BY " + quoted.joined(separator: ", ")
        sql += " ORDER BY " + groups.map(groupOrder).joined(separator: ", ")
        return CompiledQuery(sql: sql, arguments: arguments, columns: groups + ["value", "n"])
    }

    /// Every field of q_runs for one run.
    public static func compileShowRun(_ id: Int) -> CompiledQuery {
        let columns = FieldCatalog.fields(for: .runs).map(\.name)
        return CompiledQuery(
            sql: "SELECT " + columns.map(quote).joined(separator: ", ") + " FROM q_runs WHERE \"id\" = ?",
            arguments: [.integer(Int64(id))], columns: columns)
    }

    // MARK: Pieces

    private static func groupOrder(_ field: String) -> String {
        switch field {
        case "method":
            // The CASE constants come from the catalog, not from user text.
            let whens = FieldCatalog.methods.enumerated().map { "WHEN '\($0.element)' THEN \($0.offset)" }
            return "CASE \"method\" " + whens.joined(separator: " ") + " ELSE \(FieldCatalog.methods.count) END"
        case "model":
            // Smallest model first; the name breaks ties between models of equal size.
            return "MIN(\"params\") ASC, \"model\" ASC"
        default:
            return quote(field) + " ASC"
        }
    }

    /// Binding strength, loosest first; a child looser than its parent is parenthesised.
    private enum Precedence: Int, Comparable {
        case or, and, atom
        static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
    }

    private static func expression(_ e: Expr, in source: Source, parent: Precedence,
                                   arguments: inout [SQLValue]) throws -> String {
        switch e {
        case let .compare(field, op, value):
            let name = quote(try canonical(field, in: source))
            if value == .null {
                switch op {
                case .eq: return name + " IS NULL"
                case .ne: return name + " IS NOT NULL"
                default: throw QueryError(unpositioned: "`null` can only be compared with = or !=")
                }
            }
            arguments.append(value)
            return name + " " + sqlOperator(op) + " ?"
        case let .isIn(field, values, negated):
            let name = quote(try canonical(field, in: source))
            guard !values.isEmpty else { throw QueryError(unpositioned: "an `in` list needs at least one value") }
            guard !values.contains(.null) else {
                throw QueryError(unpositioned: "`null` cannot appear in an `in` list; use `\(field) = null`")
            }
            arguments.append(contentsOf: values)
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            return name + (negated ? " NOT IN (" : " IN (") + marks + ")"
        case let .and(a, b):
            let text = try expression(a, in: source, parent: .and, arguments: &arguments) + " AND "
                + expression(b, in: source, parent: .and, arguments: &arguments)
            return parent > .and ? "(" + text + ")" : text
        case let .or(a, b):
            let text = try expression(a, in: source, parent: .or, arguments: &arguments) + " OR "
                + expression(b, in: source, parent: .or, arguments: &arguments)
            return parent > .or ? "(" + text + ")" : text
        case let .not(inner):
            // Always parenthesised: SQL's NOT binds looser than comparisons, and explicit is clearer.
            return "NOT (" + (try expression(inner, in: source, parent: .or, arguments: &arguments)) + ")"
        }
    }

    private static func sqlOperator(_ op: CompareOp) -> String {
        switch op {
        case .eq: return "="
        case .ne: return "<>"
        case .lt: return "<"
        case .le: return "<="
        case .gt: return ">"
        case .ge: return ">="
        case .glob: return "GLOB"
        }
    }

    /// The catalog's spelling of a field, or an error naming the nearest one.
    private static func canonical(_ name: String, in source: Source) throws -> String {
        if let field = FieldCatalog.field(named: name, in: source) { return field.name }
        let hint = Suggestions.hint(name, among: FieldCatalog.fields(for: source).map(\.name))
        throw QueryError(unpositioned: "unknown field `\(name)` for \(source.rawValue)" + hint)
    }

    /// Catalog names are plain identifiers; doubling any `"` is belt and braces.
    private static func quote(_ name: String) -> String {
        var out = "\""
        for c in name {
            if c == "\"" { out.append("\"") }
            out.append(c)
        }
        return out + "\""
    }
}
