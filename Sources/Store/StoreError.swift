import Foundation
import GRDB

/// Everything the Store can report. Each description is one line, because the REPL prints it
/// as-is under the user's input and a multi-line GRDB dump would bury the cause.
public enum StoreError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file has applied migrations this build does not know: a newer ftlab wrote it.
    case newerSchema(path: String, unknown: [String])
    /// The file exists but is not an SQLite database (or is corrupt).
    case notADatabase(String)
    /// The database file cannot be created or opened for writing.
    case cannotOpen(path: String, reason: String)
    /// `select` was given a statement that could change the database or the connection.
    case notReadOnly(String)
    /// `select` was given more than one statement.
    case multipleStatements
    /// A constraint (CHECK, UNIQUE, FOREIGN KEY, NOT NULL) rejected a write.
    case constraint(String)
    /// Any other SQLite error, with SQLite's own message.
    case sql(String)
    /// A name used for completion is not a table/view or not a column of it.
    case unknownSource(String)
    case unknownColumn(column: String, source: String)
    /// A run id that does not exist.
    case noSuchRun(Int64)
    /// A run with the same spec is being executed by a live process.
    case alreadyRunning(id: Int64, pid: Int32?, host: String)
    /// A write to a database opened read-only (the file or its folder is not writable).
    case readOnly(String)
    /// A write to a compressed snapshot (`ftlab pack`'s .gz), which is opened read-only.
    case compressedSnapshot(String)

    public var description: String {
        switch self {
        case let .newerSchema(path, unknown):
            return "\(path) was written by a newer ftlab (unknown migrations: \(unknown.joined(separator: ", "))); upgrade ftlab"
        case let .notADatabase(path):
            return "\(path) is not an ftlab database (not an SQLite file, or it is corrupt)"
        case let .cannotOpen(path, reason):
            return "cannot open database \(path): \(reason)"
        case let .notReadOnly(what):
            return "only read-only queries are allowed here (\(what))"
        case .multipleStatements:
            return "only one SQL statement at a time"
        case let .constraint(message):
            return "rejected by the database: \(message)"
        case let .sql(message):
            return "SQL error: \(message)"
        case let .unknownSource(name):
            return "no table or view named \(name)"
        case let .unknownColumn(column, source):
            return "\(source) has no column named \(column)"
        case let .noSuchRun(id):
            return "no run with id \(id)"
        case let .alreadyRunning(id, pid, host):
            return "run \(id) with this spec is running (pid \(pid.map(String.init) ?? "?") on \(host)); wait for it, or query it with `show run \(id)`"
        case let .readOnly(path):
            return "\(path) is open read-only (the file or its folder is not writable): queries and reports work, runs cannot be recorded"
        case let .compressedSnapshot(path):
            let how = path.hasSuffix(".gz") ? "`gunzip -k \(path)` gives \(path.dropLast(3))" : "`gzip -dc \(path) > \(path).sqlite`"
            return "\(path) is a compressed snapshot, opened read-only: queries and reports work; to record runs, "
                + "decompress it (\(how)) and open that"
        }
    }

    public var errorDescription: String? { description }
}

extension StoreError {
    /// Maps a GRDB/SQLite error to a one-line StoreError; leaves StoreErrors untouched.
    static func wrap(_ error: Error) -> Error {
        guard let dbError = error as? DatabaseError else { return error }
        let message = oneLine(dbError.message ?? "\(dbError.resultCode)")
        switch dbError.resultCode.primaryResultCode {
        case .SQLITE_CONSTRAINT: return StoreError.constraint(message)
        default: return StoreError.sql(message)
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
