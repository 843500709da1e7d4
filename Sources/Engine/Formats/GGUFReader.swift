/// Parses and validates the GGUF header, metadata and tensor table of a byte buffer.
///
/// Nothing here trusts a number from the file: every count and length is compared with the bytes
/// that remain (each element needs at least a known number of bytes) before anything is
/// allocated, arithmetic on file numbers uses overflow-reporting operations, and tensor data
/// ranges are checked against the file size and each other. Layout (little-endian):
///
///     "GGUF" u32 version | u64 tensor_count | u64 kv_count
///     kv_count × (string key, u32 value_type, value)
///     tensor_count × (string name, u32 n_dims, n_dims × u64 ne, u32 ggml_type, u64 offset)
///     padding to general.alignment | data section
///
/// A string is a u64 byte length then UTF-8 bytes; an array is u32 element type, u64 count, values.
struct GGUFLayout {
    var version: Int
    var metadata: [String: GGUFValue]
    var metadataKeys: [String]
    var tensors: [GGUFTensorInfo]
    var alignment: Int
    var dataOffset: Int
}

/// Limits that no real model comes near but that bound what a hostile file can make us allocate.
enum GGUFLimits {
    /// Key and tensor-name length in bytes (the GGUF spec caps keys at 65535).
    static let maxNameBytes = 65_535
    /// Array nesting depth (ggml itself writes none; the format allows it).
    static let maxArrayDepth = 8
    /// Metadata values in the whole file, arrays' elements included (gemma3 has ~790k);
    /// bounds the in-memory size of `[GGUFValue]` trees (24 bytes each) to a few hundred MB.
    static let maxMetadataValues = 1 << 24
    static let maxDims = 4
    static let maxAlignment = 1 << 20
    static let defaultAlignment = 32
}

private enum GGUFValueType: UInt32 {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The fewest bytes one value of this type occupies: an upper bound on a count is
    /// `remaining / minBytes`.
    var minBytes: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

struct GGUFParser {
    let file: String
    private var cursor: BinaryCursor
    private var valuesLeft = GGUFLimits.maxMetadataValues

    init(file: String, bytes: UnsafeRawBufferPointer) {
        self.file = file
        self.cursor = BinaryCursor(bytes)
    }

    private var fileSize: Int { cursor.bytes.count }

    private func fail(_ field: String, _ problem: String) -> GGUFError {
        GGUFError(file: file, field: field, problem: problem)
    }

    private func truncated(_ field: String, _ t: BinaryCursor.Truncated) -> GGUFError {
        fail(field, "needs \(t.needed) bytes at offset \(t.offset) but the file ends after \(t.available) more (file is \(fileSize) bytes)")
    }

    /// Runs `body`, converting a cursor over-run into an error that names `field`.
    private mutating func reading<T>(_ field: @autoclosure () -> String, _ body: (inout GGUFParser) throws -> T) throws -> T {
        do {
            return try body(&self)
        } catch let t as BinaryCursor.Truncated {
            throw truncated(field(), t)
        }
    }

    mutating func parse() throws -> GGUFLayout {
        let (version, tensorCount, kvCount) = try parseHeader()

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        metadata.reserveCapacity(kvCount)
        keys.reserveCapacity(kvCount)
        for i in 0..<kvCount {
            let key = try readName("metadata key #\(i)")
            guard metadata[key] == nil else { throw fail("metadata \(ErrorText.quoted(key))", "duplicate key") }
            let rawType = try reading("metadata \(ErrorText.quoted(key))") { try $0.cursor.read(UInt32.self) }
            let value = try readValue(typeID: rawType, field: "metadata \(ErrorText.quoted(key))", depth: 0)
            metadata[key] = value
            keys.append(key)
        }

        let alignment = try alignment(from: metadata)
        var tensors = try parseTensorTable(count: tensorCount, alignment: alignment)

        // The data section starts at the first multiple of `alignment` after the table.
        let tableEnd = cursor.offset
        let (padded, overflow) = tableEnd.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw fail("tensor table", "data section start overflows") }
        let dataOffset = padded & ~(alignment - 1)
        try checkDataRanges(&tensors, dataOffset: dataOffset)
        return GGUFLayout(version: version, metadata: metadata, metadataKeys: keys,
                          tensors: tensors, alignment: alignment, dataOffset: dataOffset)
    }

    // MARK: header

