import Foundation

/// Builds a safetensors file of F32 tensors (adapters, fine-tuned weights).
///
/// Output is deterministic: `__metadata__` first (keys sorted), then tensors sorted by name,
/// laid out in that order; the JSON header is padded with spaces so the data section starts at
/// a multiple of 8 bytes, as the reference implementation does.
public struct SafeTensorsWriter {
    private struct Entry {
        let shape: [Int]
        let values: [Float]
    }

    public var metadata: [String: String]
    private var entries: [String: Entry] = [:]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    public var tensorNames: [String] { entries.keys.sorted() }

    /// Adds a tensor; `values.count` must equal the product of `shape`.
    public mutating func add(_ name: String, shape: [Int], values: [Float]) throws {
        func fail(_ problem: String) -> SafeTensorsError {
            SafeTensorsError(file: "safetensors writer", field: "tensor \(ErrorText.quoted(name))", problem: problem)
        }
        guard !name.isEmpty, name != "__metadata__" else { throw fail("invalid tensor name") }
        guard entries[name] == nil else { throw fail("duplicate tensor name") }
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow else { throw fail("invalid shape \(shape)") }
            count = p
        }
        guard count == values.count else { throw fail("shape \(shape) has \(count) elements but \(values.count) values were given") }
        entries[name] = Entry(shape: shape, values: values)
    }

    /// The header: 8-byte length, then JSON padded to a multiple of 8.
    func header() -> [UInt8] {
        Self.header(metadata: metadata, tensors: tensorNames.map { ($0, entries[$0]!.shape) })
    }

    /// The header of F32 `tensors` laid out in the given order.
    static func header(metadata: [String: String], tensors: [(name: String, shape: [Int])]) -> [UInt8] {
        var json = "{"
        var first = true
        func member(_ key: String, _ body: String) {
            if !first { json += "," }
            first = false
            json += Self.quote(key) + ":" + body
        }
        if !metadata.isEmpty {
            member("__metadata__", "{" + metadata.keys.sorted().map { Self.quote($0) + ":" + Self.quote(metadata[$0]!) }.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, shape) in tensors {
            let end = offset + 4 * shape.reduce(1, *)
            member(name, "{\"dtype\":\"F32\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += "}"
        var bytes = Array(json.utf8)
        while bytes.count % 8 != 0 { bytes.append(UInt8(ascii: " ")) }
        return withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) } + bytes
    }

    /// Writes an F32 safetensors file without holding all tensors in memory: `fill(name, buffer)`
    /// produces each tensor in turn (one buffer at a time). Same layout as `write(to:)`: tensors
    /// sorted by name, `__metadata__` first; written to a temporary file renamed into place.
    public static func write(to path: String, metadata: [String: String] = [:], tensors: [(name: String, shape: [Int])],
                             fill: (String, UnsafeMutableBufferPointer<Float>) throws -> Void) throws {
        func fail(_ problem: String) -> SafeTensorsError { SafeTensorsError(file: path, field: "file", problem: problem) }
        var seen = Set<String>()
        for t in tensors {
            guard !t.name.isEmpty, t.name != "__metadata__", seen.insert(t.name).inserted, t.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError(file: path, field: "tensor \(ErrorText.quoted(t.name))", problem: "invalid or duplicate tensor")
            }
        }
        let sorted = tensors.sorted { $0.name < $1.name }
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else { throw fail("cannot create \(temporary)") }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            try handle.write(contentsOf: Data(header(metadata: metadata, tensors: sorted)))
            for t in sorted {
                let count = t.shape.reduce(1, *)
                var values = [Float](repeating: 0, count: count)
                do { try values.withUnsafeMutableBufferPointer { try fill(t.name, $0) } } catch { throw FillFailure(error: error) }
                try values.withUnsafeBytes { raw in
                    var at = 0
                    while at < raw.count {
                        let n = min(64 << 20, raw.count - at)
                        try handle.write(contentsOf: Data(bytes: raw.baseAddress! + at, count: n))
                        at += n
                    }
                }
            }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let e = error as? FillFailure { throw e.error }
            throw fail("write failed: \(error)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw fail("cannot rename into place: \(reason)")
        }
    }

    /// The whole file in memory.
    public func serialized() -> Data {
        var data = Data(header())
        for name in tensorNames {
            entries[name]!.values.withUnsafeBytes { data.append(contentsOf: $0) }  // little-endian host
        }
        return data
    }

    /// Writes the file to `path` through the streaming writer: a temporary file renamed into
    /// place, so a reader never sees a half-written file.
    public func write(to path: String) throws {
        try Self.write(to: path, metadata: metadata, tensors: tensorNames.map { ($0, entries[$0]!.shape) }) { name, buffer in
            _ = entries[name]!.values.withUnsafeBufferPointer { buffer.initialize(from: $0) }
        }
    }

    private struct FillFailure: Error { let error: any Error }

    static func quote(_ s: String) -> String { JSONText.quote(s) }
}
