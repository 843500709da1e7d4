import XCTest
import TestSupport
@testable import Store

/// The schema the migrations build: every table and q_* view is there, and reopening is a no-op.
final class MigrationTests: XCTestCase {
    func testCreatesAllTablesAndViews() throws {
        let store = try ResultsStore(path: ":memory:")
        let names = try store.tableNames()
        for table in ["models", "datasets", "runs", "predictions", "train_steps", "checkpoints", "sweeps"] {
            XCTAssertTrue(names.contains(table), "missing table \(table)")
        }
        for view in ["q_runs", "q_predictions", "q_steps", "q_models", "q_datasets", "q_sweeps"] {
            XCTAssertTrue(names.contains(view), "missing view \(view)")
        }
        XCTAssertFalse(names.contains { $0.hasPrefix("grdb_") || $0.hasPrefix("sqlite_") })
        XCTAssertEqual(store.schemaVersion, "005_cancelled_runs")
    }

    func testMigrationIdentifiersAreRecorded() throws {
        let store = try ResultsStore(path: ":memory:")
        let applied = try store.select(sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        XCTAssertEqual(applied.rows, [[.text("001_init")], [.text("002_sweeps")], [.text("003_model_adapters")], [.text("004_sweep_evaluations")], [.text("005_cancelled_runs")]])
    }

    func testReopeningAFileKeepsData() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("reopen.sqlite")
        do {
            let fixture = try Fixture(store: ResultsStore(path: path))
            try fixture.store.insertRun(fixture.run())
        }
        let reopened = try ResultsStore(path: path)
        XCTAssertEqual(try reopened.runs().count, 1)
        XCTAssertEqual(reopened.schemaVersion, "005_cancelled_runs")
    }

    func testSchemaSQL() throws {
        let store = try ResultsStore(path: ":memory:")
        let runs = try store.schemaSQL(for: "runs")
        // 002_sweeps rebuilt the table as runs_v2 and renamed it; SQLite keeps the rename quoted.
        XCTAssertTrue(runs.first.map { $0.hasPrefix("CREATE TABLE runs") || $0.hasPrefix("CREATE TABLE \"runs\"") } ?? false,
                      runs.first ?? "")
        XCTAssertTrue(runs.contains { $0.hasPrefix("CREATE INDEX runs_model_method") })
        XCTAssertTrue(try store.schemaSQL(for: "Q_RUNS").first?.hasPrefix("CREATE VIEW q_runs") ?? false)
        let all = try store.schemaSQL()
        XCTAssertTrue(all.contains { $0.hasPrefix("CREATE TABLE checkpoints") })
        XCTAssertFalse(all.contains { $0.contains("grdb_migrations") })
        XCTAssertStoreError(try store.schemaSQL(for: "nope")) { $0 == .unknownSource("nope") }
    }
}