    private mutating func parseHeader() throws -> (version: Int, tensors: Int, kvs: Int) {
        let magic = try reading("header") { try $0.cursor.read(UInt32.self) }
        guard magic == 0x4655_4747 else {  // "GGUF" read as a little-endian u32
            let shown = withUnsafeBytes(of: magic.littleEndian) { raw in
                raw.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
            }
            throw fail("header", "not a GGUF file (magic '\(shown)', expected 'GGUF')")
        }
        let version = try reading("header version") { try $0.cursor.read(UInt32.self) }
        switch version {
        case 2, 3: break
        case 1: throw fail("header", "GGUF version 1 is not supported (only versions 2 and 3; re-convert the model with a current llama.cpp)")
        case 0x0200_0000, 0x0300_0000: throw fail("header", "big-endian GGUF is not supported")
        default: throw fail("header", "unknown GGUF version \(version) (only versions 2 and 3 are supported)")
        }
        let tensorCount = try reading("header tensor count") { try $0.cursor.read(UInt64.self) }
        let kvCount = try reading("header metadata count") { try $0.cursor.read(UInt64.self) }
        // Each tensor info takes at least 8+1 (name) + 4 + 8 (one dim) + 4 + 8 bytes; each
        // key/value at least 8+1 (key) + 4 + 1 bytes. Bounding by what is left keeps the
        // reservations above proportional to the file.
        let minTensorBytes = 33, minKVBytes = 14
        guard kvCount <= UInt64(cursor.remaining / minKVBytes) else {
            throw fail("header", "metadata count \(kvCount) cannot fit in the \(cursor.remaining) bytes left in the file")
        }
        guard tensorCount <= UInt64(cursor.remaining / minTensorBytes) else {
            throw fail("header", "tensor count \(tensorCount) cannot fit in the \(cursor.remaining) bytes left in the file")
        }
        return (Int(version), Int(tensorCount), Int(kvCount))
    }

    // MARK: strings and values

    /// A key or tensor name: non-empty, at most `maxNameBytes`.
    private mutating func readName(_ field: String) throws -> String {
        let length = try reading(field) { try $0.cursor.read(UInt64.self) }
        guard length > 0 else { throw fail(field, "empty name") }
        guard length <= UInt64(GGUFLimits.maxNameBytes) else {
            throw fail(field, "name length \(length) exceeds \(GGUFLimits.maxNameBytes) bytes")
        }
        return try readStringBody(length: length, field: field)
    }

    private mutating func readString(_ field: @autoclosure () -> String) throws -> String {
        let length = try reading(field()) { try $0.cursor.read(UInt64.self) }
        return try readStringBody(length: length, field: field())
    }

    private mutating func readStringBody(length: UInt64, field: @autoclosure () -> String) throws -> String {
        guard length <= UInt64(cursor.remaining) else {
            throw fail(field(), "string length \(length) exceeds the \(cursor.remaining) bytes left in the file")
        }
        let raw = try reading(field()) { try $0.cursor.readBytes(Int(length)) }
        // Invalid UTF-8 is repaired (U+FFFD) rather than rejected: a bad vocabulary entry
        // should not make the weights unreadable.
        return String(decoding: raw, as: UTF8.self)
    }

    private mutating func readValue(typeID: UInt32, field: @autoclosure () -> String, depth: Int) throws -> GGUFValue {
        guard let type = GGUFValueType(rawValue: typeID) else {
            throw fail(field(), "unknown value type \(typeID)")
        }
        guard valuesLeft > 0 else {
            throw fail(field(), "more than \(GGUFLimits.maxMetadataValues) metadata values in the file")
        }
        valuesLeft -= 1
        return try reading(field()) { p in try p.readScalarOrArray(type, field: field(), depth: depth) }
    }

