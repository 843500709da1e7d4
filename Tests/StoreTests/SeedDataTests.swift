import XCTest
import TestSupport
@testable import Store

/// The seeded database agrees with its in-memory summary, and is deterministic.
final class SeedDataTests: XCTestCase {
    func testSummaryMatchesSQL() throws {
        let store = try ResultsStore(path: ":memory:")
        let summary = try SeedData.populate(store)
        XCTAssertEqual(summary.runs.count, 30)
        XCTAssertEqual(try store.int("SELECT count(*) FROM runs WHERE status = 'done'"), 30)
        XCTAssertEqual(try store.int("SELECT count(*) FROM predictions"), Int64(summary.predictionCount))
        XCTAssertEqual(try store.models().map(\.key), ["tiny-135m", "mid-270m", "big-500m"])

        let grouped = try store.select(sql: """
            SELECT model, method, AVG(accuracy), COUNT(*) FROM q_runs GROUP BY model, method
            """)
        XCTAssertEqual(grouped.rows.count, 15)
        for row in grouped.rows {
            guard case let .text(model) = row[0], case let .text(methodName) = row[1],
                  case let .real(mean) = row[2], let method = RunMethod(rawValue: methodName) else {
                return XCTFail("unexpected row \(row)")
            }
            XCTAssertEqual(mean, summary.meanAccuracy(model: model, method: method), accuracy: 1e-12)
            XCTAssertEqual(row[3], .integer(2))
        }
    }

    func testRunSummariesComeFromTheirPredictions() throws {
        let store = try ResultsStore(path: ":memory:")
        let summary = try SeedData.populate(store)
        for run in summary.runs {
            let predictions = try store.predictions(runID: run.id)
            XCTAssertEqual(predictions.map(\.correct), run.outcomes)
            let stored = try XCTUnwrap(store.run(id: run.id))
            XCTAssertEqual(stored.n, predictions.count)
            XCTAssertEqual(stored.correct, predictions.filter(\.correct).count)
            XCTAssertEqual(stored.accuracy, run.accuracy)
            XCTAssertEqual(stored.shots, run.method == .fewShot ? 5 : 0)
            XCTAssertEqual(stored.lr, run.lr)
            XCTAssertEqual(stored.rank, run.rank)
        }
        // Accuracies differ between (model, method) groups: something for reports to find.
        let means = Set(SeedData.models.flatMap { m in
            SeedData.methods.map { summary.meanAccuracy(model: m.key, method: $0) }
        })
        XCTAssertGreaterThan(means.count, 5)
    }

    func testDeterministicPerSeed() throws {
        let a = try SeedData.populate(ResultsStore(path: ":memory:"), seed: 7)
        let b = try SeedData.populate(ResultsStore(path: ":memory:"), seed: 7)
        let c = try SeedData.populate(ResultsStore(path: ":memory:"), seed: 8)
        XCTAssertEqual(a.runs.map(\.outcomes), b.runs.map(\.outcomes))
        XCTAssertNotEqual(a.runs.map(\.outcomes), c.runs.map(\.outcomes))
    }

    func testSeedsAFileDatabase() throws {
        let dir = try TemporaryDirectory()
        let store = try ResultsStore(path: dir.path("seed.sqlite"))
        let summary = try SeedData.populate(store)
        XCTAssertEqual(try store.int("SELECT count(*) FROM q_predictions"), Int64(summary.predictionCount))
    }
}
