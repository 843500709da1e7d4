import Foundation
import GRDB

/// Compressed snapshots: a results database packed into one gzip file (`ftlab pack`), which is
/// what a repository ships (Reports/study/study.sqlite.gz is a sixth of the live database's size) and
/// what `--db` opens read-only.
extension ResultsStore {
    /// The error a write gets when the store is read-only, saying why.
    public var readOnlyError: StoreError {
        isCompressedSnapshot ? .compressedSnapshot(path) : .readOnly(path)
    }

    /// For a gzip file at `path`: the temporary folder it was decompressed into and the database
    /// file there. nil for anything else. A missing `….gz` is an error, not a new database.
    static func unpackSnapshot(_ path: String) throws -> (folder: String, file: String)? {
        guard FileManager.default.fileExists(atPath: path) else {
            if path.hasSuffix(".gz") { throw StoreError.cannotOpen(path: path, reason: "no such file (a compressed snapshot is never created)") }
            return nil
        }
        guard Gzip.isGzip(path) else { return nil }
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("ftlab-snapshot-\(UUID().uuidString.lowercased())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = (path as NSString).lastPathComponent
        let file = folder + "/" + (name.hasSuffix(".gz") ? String(name.dropLast(3)) : name + ".sqlite")
        do {
            try Gzip.decompress(path, to: file)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        return (folder, file)
    }

    /// What `pack` wrote.
    public struct PackSummary: Sendable {
        public let runs: Int
        public let predictions: Int
        /// The compacted database, before compression.
        public let databaseBytes: Int
        public let compressedBytes: Int
    }

    /// Writes the database at `source` — its WAL folded in, free pages dropped (`VACUUM INTO`), in
    /// rollback-journal mode, integrity checked — gzip-compressed to `destination`. The source is
    /// only read; a worker may go on writing to it (the copy is one consistent snapshot).
    @discardableResult
    public static func pack(_ source: String, to destination: String) throws -> PackSummary {
        guard FileManager.default.fileExists(atPath: source) else {
            throw StoreError.cannotOpen(path: source, reason: "no such file")
        }
        let store = try ResultsStore(path: source)
        if store.isCompressedSnapshot {
            throw StoreError.cannotOpen(path: source, reason: "it is already compressed")
        }
        let copy = destination + ".vacuum-\(getpid())"
        try? FileManager.default.removeItem(atPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var runs = 0, predictions = 0
        do {
            try store.writer.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copy]) }
            let queue = try DatabaseQueue(path: copy)
            try queue.writeWithoutTransaction { db in
                // A copy of a WAL database says WAL in its header; a shipped file must not need a -wal.
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                // The schema cookie counts schema changes over the source's life (opening a
                // database bumps it); fixing it on the private copy makes the same rows pack to
                // the same bytes. No other connection holds this file, so no cached schema goes stale.
                try db.execute(sql: "PRAGMA schema_version = 1")
                let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard check == ["ok"] else {
                    throw StoreError.cannotOpen(path: source, reason: "integrity check of its copy failed: \(check.prefix(3).joined(separator: "; "))")
                }
                // Counted in the copy: a worker may have written to the source meanwhile.
                runs = try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0
                predictions = try Int.fetchOne(db, sql: "SELECT count(*) FROM predictions") ?? 0
            }
            try queue.close()
        } catch let error as DatabaseError {
            throw StoreError.wrap(error)
        }
        let databaseBytes = (try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int) ?? 0
        try Gzip.compress(copy, to: destination)
        let compressedBytes = (try FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        return PackSummary(runs: runs, predictions: predictions, databaseBytes: databaseBytes, compressedBytes: compressedBytes)
    }
}
