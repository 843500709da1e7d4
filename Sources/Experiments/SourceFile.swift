import Foundation

/// The bytes of a source file, read once: loaders parse them and hash the same bytes.
struct SourceFile {
    let path: String
    let data: Data

    init(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.unreadable(file: path, reason: "no such file")
        }
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) }
        catch { throw DatasetError.unreadable(file: path, reason: error.localizedDescription) }
        self.path = path
    }

    /// Non-blank lines with their 1-based line numbers. Splitting happens on bytes (fast on a
    /// 4 MB file even in debug builds); a trailing `\r` is dropped.
    func lines() throws -> [(number: Int, bytes: Data)] {
        var out: [(Int, Data)] = []
        var number = 0
        var start = data.startIndex
        func emit(_ end: Data.Index) {
            number += 1
            var slice = data[start..<end]
            if slice.last == 0x0D { slice = slice.dropLast() }
            if slice.contains(where: { $0 != 0x20 && $0 != 0x09 }) { out.append((number, Data(slice))) }
        }
        while let newline = data[start...].firstIndex(of: 0x0A) {
            emit(newline)
            start = data.index(after: newline)
        }
        if start < data.endIndex { emit(data.endIndex) }
        return out
    }

    /// A line as text; invalid UTF-8 is an error, not replacement characters.
    func text(of line: (number: Int, bytes: Data)) throws -> String {
        guard let s = String(data: line.bytes, encoding: .utf8) else {
            throw DatasetError.malformed(file: path, at: .line(line.number), message: "not valid UTF-8")
        }
        return s
    }

    private static let decoder = JSONDecoder()

    /// Each non-blank line as a JSON object (JSON Lines).
    func jsonLines() throws -> [JSONRecord] {
        try lines().map { line in
            let value: JSONValue
            do { value = try Self.decoder.decode(JSONValue.self, from: line.bytes) }
            catch { throw DatasetError.malformed(file: path, at: .line(line.number), message: "invalid JSON (\(Self.reason(error)))") }
            return try JSONRecord(value, file: path, at: .line(line.number))
        }
    }

    /// The file as one JSON array of objects; records are numbered from 1.
    func jsonArray() throws -> [JSONRecord] {
        let value: JSONValue
        do { value = try Self.decoder.decode(JSONValue.self, from: data) }
        catch { throw DatasetError.malformed(file: path, at: .whole, message: "invalid JSON (\(Self.reason(error)))") }
        guard case let .array(items) = value else {
            throw DatasetError.malformed(file: path, at: .whole, message: "expected a JSON array, found \(value.typeName)")
        }
        return try items.enumerated().map { try JSONRecord($1, file: path, at: .record($0 + 1)) }
    }

    private static func reason(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            if let underlying = context.underlyingError { return "\(underlying)" }
            return context.debugDescription
        }
        return "\(error)"
    }
}
