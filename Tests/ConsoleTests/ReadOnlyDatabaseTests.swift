import Foundation
import Store
import TestSupport
import XCTest

/// A database this process cannot write (a 0444 file in a read-only folder, as a read-only
/// checkout or mount gives) opens read-only: queries and reports work, a run is refused with a
/// clear message and nothing is written. Run as an unprivileged user (root ignores permission
/// bits: under root the test runs ftlab through `runuser -u nobody`).
final class ReadOnlyDatabaseTests: XCTestCase {
    func testUnwritableDatabaseIsQueryableAndRefusesWrites() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-ro")
        let folder = dir.path("ro")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let db = folder + "/study.sqlite"
        do {
            let store = try ResultsStore(path: db)
            let model = try store.upsertModel(ModelRecord(key: "m", family: "llama", params: 1, path: "/m", format: "gguf", sha256: "a"))
            let data = try store.upsertDataset(DatasetRecord(task: "gsm8k", split: "test", size: 1, sha256: "b"))
            _ = try store.insertRun(RunRecord(specHash: "s", modelID: model, datasetID: data, method: .zeroShot,
                                              status: .done, engineVersion: "t", host: "h"))
        }
        // As shipped in git: no WAL files beside it, rollback journal mode.
        try Self.checkpointToDeleteMode(db)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
            try? FileManager.default.removeItem(atPath: "/tmp/ftlab-ro-bin-\(getpid())")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path(""))

        let query = try Self.runUnprivileged(["--db", db, "-c", "runs select id, model, status"])
        XCTAssertEqual(query.status, 0, query.stderr)
        XCTAssertTrue(query.stdout.contains("done"), query.stdout)
        let write = try Self.runUnprivileged(["--db", db, "-c", "eval m on synthetic limit 1"])
        XCTAssertNotEqual(write.status, 0)
        XCTAssertTrue(write.stderr.contains("read-only") || write.stderr.contains("not writable"), write.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["study.sqlite"], "nothing written beside it")
    }

    /// `ftlab pack` and `--db DB.gz`: the snapshot a repository ships answers queries and
    /// refuses runs with a message that says how to get a writable copy; the folder holding it
    /// gets nothing new.
    func testACompressedSnapshotIsQueryableAndRefusesRuns() throws {
        let dir = try TemporaryDirectory(prefix: "ftlab-gz")
        let db = dir.path("study.sqlite")
        let runs = try SeedData.populate(ResultsStore(path: db)).runs.count
        let pack = try FtlabBinary.run(["pack", db])
        XCTAssertEqual(pack.status, 0, pack.stderr)
        XCTAssertTrue(pack.stdout.hasPrefix("packed \(db) ("), pack.stdout)
        XCTAssertTrue(pack.stdout.contains("into \(db).gz: "), pack.stdout)
        try FileManager.default.removeItem(atPath: db)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }

        let query = try FtlabBinary.run(["--db", db + ".gz", "-c", ".mode csv; .sql SELECT count(*) AS n FROM runs"])
        XCTAssertEqual(query.status, 0, query.stderr)
        XCTAssertEqual(query.stdout, "n\r\n\(runs)\r\n")  // CSV rows end in CRLF (RFC 4180)
        let write = try FtlabBinary.run(["--db", db + ".gz", "-c", "cancel run 1"])
        XCTAssertNotEqual(write.status, 0)
        XCTAssertTrue(write.stderr.contains("\(db).gz is a compressed snapshot, opened read-only"), write.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path("")), ["study.sqlite.gz"])

        // The plain path, absent, starts a new database and points at the snapshot beside it.
        let fresh = try FtlabBinary.run(["--db", db, "-c", "runs select id"])
        XCTAssertTrue(fresh.stderr.contains("\(db).gz beside it is a compressed snapshot"), fresh.stderr)
    }

    static func checkpointToDeleteMode(_ path: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=DELETE'); c.close()", path]
        try p.run()
        p.waitUntilExit()
    }

    static func runUnprivileged(_ arguments: [String]) throws -> FtlabBinary.Result {
        guard getuid() == 0 else { return try FtlabBinary.run(arguments) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { throw XCTSkip("runuser is absent") }
        // The build folder may sit in a private directory (a clean clone in mktemp's 0700 folder):
        // `nobody` runs a copy of the binary, with its resource bundles, from a world-readable one.
        let fm = FileManager.default
        let built = try XCTUnwrap(FtlabBinary.url)
        let shared = URL(fileURLWithPath: "/tmp/ftlab-ro-bin-\(getpid())")
        if !fm.fileExists(atPath: shared.path) {
            try fm.createDirectory(at: shared, withIntermediateDirectories: true)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shared.path)
            let folder = built.deletingLastPathComponent()
            for name in try fm.contentsOfDirectory(atPath: folder.path) where name == "ftlab" || name.hasSuffix(".resources") {
                try fm.copyItem(at: folder.appendingPathComponent(name), to: shared.appendingPathComponent(name))
            }
        }
        let binary = shared.appendingPathComponent("ftlab").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        p.arguments = ["-u", "nobody", "--", binary] + arguments
        p.environment = ["HOME": "/tmp", "PATH": "/usr/bin:/bin", "FTLAB_HOME": "/tmp/ftlab-nobody"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return FtlabBinary.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                  stderr: String(decoding: e, as: UTF8.self))
    }
}
