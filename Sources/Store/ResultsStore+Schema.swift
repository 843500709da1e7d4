import GRDB

// Introspection for the REPL (`.tables`, `.schema`, Tab completion). Names given by users are
// checked against sqlite_master and the canonical names from there go into SQL, quoted:
// a user-typed name is never spliced into SQL text.
extension ResultsStore {
    /// Tables and the q_* query views, without SQLite's and GRDB's internal tables.
    public func tableNames() throws -> [String] {
        try read { db in try Self.sourceNames(db) }
    }

    /// CREATE statements from sqlite_master: everything (tables, indexes, views) when `table`
    /// is nil, else the table or view and its indexes.
    public func schemaSQL(for table: String? = nil) throws -> [String] {
        try read { db in
            let filter = "sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'grdb\\_%' ESCAPE '\\'"
            guard let table else {
                return try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE \(filter) ORDER BY rowid")
            }
            let name = try Self.canonicalSource(table, in: db)
            return try String.fetchAll(db, sql: """
                SELECT sql FROM sqlite_master WHERE \(filter) AND tbl_name = ?
                ORDER BY type = 'index', rowid
                """, arguments: [name])
        }
    }

    /// The column names of a table or q_* view, in order.
    public func columns(of source: String) throws -> [String] {
        try read { db in
            let name = try Self.canonicalSource(source, in: db)
            return try db.columns(in: name).map(\.name)
        }
    }

    /// Up to `limit` distinct non-NULL values of a column, as text, sorted: Tab completion
    /// candidates. Unknown sources or columns are errors, not empty lists.
    public func distinctValues(column: String, of source: String, limit: Int = 50) throws -> [String] {
        try read { db in
            let table = try Self.canonicalSource(source, in: db)
            guard let col = try db.columns(in: table).map(\.name)
                .first(where: { $0.caseInsensitiveCompare(column) == .orderedSame }) else {
                throw StoreError.unknownColumn(column: column, source: source)
            }
            let c = col.quotedDatabaseIdentifier
            return try String.fetchAll(db, sql: """
                SELECT DISTINCT CAST(\(c) AS TEXT) FROM \(table.quotedDatabaseIdentifier)
                WHERE \(c) IS NOT NULL ORDER BY 1 LIMIT ?
                """, arguments: [max(0, limit)])
        }
    }

    static func sourceNames(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master
            WHERE (type = 'table' OR (type = 'view' AND name LIKE 'q\\_%' ESCAPE '\\'))
              AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'grdb\\_%' ESCAPE '\\'
            ORDER BY name
            """)
    }

    /// The schema's own spelling of a source name (SQLite names are case-insensitive).
    static func canonicalSource(_ name: String, in db: Database) throws -> String {
        guard let found = try sourceNames(db)
            .first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw StoreError.unknownSource(name)
        }
        return found
    }
}
