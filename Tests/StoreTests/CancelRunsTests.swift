import XCTest
@testable import Store

/// `cancel`: queued and interrupted runs leave the queue (kept, with the reason), their waiting
/// evaluations go with them, and everything else is left alone and reported.
final class CancelRunsTests: XCTestCase {
    private func insert(_ f: Fixture, sweep: Int64, kind: RunKind, status: RunStatus, parent: Int64? = nil,
                        pid: Int32? = nil) throws -> Int64 {
        var run = f.run(method: kind == .train ? .lora : .zeroShot, pid: pid)
        run.kind = kind
        run.status = status
        run.sweepID = sweep
        run.parentRunID = parent
        return try f.store.insertRun(run)
    }

    func testCancelsQueuedAndInterruptedRunsWithTheirWaitingEvaluations() throws {
        let f = try Fixture()
        let store = f.store
        let sweep = try store.insertSweep(name: "s", statement: "sweep …")
        let training = try insert(f, sweep: sweep, kind: .train, status: .queued)
        let child = try insert(f, sweep: sweep, kind: .eval, status: .queued, parent: training)
        let interrupted = try insert(f, sweep: sweep, kind: .eval, status: .interrupted)
        try store.insertPredictions([f.prediction(run: interrupted, index: 0)])
        let done = try insert(f, sweep: sweep, kind: .eval, status: .done)
        let running = try insert(f, sweep: sweep, kind: .eval, status: .running, pid: 77)
        let untouched = try insert(f, sweep: sweep, kind: .eval, status: .queued)

        let outcome = try store.cancelRuns([training, interrupted, done, running, 999, training], reason: "seed 1 dropped")
        XCTAssertEqual(outcome.cancelled, [training, interrupted])
        XCTAssertEqual(outcome.cancelledChildren, [child])
        XCTAssertEqual(outcome.skipped.map(\.id), [done, running])
        XCTAssertEqual(outcome.skipped.first?.why, "already done")
        XCTAssertTrue(outcome.skipped.last?.why.hasPrefix("running (pid 77 on h)") ?? false, outcome.skipped.last?.why ?? "")
        XCTAssertEqual(outcome.missing, [999])

        for id in [training, child, interrupted] {
            let run = try XCTUnwrap(try store.run(id: id))
            XCTAssertEqual(run.status, .cancelled, "run \(id)")
            XCTAssertEqual(run.error, "seed 1 dropped", "run \(id)")
        }
        XCTAssertEqual(try store.existingExampleIndices(runID: interrupted), [0], "an interrupted run's predictions are kept")
        XCTAssertEqual(try store.run(id: done)?.status, .done)
        XCTAssertEqual(try store.run(id: running)?.status, .running)

        // Workers never claim a cancelled run: only the untouched queued run is left to take.
        var claimed: [Int64] = []
        while let run = try store.claimNextSweepRun(host: "h", pid: 9, isAlive: { _ in true }) { claimed.append(run.id!) }
        XCTAssertEqual(claimed, [untouched])
        XCTAssertEqual(try store.int("SELECT cancelled FROM q_sweeps WHERE id = ?", [.integer(sweep)]), 3)
    }

    func testCancellingTwiceChangesNothingAndAChildKeepsItsOwnReasonWhenNoneIsGiven() throws {
        let f = try Fixture()
        let sweep = try f.store.insertSweep(name: nil, statement: "sweep …")
        let training = try insert(f, sweep: sweep, kind: .train, status: .queued)
        let child = try insert(f, sweep: sweep, kind: .eval, status: .queued, parent: training)
        let first = try f.store.cancelRuns([training], reason: nil)
        XCTAssertEqual(first.cancelledChildren, [child])
        XCTAssertNil(try f.store.run(id: training)?.error)
        XCTAssertEqual(try f.store.run(id: child)?.error, "its training run \(training) was cancelled")
        let second = try f.store.cancelRuns([training, child], reason: "again")
        XCTAssertEqual(second.cancelled, [])
        XCTAssertEqual(second.skipped.map(\.why), ["already cancelled", "already cancelled"])
        XCTAssertNil(try f.store.run(id: training)?.error, "the first reason stays")
    }

    func testTheSchemaRefusesAnUnknownStatusButTakesCancelled() throws {
        let f = try Fixture()
        var run = f.run()
        run.status = .cancelled
        XCTAssertNoThrow(try f.store.insertRun(run))
        XCTAssertThrowsError(try f.store.executeRaw(sql: "UPDATE runs SET status = 'paused'"))
    }
}