    private mutating func readScalarOrArray(_ type: GGUFValueType, field: @autoclosure () -> String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self))
        case .int8: return .int8(try cursor.read(Int8.self))
        case .uint16: return .uint16(try cursor.read(UInt16.self))
        case .int16: return .int16(try cursor.read(Int16.self))
        case .uint32: return .uint32(try cursor.read(UInt32.self))
        case .int32: return .int32(try cursor.read(Int32.self))
        case .uint64: return .uint64(try cursor.read(UInt64.self))
        case .int64: return .int64(try cursor.read(Int64.self))
        case .float32: return .float32(try cursor.readFloat())
        case .float64: return .float64(try cursor.readDouble())
        case .bool: return .bool(try cursor.read(UInt8.self) != 0)
        case .string: return .string(try readString(field()))
        case .array: return try readArray(field: field(), depth: depth)
        }
    }

    private mutating func readArray(field: @autoclosure () -> String, depth: Int) throws -> GGUFValue {
        guard depth < GGUFLimits.maxArrayDepth else {
            throw fail(field(), "arrays nested deeper than \(GGUFLimits.maxArrayDepth)")
        }
        let elementTypeID = try cursor.read(UInt32.self)
        guard let elementType = GGUFValueType(rawValue: elementTypeID) else {
            throw fail(field(), "unknown array element type \(elementTypeID)")
        }
        let count = try cursor.read(UInt64.self)
        guard count <= UInt64(cursor.remaining / elementType.minBytes) else {
            throw fail(field(), "array of \(count) \(elementType) values cannot fit in the \(cursor.remaining) bytes left in the file")
        }
        guard count <= UInt64(valuesLeft) else {
            throw fail(field(), "more than \(GGUFLimits.maxMetadataValues) metadata values in the file")
        }
        let n = Int(count)
        valuesLeft -= n
        var values: [GGUFValue] = []
        values.reserveCapacity(n)
        var index = 0
        do {
            while index < n {
                values.append(try readScalarOrArrayElement(elementType, field: field(), index: index, depth: depth + 1))
                index += 1
            }
        } catch let t as BinaryCursor.Truncated {
            throw truncated("\(field())[\(index)]", t)
        }
        return .array(values)
    }

    /// Like `readScalarOrArray`, but with the element's index in error messages. (Budget for
    /// the elements themselves was taken by the enclosing array.)
    private mutating func readScalarOrArrayElement(_ type: GGUFValueType, field: @autoclosure () -> String, index: Int, depth: Int) throws -> GGUFValue {
        switch type {
        case .string: return .string(try readString("\(field())[\(index)]"))
        case .array: return try readArray(field: "\(field())[\(index)]", depth: depth)
        default: return try readScalarOrArray(type, field: field(), depth: depth)
        }
    }

    // MARK: alignment and tensors

    private func alignment(from metadata: [String: GGUFValue]) throws -> Int {
        guard let value = metadata["general.alignment"] else { return GGUFLimits.defaultAlignment }
        let isInteger: Bool
        switch value {
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .uint64, .int64: isInteger = true
        default: isInteger = false
        }
        guard isInteger, let a = value.int, a > 0, a <= GGUFLimits.maxAlignment, a & (a - 1) == 0 else {
            throw fail("metadata 'general.alignment'", "must be a power of two between 1 and \(GGUFLimits.maxAlignment), got \(ErrorText.quoted("\(value)"))")
        }
        return a
    }

    private mutating func parseTensorTable(count: Int, alignment: Int) throws -> [GGUFTensorInfo] {
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(count)
        var seen = Set<String>()
        seen.reserveCapacity(count)
        for i in 0..<count {
            let name = try readName("tensor #\(i) name")
            let field = "tensor \(ErrorText.quoted(name))"
            guard seen.insert(name).inserted else { throw fail(field, "duplicate tensor name") }
            tensors.append(try reading(field) { try $0.readTensorInfo(name: name, field: field, alignment: alignment) })
        }
        return tensors
    }

    private mutating func readTensorInfo(name: String, field: String, alignment: Int) throws -> GGUFTensorInfo {
        let nDims = try cursor.read(UInt32.self)
        guard (1...UInt32(GGUFLimits.maxDims)).contains(nDims) else {
            throw fail(field, "n_dims \(nDims) is not between 1 and \(GGUFLimits.maxDims)")
        }
        var shape: [Int] = []
        shape.reserveCapacity(Int(nDims))
        var rows = 1  // product of dims 1...; checked separately since ne0 may be 0
        for d in 0..<Int(nDims) {
            let ne = try cursor.read(UInt64.self)
            guard ne <= UInt64(Int64.max) else { throw fail(field, "dimension \(d) (\(ne)) is too large") }
            shape.append(Int(ne))
            if d > 0 {
                let (product, overflow) = rows.multipliedReportingOverflow(by: Int(ne))
                guard !overflow else { throw fail(field, "element count overflows (shape \(shape))") }
                rows = product
            }
        }
        let (elements, overflow0) = rows.multipliedReportingOverflow(by: shape[0])
        guard !overflow0 else { throw fail(field, "element count overflows (shape \(shape))") }
        let rawType = try cursor.read(UInt32.self)
        guard let type = GGMLType(rawValue: rawType) else {
            throw fail(field, "unknown ggml type \(rawType)")
        }
        guard shape[0] % type.blockSize == 0 else {
            throw fail(field, "row length \(shape[0]) is not a multiple of the \(type) block size \(type.blockSize)")
        }
        let (byteCount, overflow) = (elements / type.blockSize).multipliedReportingOverflow(by: type.bytesPerBlock)
        guard !overflow else { throw fail(field, "byte count overflows (shape \(shape), type \(type))") }
        let offset = try cursor.read(UInt64.self)
        guard offset <= UInt64(Int64.max) else { throw fail(field, "data offset \(offset) is too large") }
        guard Int(offset) % alignment == 0 else {
            throw fail(field, "data offset \(offset) is not a multiple of the alignment \(alignment)")
        }
        return GGUFTensorInfo(name: name, shape: shape, type: type, offset: Int(offset),
                              byteCount: byteCount, elementCount: elements, rowCount: rows)
    }

    /// Every tensor's bytes lie inside the file, and no two tensors share a byte.
    private func checkDataRanges(_ tensors: inout [GGUFTensorInfo], dataOffset: Int) throws {
        for t in tensors {
            let (start, o1) = dataOffset.addingReportingOverflow(t.offset)
            let (end, o2) = start.addingReportingOverflow(t.byteCount)
            guard !o1, !o2, end <= fileSize else {
                throw fail("tensor \(ErrorText.quoted(t.name))", o1 || o2
                    ? "data offset \(t.offset) + \(t.byteCount) bytes overflows"
                    : "data offset \(start) + \(t.byteCount) bytes past end of file (\(fileSize) bytes)")
            }
        }
        let byStart = tensors.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(byStart, byStart.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw fail("tensor \(ErrorText.quoted(b.name))", "data (bytes \(b.offset)..<\(b.offset + b.byteCount) of the data section) overlaps tensor \(ErrorText.quoted(a.name)) (bytes \(a.offset)..<\(a.offset + a.byteCount))")
        }
    }
}
