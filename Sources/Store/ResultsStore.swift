import Foundation
import GRDB
import StoreSchema

/// The ftlab results database: the only code in ftlab that speaks SQL.
///
/// A file database is a `DatabasePool` in WAL mode, so the REPL can read while a run writes;
/// `":memory:"` is a `DatabaseQueue` (WAL needs a file), used by tests.
public final class ResultsStore: Sendable {
    /// The path given at init (`":memory:"` for an in-memory store).
    public let path: String
    /// The identifier of the last applied migration, e.g. "001_init".
    public let schemaVersion: String
    /// Opened read-only because the file or its folder cannot be written (a read-only checkout or
    /// mount, a 0444 file), or because it is a compressed snapshot: reads work, every write is
    /// refused with `readOnlyError`.
    public let isReadOnly: Bool
    /// `path` is a gzip-compressed database (`ftlab pack`): it was decompressed into a temporary
    /// folder and opened read-only there; the folder goes when the store does.
    public let isCompressedSnapshot: Bool
    let snapshotFolder: String?

    let writer: any DatabaseWriter

    /// Opens or creates the database at `path` and brings its schema up to date.
    ///
    /// Refuses, without modifying the file, a database written by a newer ftlab (it has applied
    /// migrations this build does not know), and a file that is not an SQLite database.
    /// A gzip file (`ftlab pack`'s output, e.g. Reports/study/study.sqlite.gz) is decompressed
    /// into a temporary folder and opened read-only: queries and reports, no runs.
    public init(path: String) throws {
        self.path = path
        let migrator = try Self.makeMigrator()
        let inMemory = path == ":memory:"
        let snapshot = inMemory ? nil : try Self.unpackSnapshot(path)
        snapshotFolder = snapshot?.folder
        isCompressedSnapshot = snapshot != nil
        let file = snapshot?.file ?? path
        // A failed init runs no deinit: the decompressed copy must go here.
        func discardSnapshot() { if let folder = snapshot?.folder { try? FileManager.default.removeItem(atPath: folder) } }
        if !inMemory {
            do { try Self.checkExistingFile(path: file, shownAs: path, migrator: migrator) } catch { discardSnapshot(); throw error }
        }
        if !inMemory && (snapshot != nil || Self.isUnwritable(path)) {
            // No WAL switch, no migration: the file is read as it is.
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(5)
            do {
                writer = try DatabaseQueue(path: file, configuration: config)
                schemaVersion = try writer.read { db in try migrator.appliedMigrations(db).last } ?? ""
            } catch let error as DatabaseError {
                discardSnapshot()
                throw Self.openError(error, path: path)
            }
            isReadOnly = true
            return
        }
        isReadOnly = false

        var config = Configuration()
        config.foreignKeysEnabled = true          // PRAGMA foreign_keys=ON on every connection
        config.busyMode = .timeout(5)             // busy_timeout: wait for a concurrent writer
        if let pages = ProcessInfo.processInfo.environment["FTLAB_SQLITE_MAX_PAGE_COUNT"].flatMap(Int.init) {
            // Test hook: caps the database's size, so writes fail with SQLITE_FULL exactly as on
            // a full disk (tests of what a run does when its writes fail).
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        }
        do {
            if inMemory {
                writer = try DatabaseQueue(configuration: config)
            } else {
                config.journalMode = .wal
                writer = try DatabasePool(path: path, configuration: config)
            }
            // Checked again on the writer: another (newer) process may have migrated the file
            // between the read-only probe and now.
            try Self.refuseNewerSchema(writer: writer, migrator: migrator, path: path)
            try migrator.migrate(writer)
            schemaVersion = try writer.read { db in try migrator.appliedMigrations(db).last } ?? ""
        } catch let error as DatabaseError {
            throw Self.openError(error, path: path)
        }
    }

    /// An existing file that this process cannot write, or whose folder it cannot write (SQLite
    /// needs the folder for its journal).
    static func isUnwritable(_ path: String) -> Bool {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path) else { return false }
        let folder = (path as NSString).deletingLastPathComponent
        return !fm.isWritableFile(atPath: path) || !fm.isWritableFile(atPath: folder.isEmpty ? "." : folder)
    }

    /// `--db PATH`, else `$FTLAB_DB`, else `./ftlab.sqlite`. Empty values count as absent.
    public static func resolvePath(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["FTLAB_DB"], !env.isEmpty { return env }
        return "./ftlab.sqlite"
    }

    // MARK: - Opening

    /// One GRDB migration per `Schema/migrations/NNN_name.sql`, registered under its file name,
    /// so `grdb_migrations` records exactly those identifiers.
    static func makeMigrator() throws -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in try SchemaMigrations.all() {
            let sql = migration.sql
            migrator.registerMigration(migration.identifier) { db in try db.execute(sql: sql) }
        }
        return migrator
    }

    deinit {
        if let snapshotFolder { try? FileManager.default.removeItem(atPath: snapshotFolder) }
    }

    /// Looks at an existing file through a read-only connection first: opening the pool would
    /// switch the file to WAL and migrating would write, and a newer ftlab's file must stay as is.
    /// `shownAs`: the path errors name (the .gz for a decompressed snapshot).
    static func checkExistingFile(path: String, shownAs: String? = nil, migrator: DatabaseMigrator) throws {
        let shown = shownAs ?? path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue {
            throw StoreError.cannotOpen(path: shown, reason: "it is a directory")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)             // a rollback-mode file may be mid-write
        do {
            let probe = try DatabaseQueue(path: path, configuration: config)
            try refuseNewerSchema(writer: probe, migrator: migrator, path: shown)
        } catch let error as DatabaseError {
            throw openError(error, path: shown)
        }
    }

    static func refuseNewerSchema(writer: any DatabaseReader, migrator: DatabaseMigrator, path: String) throws {
        let known = Set(migrator.migrations)
        let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
        let unknown = applied.subtracting(known).sorted()
        if !unknown.isEmpty {
            throw StoreError.newerSchema(path: path, unknown: unknown)
        }
    }

    /// Turns an SQLite error met while opening into a one-line error that names the path.
    static func openError(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode.primaryResultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notADatabase(path)
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_IOERR:
            let folder = (path as NSString).deletingLastPathComponent
            let dir = folder.isEmpty ? "." : folder
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) || !isDirectory.boolValue {
                return .cannotOpen(path: path, reason: "the folder \(dir) does not exist")
            }
            if error.resultCode.primaryResultCode == .SQLITE_READONLY {
                return .cannotOpen(path: path, reason: "the file or its folder is not writable")
            }
            return .cannotOpen(path: path, reason: StoreError.oneLine(error.message ?? "\(error.resultCode)"))
        default:
            return .sql(StoreError.oneLine(error.message ?? "\(error.resultCode)"))
        }
    }

    // MARK: - Access with one-line errors

    /// One write transaction; any error rolls all of it back.
    func write<T>(_ updates: (Database) throws -> T) throws -> T {
        if isReadOnly { throw readOnlyError }
        do { return try writer.write(updates) } catch { throw StoreError.wrap(error) }
    }

    /// A read-only access (a read-only connection for a pool, `PRAGMA query_only` for a queue).
    func read<T>(_ value: (Database) throws -> T) throws -> T {
        do { return try writer.read(value) } catch { throw StoreError.wrap(error) }
    }
}
