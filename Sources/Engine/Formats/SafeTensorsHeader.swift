/// Parses and validates a safetensors header:
///
///     u64 N (little-endian) | N bytes of UTF-8 JSON | data section
///     JSON: { "__metadata__": {str: str}?, name: {"dtype": str, "shape": [int], "data_offsets": [begin, end]}, … }
///
/// Checks match the reference implementation (huggingface/safetensors): N at most 100 MB and
/// inside the file; the header is a JSON object; every tensor's byte length equals its element
/// count × dtype size (overflow-checked); the tensors, ordered by offset, tile the data section
/// exactly — no overlap, no gap, no trailing bytes.
struct SafeTensorsLayout {
    var metadata: [String: String]
    var tensors: [SafeTensorInfo]  // ordered by offset
    var dataOffset: Int
}

enum SafeTensorsHeader {
    /// The reference implementation's limit on N.
    static let maxHeaderBytes = 100_000_000

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> SafeTensorsLayout {
        func fail(_ field: String, _ problem: String) -> SafeTensorsError {
            SafeTensorsError(file: file, field: field, problem: problem)
        }
        guard bytes.count >= 8 else {
            throw fail("header", "file is \(bytes.count) bytes, too short for the 8-byte header length")
        }
        let n = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard n <= UInt64(maxHeaderBytes) else {
            throw fail("header", "header length \(n) exceeds the \(maxHeaderBytes)-byte limit")
        }
        guard n <= UInt64(bytes.count - 8) else {
            throw fail("header", "header length \(n) exceeds the \(bytes.count - 8) bytes after the length field")
        }
        let headerEnd = 8 + Int(n)
        let json = UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd])
        guard json.first == UInt8(ascii: "{") else { throw fail("header", "JSON header does not start with '{'") }
        let root: SafeTensorsJSON.Value
        do {
            root = try SafeTensorsJSON.parse(json)
        } catch let e as SafeTensorsJSON.Failure {
            throw fail("header", "invalid JSON at header byte \(e.offset): \(e.message)")
        }
        guard case .object(let entries) = root else { throw fail("header", "JSON header is not an object") }

        let dataSize = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var tensors: [SafeTensorInfo] = []
        tensors.reserveCapacity(entries.count)
        for (name, value) in entries {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw fail("__metadata__", "is not an object") }
                for (k, v) in pairs {
                    guard case .string(let s) = v else { throw fail("__metadata__ \(ErrorText.quoted(k))", "value is not a string") }
                    metadata[k] = s
                }
                continue
            }
            tensors.append(try tensorInfo(name: name, value: value, fail: fail))
        }

        tensors.sort { ($0.offset, $0.byteCount) < ($1.offset, $1.byteCount) }
        var expected = 0
        for t in tensors {
            guard t.offset == expected else {
                let problem = t.offset < expected
                    ? "data_offsets [\(t.offset), \(t.offset + t.byteCount)] overlap the previous tensor, which ends at \(expected)"
                    : "data_offsets [\(t.offset), \(t.offset + t.byteCount)] leave a gap after byte \(expected)"
                throw fail("tensor \(ErrorText.quoted(t.name))", problem)
            }
            expected = t.offset + t.byteCount  // offset and byteCount are both ≤ Int64.max / 2 here
            guard expected <= dataSize else {
                throw fail("tensor \(ErrorText.quoted(t.name))", "data_offsets [\(t.offset), \(expected)] past the end of the \(dataSize)-byte data section")
            }
        }
        guard expected == dataSize else {
            throw fail("data", "tensors cover \(expected) bytes but the data section has \(dataSize)")
        }
        return SafeTensorsLayout(metadata: metadata, tensors: tensors, dataOffset: headerEnd)
    }

    private static func tensorInfo(name: String, value: SafeTensorsJSON.Value,
                                   fail: (String, String) -> SafeTensorsError) throws -> SafeTensorInfo {
        let field = "tensor \(ErrorText.quoted(name))"
        guard case .object(let fields) = value else { throw fail(field, "entry is not an object") }
        var dtypeText: String?, shapeValues: [SafeTensorsJSON.Value]?, offsetValues: [SafeTensorsJSON.Value]?
        for (k, v) in fields {
            switch (k, v) {
            case ("dtype", .string(let s)): dtypeText = s
            case ("shape", .array(let a)): shapeValues = a
            case ("data_offsets", .array(let a)): offsetValues = a
            case ("dtype", _), ("shape", _), ("data_offsets", _): throw fail(field, "\(ErrorText.quoted(k)) has the wrong JSON type")
            default: continue  // unknown fields are ignored, as the reference implementation does
            }
        }
        guard let dtypeText else { throw fail(field, "missing 'dtype'") }
        guard let shapeValues else { throw fail(field, "missing 'shape'") }
        guard let offsetValues else { throw fail(field, "missing 'data_offsets'") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeText) else { throw fail(field, "unknown dtype \(ErrorText.quoted(dtypeText))") }

        var shape: [Int] = []
        shape.reserveCapacity(shapeValues.count)
        var elements = 1
        for v in shapeValues {
            guard case .integer(let d) = v, d >= 0 else { throw fail(field, "shape entries must be non-negative integers") }
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail(field, "element count of shape \(shape + [d]) overflows") }
            shape.append(d)
            elements = p
        }
        guard offsetValues.count == 2, case .integer(let begin) = offsetValues[0], case .integer(let end) = offsetValues[1],
              begin >= 0, end >= begin else {
            throw fail(field, "data_offsets must be two integers [begin, end] with 0 ≤ begin ≤ end")
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes == end - begin else {
            throw fail(field, "data_offsets [\(begin), \(end)] hold \(end - begin) bytes but shape \(shape) of \(dtype.rawValue) needs \(overflow ? "more than Int.max" : String(bytes))")
        }
        // Larger offsets could not lie inside any file; capping them keeps later sums from overflowing.
        guard end <= Int(Int64.max / 2) else { throw fail(field, "data_offsets [\(begin), \(end)] are too large") }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, offset: begin, byteCount: bytes, elementCount: elements)
    }
}
