import Foundation
import GRDB
import TestSupport
import XCTest
@testable import Store

/// `merge`: shard databases into one, by run uuid; models and datasets by sha256; idempotent;
/// every error leaves the target as it was.
final class MergeTests: XCTestCase {
    /// A file database with one model, one dataset and `runs` finished runs of 3 predictions.
    private func shard(_ path: String, runs: Int, modelHash: String = "aa", uuids: [String]? = nil) throws -> ResultsStore {
        let store = try ResultsStore(path: path)
        let f = try Fixture(store: store)
        _ = try store.upsertModel(ModelRecord(key: "m", family: "llama", params: 1000, path: "/m.gguf", format: "gguf",
                                              sha256: modelHash))
        for i in 0..<runs {
            var run = f.run()
            if let uuids { run.uuid = uuids[i] }
            let id = try store.insertRun(run)
            try store.insertPredictions((0..<3).map { f.prediction(run: id, index: $0, correct: $0 != 1) })
            try store.finishRun(id: id, status: .done, summary: RunSummary(n: 3, correct: 2, accuracy: 2.0 / 3, wallSeconds: 1))
        }
        return store
    }

    /// An adapter registered in a shard (`models add ADAPTER-DIR`) keeps pointing at its base.
    func testMergeCarriesAnAdaptersBase() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-merge")
        let store = try shard(dir.path("a.sqlite"), runs: 1)
        let base = try XCTUnwrap(try store.models().first?.id)
        try store.upsertModel(ModelRecord(key: "m-lora", family: "llama", params: 1000, path: "/lora", format: "safetensors",
                                          sha256: "bb", baseModelID: base))
        let target = try ResultsStore(path: dir.path("all.sqlite"))
        // Another model first, so the shard's ids differ from the target's: the base must be remapped.
        try target.upsertModel(ModelRecord(key: "other", family: "llama", params: 5, path: "/o.gguf", format: "gguf", sha256: "cc"))
        _ = try target.merge(shardPath: dir.path("a.sqlite"))
        let models = try target.models()
        let adapter = try XCTUnwrap(models.first { $0.key == "m-lora" })
        XCTAssertEqual(adapter.baseModelID, models.first { $0.key == "m" }?.id)
    }

    func testMergeCarriesRunsAndIsIdempotent() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-merge")
        _ = try shard(dir.path("a.sqlite"), runs: 2)
        _ = try shard(dir.path("b.sqlite"), runs: 1)
        let target = try ResultsStore(path: dir.path("all.sqlite"))
        let a = try target.merge(shardPath: dir.path("a.sqlite"))
        let b = try target.merge(shardPath: dir.path("b.sqlite"))
        XCTAssertEqual([a.runsAdded, a.predictions, b.runsAdded, b.predictions], [2, 6, 1, 3])
        XCTAssertEqual(try target.int("SELECT COUNT(*) FROM models"), 1, "models deduplicated by sha256")
        XCTAssertEqual(try target.int("SELECT COUNT(*) FROM datasets"), 1)
        XCTAssertEqual(try target.int("SELECT COUNT(*) FROM predictions"), 9)
        let again = try target.merge(shardPath: dir.path("a.sqlite"))
        XCTAssertEqual([again.runsAdded, again.runsUnchanged, again.predictions], [0, 2, 0], "merging twice changes nothing")
        XCTAssertEqual(try target.int("SELECT COUNT(*) FROM runs"), 3)
    }

    /// A packed shard (`ftlab pack`) merges as its database does, and is left as it was.
    func testAPackedShardMergesLikeItsDatabase() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-merge")
        _ = try shard(dir.path("a.sqlite"), runs: 2)
        try ResultsStore.pack(dir.path("a.sqlite"), to: dir.path("a.sqlite.gz"))
        let packed = try Data(contentsOf: dir.url.appendingPathComponent("a.sqlite.gz"))
        let fromPlain = try ResultsStore(path: dir.path("plain.sqlite"))
        let fromPacked = try ResultsStore(path: dir.path("packed.sqlite"))
        let a = try fromPlain.merge(shardPath: dir.path("a.sqlite"))
        let b = try fromPacked.merge(shardPath: dir.path("a.sqlite.gz"))
        XCTAssertEqual([b.runsAdded, b.predictions], [a.runsAdded, a.predictions])
        XCTAssertEqual([b.runsAdded, b.predictions], [2, 6])
        XCTAssertEqual(try fromPacked.runs().map(\.uuid), try fromPlain.runs().map(\.uuid))
        XCTAssertEqual(try Data(contentsOf: dir.url.appendingPathComponent("a.sqlite.gz")), packed)
    }

    func testQueuedPlaceholderIsFilled() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-merge")
        let uuid = "0c6c0b5e-7f5f-4c5e-9d1e-000000000001"
        _ = try shard(dir.path("task-0.sqlite"), runs: 1, uuids: [uuid])
        let target = try ResultsStore(path: dir.path("main.sqlite"))
        let f = try Fixture(store: target)
        let sweep = try target.insertSweep(name: "s", statement: "sweep …")
        var placeholder = f.run()
        placeholder.uuid = uuid
        placeholder.status = .queued
        placeholder.sweepID = sweep
        let id = try target.insertRun(placeholder)
        let report = try target.merge(shardPath: dir.path("task-0.sqlite"))
        XCTAssertEqual(report.runsFilled, 1)
        let run = try XCTUnwrap(try target.run(id: id))
        XCTAssertEqual(run.status, .done)
        XCTAssertEqual(run.sweepID, sweep, "the placeholder keeps its id and sweep")
        XCTAssertEqual(try target.predictions(runID: id).count, 3)
    }

    func testConflictingRunIsAnErrorAndNothingIsWritten() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-merge")
        let uuid = "0c6c0b5e-7f5f-4c5e-9d1e-000000000002"
        _ = try shard(dir.path("a.sqlite"), runs: 2, uuids: ["0c6c0b5e-7f5f-4c5e-9d1e-0000000000aa", uuid])
        let target = try shard(dir.path("t.sqlite"), runs: 1, uuids: [uuid])
        try target.finishRun(id: 1, status: .interrupted)
        XCTAssertStoreError(try target.merge(shardPath: dir.path("a.sqlite"))) { "\($0)".contains(uuid) && "\($0)".contains("differs") }
        XCTAssertEqual(try target.int("SELECT COUNT(*) FROM runs"), 1, "the run merged before the conflict was rolled back")
        XCTAssertEqual(try target.int("SELECT COUNT(*) FROM predictions"), 3)
    }

    func testNewerSchemaNonDatabaseAndMissingFileAreOneLineErrors() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-merge")
        _ = try shard(dir.path("newer.sqlite"), runs: 1)
        let queue = try DatabaseQueue(path: dir.path("newer.sqlite"))
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('999_future')") }
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: dir.path("notes.sqlite")))
        let plain = try DatabaseQueue(path: dir.path("other.sqlite"))
        try plain.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        let target = try ResultsStore(path: dir.path("t.sqlite"))
        for (file, expected) in [("newer.sqlite", "newer"), ("notes.sqlite", "not"), ("other.sqlite", "not an ftlab"),
                                 ("missing.sqlite", "no such file")] {
            do {
                _ = try target.merge(shardPath: dir.path(file))
                XCTFail("\(file) merged")
            } catch {
                let text = "\(error)"
                XCTAssertTrue(text.contains(expected), "\(file): \(text)")
                XCTAssertFalse(text.contains("\n"), "one line: \(text)")
            }
        }
        XCTAssertEqual(try target.int("SELECT COUNT(*) FROM runs"), 0)
    }
}

