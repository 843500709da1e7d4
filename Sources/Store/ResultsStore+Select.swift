import GRDB

// The one door for SQL text that comes from users (the query language's compiled SQL and the
// REPL's `.sql`). It must never change the database, so three locks are stacked:
//  1. the statement must start with a query keyword (SQLite calls ATTACH, DETACH, BEGIN and
//     some PRAGMAs "read-only" because they do not touch the file, yet they change the session);
//  2. SQLite must report the compiled statement read-only (`Statement.isReadonly`);
//  3. it runs inside a read access (read-only connection / `PRAGMA query_only`).
extension ResultsStore {
    /// Keywords a query may start with. EXPLAIN only describes a statement, never runs it.
    static let queryKeywords: Set<String> = ["SELECT", "WITH", "VALUES", "EXPLAIN"]

    /// Runs one read-only statement with `?` arguments bound in order.
    public func select(sql: String, arguments: [StoreValue] = []) throws -> ResultTable {
        try read { db in
            let statement = try Self.readOnlyQuery(sql, arguments: arguments, in: db)
            var rows: [[StoreValue]] = []
            let cursor = try Row.fetchCursor(statement)
            while let row = try cursor.next() {
                rows.append(row.databaseValues.map(StoreValue.init))
            }
            return ResultTable(columns: statement.columnNames, rows: rows)
        }
    }

    /// One compiled read-only query (SELECT, WITH, VALUES, EXPLAIN) with its arguments bound;
    /// anything else is refused. Shared by `select` and its guarded form.
    static func readOnlyQuery(_ sql: String, arguments: [StoreValue], in db: Database) throws -> Statement {
        let statement = try singleStatement(sql, in: db)
        let keyword = leadingKeyword(of: statement.sql)
        guard queryKeywords.contains(keyword) else {
            throw StoreError.notReadOnly(keyword.isEmpty ? "not a query" : "\(keyword) statement")
        }
        guard statement.isReadonly else { throw StoreError.notReadOnly("the statement writes") }
        try statement.setArguments(StatementArguments(arguments.map(\.databaseValue)))
        return statement
    }

    /// Compiles exactly one statement; anything after it but whitespace/comments is refused
    /// (even if it would not compile), so nothing can ride along behind a harmless SELECT.
    static func singleStatement(_ sql: String, in db: Database) throws -> Statement {
        let statements = try db.allStatements(sql: sql)
        guard let first = try statements.next() else { throw StoreError.sql("empty statement") }
        let second: Statement?
        do { second = try statements.next() } catch { throw StoreError.multipleStatements }
        guard second == nil else { throw StoreError.multipleStatements }
        return first
    }

    /// The first word of a statement, upper-cased, after leading whitespace and comments.
    static func leadingKeyword(of sql: String) -> String {
        var rest = Substring(sql)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { !$0.isNewline })
            } else if rest.hasPrefix("/*") {
                guard let end = rest.range(of: "*/") else { return "" }
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        return String(rest.prefix(while: { $0.isLetter })).uppercased()
    }
}
