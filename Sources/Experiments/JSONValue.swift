import Foundation

/// A decoded JSON value. Loaders use this rather than `JSONSerialization` because on Linux the
/// latter returns `NSNumber` for both `true` and `1`, which would let a boolean pass as a number.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !list.isAtEnd { items.append(try list.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [String: JSONValue] = [:]
            for key in keyed.allKeys { members[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
            self = .object(members)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let d = try? single.decode(Double.self) { self = .number(d) }
        else { self = .string(try single.decode(String.self)) }
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// One JSON object of a source file, with field accessors whose errors say where the record is.
struct JSONRecord {
    let file: String
    let location: DatasetError.Location
    let fields: [String: JSONValue]

    init(_ value: JSONValue, file: String, at location: DatasetError.Location) throws {
        guard case let .object(fields) = value else {
            throw DatasetError.malformed(file: file, at: location, message: "expected a JSON object, found \(value.typeName)")
        }
        self.file = file
        self.location = location
        self.fields = fields
    }

    func fail(_ message: String) -> DatasetError {
        .malformed(file: file, at: location, message: message)
    }

    func value(_ key: String) throws -> JSONValue {
        guard let v = fields[key] else { throw fail("missing field \"\(key)\"") }
        return v
    }

    /// A non-empty string (surrounding white space is kept; callers trim where the source pads).
    func string(_ key: String) throws -> String {
        guard case let .string(s) = try value(key) else {
            throw fail("field \"\(key)\" is \(try value(key).typeName), not a string")
        }
        guard !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw fail("field \"\(key)\" is empty") }
        return s
    }

    func object(_ key: String) throws -> JSONRecord {
        try JSONRecord(value(key), file: file, at: location)
    }

    func array(_ key: String) throws -> [JSONValue] {
        guard case let .array(items) = try value(key) else {
            throw fail("field \"\(key)\" is \(try value(key).typeName), not an array")
        }
        return items
    }

    /// Canonical number text of a field that holds a number or a numeric string.
    func number(_ key: String) throws -> String {
        try Self.numberText(value(key), what: "field \"\(key)\"", fail: fail)
    }

    static func numberText(_ v: JSONValue, what: String, fail: (String) -> DatasetError) throws -> String {
        switch v {
        case let .number(d):
            guard d.isFinite else { throw fail("\(what) is not a finite number") }
            return NumberText.format(d)
        case let .string(s):
            guard let c = NumberText.canonical(s) else { throw fail("\(what) is \"\(s)\", not a number") }
            return c
        default:
            throw fail("\(what) is \(v.typeName), not a number")
        }
    }
}