/// Claims of sweep runs by several workers on one database file: each run exactly once.
final class SweepClaimTests: XCTestCase {
    func testConcurrentClaimsTakeEachRunOnce() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-claim")
        let path = dir.path("q.sqlite")
        let store = try ResultsStore(path: path)
        let f = try Fixture(store: store)
        let sweep = try store.insertSweep(name: nil, statement: "sweep …")
        for _ in 0..<40 {
            var run = f.run()
            run.status = .queued
            run.sweepID = sweep
            _ = try store.insertRun(run)
        }
        let lock = NSLock()
        var claimed: [Int64] = []
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let mine = try! ResultsStore(path: path)   // one connection pool per worker, as processes have
            while let run = try! mine.claimNextSweepRun(host: "h", pid: Int32(1000 + worker), isAlive: { _ in true }) {
                lock.lock(); claimed.append(run.id!); lock.unlock()
            }
        }
        XCTAssertEqual(claimed.sorted(), Array(1...40))
        XCTAssertEqual(try store.int("SELECT COUNT(*) FROM runs WHERE status = 'running'"), 40)
    }

    func testDeadWorkersClaimIsResumedByAnother() throws {
        let store = try ResultsStore(path: ":memory:")
        let f = try Fixture(store: store)
        let sweep = try store.insertSweep(name: nil, statement: "sweep …")
        var run = f.run(host: "h", pid: 4242)
        run.sweepID = sweep
        let id = try store.insertRun(run)   // running, claimed by pid 4242
        XCTAssertNil(try store.claimNextSweepRun(host: "h", pid: 7, isAlive: { _ in true }), "a live worker's run is not taken")
        let taken = try store.claimNextSweepRun(host: "h", pid: 7, isAlive: { $0 != 4242 })
        XCTAssertEqual(taken?.id, id)
        XCTAssertEqual(taken?.pid, 7)
    }

    /// `work --sweep B --sweep A --model m2 --seed 1`: only matching runs, sweeps in the order named.
    func testFilteredClaimsTakeOnlyMatchingRunsInTheSweepsOrderNamed() throws {
        let store = try ResultsStore(path: ":memory:")
        let f = try Fixture(store: store)
        let other = try store.upsertModel(ModelRecord(key: "m2", family: "llama", params: 2000, path: "/m2.gguf",
                                                      format: "gguf", sha256: "cc"))
        let a = try store.insertSweep(name: "a", statement: "sweep …")
        let b = try store.insertSweep(name: "b", statement: "sweep …")
        var expected: [Int64] = []
        for (sweep, model, seed) in [(a, other, 1), (a, f.modelID, 1), (b, other, 0), (b, other, 1), (a, other, 0)] as [(Int64, Int64, Int64)] {
            var run = f.run()
            run.status = .queued
            run.sweepID = sweep
            run.modelID = model
            run.seed = seed
            let id = try store.insertRun(run)
            if model == other && seed == 1 { expected.append(id) }
        }
        XCTAssertEqual(try store.sweepIDs(named: "b"), [b])
        XCTAssertEqual(try store.sweepIDs(named: String(a)), [a])
        XCTAssertEqual(try store.sweepIDs(named: "nope"), [])
        let b2 = try store.insertSweep(name: "b", statement: "sweep … again")
        XCTAssertEqual(try store.sweepIDs(named: "b"), [b, b2], "every sweep of that name")
        let filter = SweepWorkFilter(sweepIDs: [b, a], models: ["m2"], seeds: [1])
        var claimed: [Int64] = []
        while let run = try store.claimNextSweepRun(host: "h", pid: 9, filter: filter, isAlive: { _ in true }) { claimed.append(run.id!) }
        XCTAssertEqual(claimed, [expected[1], expected[0]], "sweep b's run first, then sweep a's; others untouched")
        XCTAssertEqual(try store.int("SELECT COUNT(*) FROM runs WHERE status = 'queued'"), 3)
    }

    /// The evaluation of a finished training run whose worker stopped (or a queued extra
    /// evaluation of it) is claimed, before new runs; one of an unfinished training is not.
    func testEvaluationsOfFinishedTrainingsAreClaimedFirst() throws {
        let store = try ResultsStore(path: ":memory:")
        let f = try Fixture(store: store)
        let sweep = try store.insertSweep(name: "s", statement: "sweep …")
        func insert(kind: RunKind, status: RunStatus, parent: Int64? = nil, seed: Int64 = 0) throws -> Int64 {
            var run = f.run(method: kind == .train ? .full : .zeroShot)
            run.kind = kind
            run.status = status
            run.sweepID = sweep
            run.parentRunID = parent
            run.seed = seed
            return try store.insertRun(run)
        }
        let fresh = try insert(kind: .train, status: .queued)
        let trained = try insert(kind: .train, status: .done, seed: 1)
        let waiting = try insert(kind: .train, status: .queued)
        let orphan = try insert(kind: .eval, status: .interrupted, parent: trained)
        let extra = try insert(kind: .eval, status: .queued, parent: trained)
        let notYet = try insert(kind: .eval, status: .queued, parent: waiting)
        XCTAssertNil(try store.claimNextSweepRun(host: "h", pid: 9, filter: SweepWorkFilter(seeds: [2]), isAlive: { _ in true }))
        var claimed: [Int64] = []
        while let run = try store.claimNextSweepRun(host: "h", pid: 9, filter: SweepWorkFilter(seeds: [1]), isAlive: { _ in true }) {
            claimed.append(run.id!)
        }
        XCTAssertEqual(claimed, [orphan, extra], "children take their training run's seed")
        // Two sweeps under one name share its priority: the evaluation of a finished training in
        // the later sweep comes before a new training in the earlier one.
        let later = try store.insertSweep(name: "s", statement: "sweep … then eval on piqa")
        let probe = try insert(kind: .eval, status: .queued, parent: trained)
        try store.assignSweep(runID: probe, sweepID: later)
        let named = SweepWorkFilter(sweepIDs: [sweep, later], sweepRanks: [0, 0])
        XCTAssertEqual(try store.claimNextSweepRun(host: "h", pid: 9, filter: named, isAlive: { _ in true })?.id, probe)
        XCTAssertEqual(try store.claimNextSweepRun(host: "h", pid: 9, isAlive: { _ in true })?.id, fresh)
        XCTAssertEqual(try store.claimNextSweepRun(host: "h", pid: 9, isAlive: { _ in true })?.id, waiting)
        XCTAssertNil(try store.claimNextSweepRun(host: "h", pid: 9, isAlive: { _ in true }), "run \(notYet) waits for its training")
    }
}
