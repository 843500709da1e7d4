import Engine
import Foundation
@testable import Store
import TestSupport
import XCTest

/// Compressed snapshots (`ftlab pack`, `--db DB.gz`): what a repository ships instead of the live
/// database. Packing keeps every row (also rows still in the WAL), gives a rollback-journal file,
/// the same bytes for the same rows, and a snapshot opens read-only with writes refused by name.
final class SnapshotTests: XCTestCase {
    func makeDatabase(_ folder: TemporaryDirectory) throws -> (path: String, summary: SeedSummary, store: ResultsStore) {
        let path = folder.path("study.sqlite")
        let store = try ResultsStore(path: path)
        let summary = try SeedData.populate(store)
        return (path, summary, store)
    }

    func testAPackedDatabaseOpensReadOnlyWithEveryRow() throws {
        let folder = try TemporaryDirectory(prefix: "ftlab-snapshot")
        // The source stays open, so its last rows are still in the WAL when it is packed.
        let (path, summary, source) = try makeDatabase(folder)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "-wal"))
        let packed = try ResultsStore.pack(path, to: path + ".gz")
        XCTAssertEqual(packed.runs, summary.runs.count)
        XCTAssertEqual(packed.predictions, summary.predictionCount)
        XCTAssertLessThan(packed.compressedBytes, packed.databaseBytes)

        let snapshot = try ResultsStore(path: path + ".gz")
        XCTAssertTrue(snapshot.isReadOnly)
        XCTAssertTrue(snapshot.isCompressedSnapshot)
        XCTAssertEqual(snapshot.path, path + ".gz")
        XCTAssertEqual(try snapshot.runs(), try source.runs())
        let lastRun = try XCTUnwrap(summary.runs.last)
        XCTAssertEqual(try snapshot.predictions(runID: lastRun.id), try source.predictions(runID: lastRun.id))
        XCTAssertEqual(try snapshot.predictions(runID: lastRun.id).map(\.correct), lastRun.outcomes)

        // A write is refused, naming the snapshot and how to get a writable database.
        XCTAssertThrowsError(try snapshot.cancelRuns([lastRun.id], reason: nil)) { error in
            XCTAssertEqual("\(error)", StoreError.compressedSnapshot(path + ".gz").description)
            XCTAssertTrue("\(error)".contains("gunzip -k \(path).gz"), "\(error)")
        }
        XCTAssertEqual(try snapshot.runs(), try source.runs(), "nothing changed")
    }

    func testTheSnapshotIsARollbackJournalDatabaseAndPacksToTheSameBytes() throws {
        let folder = try TemporaryDirectory(prefix: "ftlab-snapshot")
        let (path, _, _) = try makeDatabase(folder)
        try ResultsStore.pack(path, to: folder.path("a.gz"))
        // Opening the source again changes its schema cookie; the snapshot must not change.
        _ = try ResultsStore(path: path)
        try ResultsStore.pack(path, to: folder.path("b.gz"))
        XCTAssertEqual(try Data(contentsOf: folder.url.appendingPathComponent("a.gz")),
                       try Data(contentsOf: folder.url.appendingPathComponent("b.gz")))

        try Gzip.decompress(folder.path("a.gz"), to: folder.path("plain.sqlite"))
        let header = try Data(contentsOf: folder.url.appendingPathComponent("plain.sqlite")).prefix(20)
        XCTAssertEqual(String(decoding: header.prefix(15), as: UTF8.self), "SQLite format 3")
        XCTAssertEqual([header[18], header[19]], [1, 1], "file format versions 1/1: rollback journal, no -wal needed")
        // The decompressed file is an ordinary, writable ftlab database.
        let plain = try ResultsStore(path: folder.path("plain.sqlite"))
        XCTAssertFalse(plain.isReadOnly)
        XCTAssertFalse(try plain.runs().isEmpty)
    }

    func testABrokenSnapshotIsAnErrorThatNamesIt() throws {
        let folder = try TemporaryDirectory(prefix: "ftlab-snapshot")
        let (path, _, _) = try makeDatabase(folder)
        let gz = path + ".gz"
        try ResultsStore.pack(path, to: gz)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: gz))

        let truncated = folder.path("truncated.sqlite.gz")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try ResultsStore(path: truncated)) { error in
            XCTAssertTrue("\(error)".contains(truncated) && "\(error)".contains("truncated"), "\(error)")
        }

        var corrupt = bytes
        for i in 200..<260 { corrupt[i] ^= 0x5A }
        let damaged = folder.path("damaged.sqlite.gz")
        try corrupt.write(to: URL(fileURLWithPath: damaged))
        XCTAssertThrowsError(try ResultsStore(path: damaged)) { error in
            XCTAssertTrue("\(error)".contains(damaged) && "\(error)".contains("not valid gzip data"), "\(error)")
        }

        // Valid gzip of something that is not a database.
        let text = folder.path("notes.txt")
        try "not a database\n".write(toFile: text, atomically: true, encoding: .utf8)
        try Gzip.compress(text, to: folder.path("notes.sqlite.gz"))
        let before = try Self.snapshotFolders()
        XCTAssertThrowsError(try ResultsStore(path: folder.path("notes.sqlite.gz"))) { error in
            XCTAssertEqual("\(error)", StoreError.notADatabase(folder.path("notes.sqlite.gz")).description)
        }
        // (Other processes may unpack snapshots meanwhile: only a copy of notes.sqlite counts.)
        let left = try Self.snapshotFolders().subtracting(before).filter {
            FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.path + "/\($0)/notes.sqlite")
        }
        XCTAssertEqual(left, [], "a failed open leaves no decompressed copy")

        // A snapshot that does not exist is not created.
        XCTAssertThrowsError(try ResultsStore(path: folder.path("missing.sqlite.gz"))) { error in
            XCTAssertTrue("\(error)".contains("missing.sqlite.gz") && "\(error)".contains("no such file"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path("missing.sqlite.gz")))
        // Packing a snapshot again is refused.
        XCTAssertThrowsError(try ResultsStore.pack(gz, to: folder.path("twice.gz"))) { error in
            XCTAssertTrue("\(error)".contains("already compressed"), "\(error)")
        }
    }

    func testTheDecompressedCopyGoesWithTheStore() throws {
        let folder = try TemporaryDirectory(prefix: "ftlab-snapshot")
        let (path, _, _) = try makeDatabase(folder)
        try ResultsStore.pack(path, to: path + ".gz")
        var snapshot: ResultsStore? = try ResultsStore(path: path + ".gz")
        let copy = try XCTUnwrap(snapshot?.snapshotFolder)
        XCTAssertTrue(FileManager.default.fileExists(atPath: copy + "/study.sqlite"))
        XCTAssertNotNil(try snapshot?.runs())
        snapshot = nil
        XCTAssertFalse(FileManager.default.fileExists(atPath: copy))
    }

    /// gzip itself: several MiB of incompressible and of repetitive data, an empty file, and
    /// compatibility with the system's gzip both ways.
    func testGzipRoundTripsAndMatchesTheSystemsGzip() throws {
        let folder = try TemporaryDirectory(prefix: "ftlab-gzip")
        var rng = SplitMix64(seed: 7)
        var random = [UInt8](repeating: 0, count: 3 * Gzip.chunk + 12345)
        for i in random.indices { random[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let repetitive = [UInt8](String(repeating: "Question: what is 2 + 3?\n", count: 200_000).utf8)
        // Output that fills zlib's buffer exactly, twice: the loop must ask for more, not stop.
        let exact = [UInt8](repeating: 0x61, count: 2 * Gzip.chunk)
        let exactRandom = Array(random.prefix(2 * Gzip.chunk))
        for (name, content) in [("random", random), ("repetitive", repetitive), ("exact", exact), ("exactRandom", exactRandom), ("empty", [UInt8]())] {
            let plain = folder.path(name), gz = folder.path(name + ".gz"), back = folder.path(name + ".back")
            try Data(content).write(to: URL(fileURLWithPath: plain))
            try Gzip.compress(plain, to: gz)
            XCTAssertTrue(Gzip.isGzip(gz))
            try Gzip.decompress(gz, to: back)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: back)), Data(content), name)
            if let system = Self.systemGzip {
                // The system's gzip reads ours, and ours reads the system's.
                XCTAssertEqual(try Self.run(system, ["-dc", gz]), Data(content), "\(name): gzip -dc of ours")
                try Self.run(system, ["-c", plain]).write(to: URL(fileURLWithPath: gz))
                try Gzip.decompress(gz, to: back)
                XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: back)), Data(content), "\(name): ours of gzip -c")
            }
        }
        XCTAssertLessThan(try Data(contentsOf: URL(fileURLWithPath: folder.path("repetitive.gz"))).count, repetitive.count / 100)
        // Two gzip members one after the other read as their concatenation, as gunzip does.
        let a = try Data(contentsOf: URL(fileURLWithPath: folder.path("repetitive.gz")))
        try Gzip.compress(folder.path("random"), to: folder.path("random.gz"))
        let b = try Data(contentsOf: URL(fileURLWithPath: folder.path("random.gz")))
        try (a + b).write(to: URL(fileURLWithPath: folder.path("both.gz")))
        try Gzip.decompress(folder.path("both.gz"), to: folder.path("both"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder.path("both"))), Data(repetitive + random))
    }

    /// The decompressed copies in the temporary directory.
    static func snapshotFolders() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("ftlab-snapshot-") })
    }

    static var systemGzip: String? {
        ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(tool) \(arguments)")
        return data
    }
}
