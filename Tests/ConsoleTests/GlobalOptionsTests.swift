import Foundation
import TestSupport
import XCTest

/// First-use friction: global options before the subcommand, and a new database announced.
final class GlobalOptionsTests: XCTestCase {
    func testGlobalOptionsBeforeTheSubcommandAndNewDatabaseNotice() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-global")
        let db = dir.path("typo.sqlite")
        let r = try FtlabBinary.run(["--db", db, "sweep", "status", "1"])
        XCTAssertTrue(r.stderr.contains("created new database \(db)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("no sweep with id 1"), "parsed as `sweep status 1`: \(r.stderr)")
        let again = try FtlabBinary.run(["--db=\(db)", "--memory", "4G", "sweep", "status", "1"])
        XCTAssertFalse(again.stderr.contains("created new database"), again.stderr)
        XCTAssertTrue(again.stderr.contains("no sweep with id 1"), again.stderr)
    }
}
