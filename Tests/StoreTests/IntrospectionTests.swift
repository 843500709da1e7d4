import XCTest
import TestSupport
@testable import Store

/// Completion helpers only ever use names that exist in the schema.
final class IntrospectionTests: XCTestCase {
    func testDistinctValues() throws {
        let store = try ResultsStore(path: ":memory:")
        try SeedData.populate(store)
        XCTAssertEqual(try store.distinctValues(column: "method", of: "q_runs", limit: 10),
                       ["dora", "few_shot", "full", "lora", "zero_shot"])
        XCTAssertEqual(try store.distinctValues(column: "MODEL", of: "Q_RUNS", limit: 2),
                       ["big-500m", "mid-270m"])
        XCTAssertEqual(try store.distinctValues(column: "shots", of: "runs", limit: 10), ["0", "5"])
    }

    func testDistinctValuesRejectsUnknownNames() throws {
        let store = try ResultsStore(path: ":memory:")
        XCTAssertStoreError(try store.distinctValues(column: "nope", of: "q_runs", limit: 5)) {
            $0 == .unknownColumn(column: "nope", source: "q_runs")
        }
        let evilColumn = "method FROM runs; DROP TABLE runs; --"
        XCTAssertStoreError(try store.distinctValues(column: evilColumn, of: "q_runs", limit: 5)) {
            if case .unknownColumn = $0 { return true } else { return false }
        }
        XCTAssertStoreError(try store.distinctValues(column: "name", of: "sqlite_master", limit: 5)) {
            $0 == .unknownSource("sqlite_master")
        }
        XCTAssertStoreError(try store.distinctValues(column: "id", of: "runs r, models", limit: 5)) {
            if case .unknownSource = $0 { return true } else { return false }
        }
        XCTAssertTrue(try store.tableNames().contains("runs"))
    }

    func testColumnsOfAView() throws {
        let store = try ResultsStore(path: ":memory:")
        let columns = try store.columns(of: "q_models")
        XCTAssertEqual(columns, ["id", "model", "family", "params", "format", "path", "hash", "added", "base"])
    }
}
