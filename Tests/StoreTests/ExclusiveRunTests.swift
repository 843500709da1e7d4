import Foundation
import TestSupport
import XCTest
@testable import Store

/// The same spec never runs twice at once in one database: the check and the insert are one
/// transaction.
final class ExclusiveRunTests: XCTestCase {
    func testSimultaneousStartsOfOneSpecInsertExactlyOneRun() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-exclusive")
        let path = dir.path("x.sqlite")
        let f = try Fixture(store: try ResultsStore(path: path))
        let lock = NSLock()
        var started = 0, refused = 0
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            let mine = try! ResultsStore(path: path)   // one connection pool each, as processes have
            var run = f.run(host: "h", pid: Int32(2000 + worker))
            run.specHash = "same"
            do {
                _ = try mine.insertRunExclusively(run, isAlive: { _ in true })
                lock.lock(); started += 1; lock.unlock()
            } catch StoreError.alreadyRunning {
                lock.lock(); refused += 1; lock.unlock()
            } catch {
                XCTFail("\(error)")
            }
        }
        XCTAssertEqual(started, 1)
        XCTAssertEqual(refused, 5)
        XCTAssertEqual(try f.store.int("SELECT COUNT(*) FROM runs WHERE spec_hash = 'same'"), 1)
    }

    func testADeadProcessesRunOrAnotherSpecDoesNotBlock() throws {
        let f = try Fixture()
        var first = f.run(host: "h", pid: 4242)
        first.specHash = "a"
        let id = try f.store.insertRun(first)
        var again = f.run(host: "h", pid: 7)
        again.specHash = "a"
        XCTAssertThrowsError(try f.store.insertRunExclusively(again, isAlive: { $0 == 4242 })) {
            XCTAssertEqual($0 as? StoreError, .alreadyRunning(id: id, pid: 4242, host: "h"))
            XCTAssertTrue("\($0)".contains("run \(id) with this spec is running (pid 4242 on h)"))
        }
        XCTAssertNoThrow(try f.store.insertRunExclusively(again, isAlive: { _ in false }), "its process is gone")
        var other = f.run(host: "h", pid: 8)
        other.specHash = "b"
        XCTAssertNoThrow(try f.store.insertRunExclusively(other, isAlive: { _ in true }))
        var remote = f.run(host: "elsewhere", pid: 1)
        remote.specHash = "c"
        _ = try f.store.insertRun(remote)
        var local = f.run(host: "h", pid: 9)
        local.specHash = "c"
        XCTAssertThrowsError(try f.store.insertRunExclusively(local, isAlive: { _ in false }),
                             "a run on another host cannot be probed: it counts as live")
    }
}
