import Foundation
import GRDB

/// One SQLite value, as the REPL prints it and as query arguments are bound.
/// Mirrors SQLite's storage classes so callers need not import GRDB.
public enum StoreValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case let .int64(v): self = .integer(v)
        case let .double(v): self = .real(v)
        case let .string(v): self = .text(v)
        case let .blob(v): self = .blob(v)
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case let .integer(v): return v.databaseValue
        case let .real(v): return v.databaseValue
        case let .text(v): return v.databaseValue
        case let .blob(v): return v.databaseValue
        }
    }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case let .integer(v): return String(v)
        case let .real(v): return String(v)
        case let .text(v): return v
        case let .blob(v): return "<\(v.count) bytes>"
        }
    }
}

/// The result of a read-only query: column names in select order, then rows of values.
public struct ResultTable: Equatable, Sendable {
    public var columns: [String]
    public var rows: [[StoreValue]]

    public init(columns: [String], rows: [[StoreValue]]) {
        self.columns = columns
        self.rows = rows
    }
}
