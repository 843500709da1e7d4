import GRDB

extension ResultsStore {
    /// Executes arbitrary SQL in one write transaction. Internal on purpose: user-typed SQL goes
    /// through `select`; this exists so tests (via `@testable import`) can write rows the typed
    /// API refuses to build, e.g. a bad method, to prove the schema's own constraints hold.
    func executeRaw(sql: String, arguments: [StoreValue] = []) throws {
        try write { db in
            try db.execute(sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
        }
    }
}
