import Foundation
import GRDB
import GRDBSQLite

/// Bounds on a query typed by hand (`.sql`). The query language only produces bounded SQL; raw
/// SQL can loop forever (a recursive CTE), allocate without limit (`randomblob(900000000)`) or
/// reach functions that hand out raw pointers (`fts3_tokenizer`). These limits keep the REPL
/// responsive and its memory bounded whatever is typed.
public struct QueryLimits: Sendable {
    /// Rows a result may hold; a larger result is an error asking for LIMIT.
    public var maxRows: Int
    /// Wall-clock seconds a query may run.
    public var maxSeconds: Double
    /// Largest string or blob a query may make (SQLITE_LIMIT_LENGTH).
    public var maxValueBytes: Int32
    /// Polled while the query runs (Ctrl-C): true stops it.
    public var shouldStop: @Sendable () -> Bool

    public init(maxRows: Int = 1_000_000, maxSeconds: Double = 60, maxValueBytes: Int32 = 16 << 20,
                shouldStop: @escaping @Sendable () -> Bool = { false }) {
        self.maxRows = maxRows
        self.maxSeconds = maxSeconds
        self.maxValueBytes = maxValueBytes
        self.shouldStop = shouldStop
    }

    /// SQL functions a hand-typed query may call: SQLite's core scalar, aggregate, window, date,
    /// math and JSON functions. Anything else (fts3_tokenizer, load_extension, sqlite_* internals,
    /// functions of extensions) is refused before the query runs.
    public static let allowedFunctions: Set<String> = [
        // core scalar
        "abs", "changes", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif", "instr",
        "last_insert_rowid", "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif",
        "octet_length", "printf", "quote", "random", "randomblob", "replace", "round", "rtrim", "sign", "soundex",
        "substr", "substring", "total_changes", "trim", "typeof", "unhex", "unicode", "unlikely", "upper", "zeroblob",
        "sqlite_version",
        // aggregate
        "avg", "count", "group_concat", "string_agg", "sum", "total",
        // window
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
        "last_value", "nth_value",
        // date and time
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
        // math
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh", "degrees", "exp",
        "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "sin", "sinh", "sqrt", "tan",
        "tanh", "trunc",
        // JSON
        "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object", "json_patch",
        "json_remove", "json_replace", "json_set", "json_type", "json_valid", "json_quote", "json_group_array",
        "json_group_object", "json_each", "json_tree", "->", "->>", "jsonb", "json_error_position", "json_pretty",
    ]
}

extension ResultsStore {
    /// `select(sql:)` under `limits`: functions outside the allow-list are refused before the
    /// query runs; it is stopped (SQLITE_INTERRUPT through a progress handler) on Ctrl-C or
    /// past its time limit, by a value larger than the length limit, or past the row limit.
    public func select(sql: String, arguments: [StoreValue] = [], limits: QueryLimits) throws -> ResultTable {
        try read { db in
            let statement = try Self.readOnlyQuery(sql, arguments: arguments, in: db)
            if let refused = try Self.functionsCalled(by: statement.sql, in: db).first(where: { !QueryLimits.allowedFunctions.contains($0) }) {
                throw StoreError.sql("the function \(refused)() is not allowed in .sql")
            }

            let connection = db.sqliteConnection
            let previousLength = sqlite3_limit(connection, SQLITE_LIMIT_LENGTH, limits.maxValueBytes)
            let watch = QueryWatch(deadline: Date().addingTimeInterval(limits.maxSeconds), shouldStop: limits.shouldStop)
            let context = Unmanaged.passRetained(watch)
            // Called every 10,000 virtual-machine instructions; non-zero makes the step fail
            // with SQLITE_INTERRUPT.
            sqlite3_progress_handler(connection, 10_000, { context in
                Unmanaged<QueryWatch>.fromOpaque(context!).takeUnretainedValue().shouldAbort() ? 1 : 0
            }, context.toOpaque())
            defer {
                sqlite3_progress_handler(connection, 0, nil, nil)
                context.release()
                sqlite3_limit(connection, SQLITE_LIMIT_LENGTH, previousLength)
            }

            var rows: [[StoreValue]] = []
            do {
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    guard rows.count < limits.maxRows else {
                        throw StoreError.sql("the result has more than \(limits.maxRows) rows; narrow it with WHERE or LIMIT")
                    }
                    rows.append(row.databaseValues.map(StoreValue.init))
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
                switch watch.reason {
                case .stopped: throw StoreError.sql("query interrupted")
                case .timeLimit: throw StoreError.sql(String(format: "query stopped after %.0f s (the time limit of .sql; `.sqllimit seconds N` changes it)", limits.maxSeconds))
                case nil: throw error
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_TOOBIG {
                throw StoreError.sql("a value larger than \(limits.maxValueBytes) bytes (the length limit of .sql)")
            }
            return ResultTable(columns: statement.columnNames, rows: rows)
        }
    }

    /// The SQL functions a statement calls, read from its compiled program (`EXPLAIN`): the
    /// Function/AggStep/… opcodes name them as `name(argc)` in P4, whatever the SQL's spelling,
    /// aliasing or nesting.
    static func functionsCalled(by sql: String, in db: Database) throws -> Set<String> {
        let opcodes: Set<String> = ["Function", "PureFunc", "AggStep", "AggStep1", "AggValue", "AggFinal", "AggInverse"]
        var names: Set<String> = []
        for row in try Row.fetchAll(db, sql: "EXPLAIN " + sql) {
            guard let opcode: String = row["opcode"], opcodes.contains(opcode),
                  let p4: String = row["p4"], let open = p4.firstIndex(of: "(") else { continue }
            names.insert(String(p4[..<open]).lowercased())
        }
        return names
    }
}

/// Why a guarded query was stopped, decided in the progress handler.
final class QueryWatch: @unchecked Sendable {
    enum Reason { case stopped, timeLimit }
    let deadline: Date
    let shouldStop: @Sendable () -> Bool
    private(set) var reason: Reason?

    init(deadline: Date, shouldStop: @escaping @Sendable () -> Bool) {
        self.deadline = deadline
        self.shouldStop = shouldStop
    }

    func shouldAbort() -> Bool {
        if shouldStop() { reason = .stopped } else if Date() >= deadline { reason = .timeLimit }
        return reason != nil
    }
}
