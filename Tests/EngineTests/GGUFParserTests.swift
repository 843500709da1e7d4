import Foundation
import XCTest
@testable import Engine

/// Parsing of GGUF images built in memory: every value type, alignment, and each rejection.
final class GGUFParserTests: XCTestCase {
    static let allValueTypes: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")),
        ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-30000)),
        ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)),
        ("u64", .uint64(UInt64.max)), ("i64", .int64(Int64.min)),
        ("f32", .float32(1.5)), ("f64", .float64(-2.25)), ("bool", .bool(true)),
        ("unicode", .string("héllo ✓ 🙂")), ("empty string", .string("")),
        ("strings", .array([.string("a"), .string(""), .string("ccc")])),
        ("floats", .array([.float32(0.5), .float32(-1)])),
        ("ints", .array([.int32(1), .int32(-2), .int32(3)])),
        ("empty", .array([])),
        ("nested", .array([.array([.uint8(1), .uint8(2)]), .array([.uint8(3)])])),
    ]

    func validFile(alignment: Int = 32) -> (data: Data, dataOffset: Int, builder: GGUFBuilder) {
        var b = GGUFBuilder(metadata: Self.allValueTypes, tensors: [
            .init(name: "norm", shape: [3], type: .f32, data: [1, 2, 3].flatMap { TestBytes.float($0) }),
            .init(name: "w", shape: [32, 2], type: .q8_0, data: [UInt8](repeating: 0, count: 68)),
            .init(name: "k", shape: [256, 1, 1, 1], type: .q4_K, data: [UInt8](repeating: 0, count: 144)),
        ])
        b.alignment = alignment
        let (data, dataOffset) = b.build()
        return (data, dataOffset, b)
    }

    func testParsesEveryValueTypeAndTheTensorTable() throws {
        let file = try GGUFFile(data: validFile().data, name: "valid.gguf")
        XCTAssertEqual(file.version, 3)
        for (key, value) in Self.allValueTypes { XCTAssertEqual(file.metadata[key], value, key) }
        XCTAssertEqual(file.metadataKeys, Self.allValueTypes.map(\.0))
        XCTAssertEqual(file.architecture, "llama")
        XCTAssertEqual(file.metadata["strings"]?.stringArray, ["a", "", "ccc"])
        XCTAssertEqual(file.metadata["floats"]?.floatArray, [0.5, -1])
        XCTAssertEqual(file.metadata["ints"]?.intArray, [1, -2, 3])
        XCTAssertEqual(file.metadata["u64"]?.int, nil)  // does not fit in Int
        XCTAssertEqual(file.alignment, 32)
        XCTAssertEqual(file.tensors.map(\.name), ["norm", "w", "k"])
        let w = try XCTUnwrap(file.tensor(named: "w"))
        XCTAssertEqual(w.shape, [32, 2]); XCTAssertEqual(w.type, .q8_0)
        XCTAssertEqual(w.byteCount, 68); XCTAssertEqual(w.elementCount, 64)
        XCTAssertEqual(w.rowLength, 32); XCTAssertEqual(w.rowCount, 2); XCTAssertEqual(w.offset, 32)
        XCTAssertEqual(file.tensor(named: "k")?.rowCount, 1)
        XCTAssertNil(file.tensor(named: "missing"))
        XCTAssertEqual(try file.dequantize("norm"), [1, 2, 3])
        XCTAssertEqual(try file.dequantize("w"), [Float](repeating: 0, count: 64))
    }

    func testVersion2AndCustomAlignment() throws {
        var (_, _, b) = validFile(alignment: 64)
        b.version = 2
        let (data, dataOffset) = b.build()
        let file = try GGUFFile(data: data, name: "v2.gguf")
        XCTAssertEqual(file.version, 2)
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataOffset, dataOffset)
        XCTAssertEqual(dataOffset % 64, 0)
        XCTAssertEqual(file.tensor(named: "w")?.offset, 64)
        XCTAssertEqual(try file.dequantize("norm"), [1, 2, 3])
    }

    func testOpensFromPathAndReportsMissingFile() throws {
        let path = NSTemporaryDirectory() + "ftlab-gguf-\(getpid()).gguf"
        try validFile().data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try GGUFFile(path: path)
        XCTAssertEqual(file.tensors.count, 3)
        XCTAssertEqual(try file.dequantize("norm"), [1, 2, 3])
        XCTAssertThrowsError(try GGUFFile(path: path + ".missing")) {
            XCTAssertEqual("\($0)", "\(path).missing: file: cannot open: No such file or directory")
        }
        XCTAssertThrowsError(try GGUFFile(path: NSTemporaryDirectory())) {
            XCTAssertTrue("\($0)".hasSuffix("file: not a regular file"), "\($0)")
        }
    }

    // MARK: rejections

    /// Asserts that parsing `data` throws a GGUFError whose description is exactly `expected`
    /// (or contains it, when `contains` is set).
    func assertRejects(_ data: Data, _ expected: String, contains: Bool = false, line: UInt = #line) {
        XCTAssertThrowsError(try GGUFFile(data: data, name: "bad.gguf"), line: line) { error in
            guard let e = error as? GGUFError else { return XCTFail("not a GGUFError: \(error)", line: line) }
            if contains {
                XCTAssertTrue(e.description.contains(expected), e.description, line: line)
            } else {
                XCTAssertEqual(e.description, expected, line: line)
            }
            XCTAssertFalse(e.description.contains("\n"), line: line)
        }
    }

    func patched(_ data: Data, at offset: Int, _ bytes: [UInt8]) -> Data {
        var d = data
        d.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        return d
    }

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    func testRejectsBadHeaders() {
        let data = validFile().data
        assertRejects(Data(), "bad.gguf: header: needs 4 bytes at offset 0 but the file ends after 0 more (file is 0 bytes)")
        assertRejects(patched(data, at: 0, Array("GGML".utf8)), "bad.gguf: header: not a GGUF file (magic 'GGML', expected 'GGUF')")
        assertRejects(patched(data, at: 4, le(UInt32(1))), "bad.gguf: header: GGUF version 1 is not supported (only versions 2 and 3; re-convert the model with a current llama.cpp)")
        assertRejects(patched(data, at: 4, le(UInt32(4))), "bad.gguf: header: unknown GGUF version 4 (only versions 2 and 3 are supported)")
        assertRejects(patched(data, at: 4, [0, 0, 0, 3]), "bad.gguf: header: big-endian GGUF is not supported")
        assertRejects(data.prefix(20), "bad.gguf: header metadata count: needs 8 bytes at offset 16 but the file ends after 4 more (file is 20 bytes)")
        assertRejects(patched(data, at: 8, le(UInt64.max)), "tensor count 18446744073709551615 cannot fit", contains: true)
        assertRejects(patched(data, at: 16, le(UInt64(1) << 40)), "bad.gguf: header: metadata count 1099511627776 cannot fit", contains: true)
    }

    func testRejectsBadMetadata() {
        var b = GGUFBuilder(metadata: [("a", .uint8(1)), ("a", .uint8(2))])
        assertRejects(b.build().data, "bad.gguf: metadata 'a': duplicate key")

        b = GGUFBuilder(metadata: [("s", .string("hello"))])
        var d = b.build().data
        // header 24 | key len 8 + "s" | type 4 | string length at 37 | "hello" | zero padding to 64
        XCTAssertEqual(d.count, 64)
        assertRejects(patched(d, at: 37, le(UInt64(1) << 50)), "bad.gguf: metadata 's': string length 1125899906842624 exceeds the 19 bytes left in the file")
        assertRejects(patched(d, at: 33, le(UInt32(13))), "bad.gguf: metadata 's': unknown value type 13")
        assertRejects(patched(d, at: 24, le(UInt64(0))), "bad.gguf: metadata key #0: empty name")
        assertRejects(patched(d, at: 24, le(UInt64(70000))), "bad.gguf: metadata key #0: name length 70000 exceeds 65535 bytes")
        assertRejects(d.prefix(48), "bad.gguf: metadata 's': string length 5 exceeds the 3 bytes left in the file")

        b = GGUFBuilder(metadata: [("arr", .array([.uint32(1), .uint32(2)]))])
        d = b.build().data
        // header 24 | key 8+3 | type 4 | element type at 39 | count at 43 | values 51..<59 | padding
        let unpadded = d.prefix(59)
        assertRejects(patched(unpadded, at: 43, le(UInt64(1) << 61)), "bad.gguf: metadata 'arr': array of 2305843009213693952 uint32 values cannot fit in the 8 bytes left in the file")
        assertRejects(patched(unpadded, at: 39, le(UInt32(99))), "bad.gguf: metadata 'arr': unknown array element type 99")
        assertRejects(patched(unpadded, at: 43, le(UInt64(3))), "bad.gguf: metadata 'arr': array of 3 uint32 values cannot fit in the 8 bytes left in the file")
        assertRejects(unpadded.prefix(57), "bad.gguf: metadata 'arr': array of 2 uint32 values cannot fit in the 6 bytes left in the file")

        b = GGUFBuilder(metadata: [("toks", .array([.string("ab"), .string("cd")]))])
        // header 24 | key 8+4 | type 4 | element type 4 | count 8 | (8+2) | (8+2) = 72
        assertRejects(b.build().data.prefix(71), "bad.gguf: metadata 'toks'[1]: string length 2 exceeds the 1 bytes left in the file")

        // Nine levels of nesting: one more than the limit.
        var deep = GGUFValue.uint8(0)
        for _ in 0..<9 { deep = .array([deep]) }
        b = GGUFBuilder(metadata: [("deep", deep)])
        assertRejects(b.build().data, "bad.gguf: metadata 'deep'[0][0][0][0][0][0][0][0]: arrays nested deeper than 8")
    }

    func testRejectsBadAlignment() {
        for bad: GGUFValue in [.uint32(0), .uint32(48), .uint32(1 << 21), .string("32"), .float32(32), .bool(true)] {
            var b = GGUFBuilder(metadata: [("general.alignment", bad)])
            assertRejects(b.build().data, "bad.gguf: metadata 'general.alignment': must be a power of two between 1 and 1048576, got '\(bad)'")
        }
        var b = GGUFBuilder(metadata: [("general.alignment", .uint64(16))])
        XCTAssertEqual(try GGUFFile(data: b.build().data, name: "a.gguf").alignment, 16)
    }

    /// A one-tensor file and the offsets of its tensor-info fields.
    func oneTensor(shape: [Int] = [32, 4], type: GGMLType = .q8_0) -> (data: Data, fields: [GGUFBuilder.Field]) {
        let bytes = shape.reduce(1, *) / type.blockSize * type.bytesPerBlock
        var b = GGUFBuilder(tensors: [.init(name: "t", shape: shape, type: type, data: [UInt8](repeating: 1, count: bytes))])
        let data = b.build().data
        return (data, b.fields)
    }

    func testRejectsBadTensorInfos() {
        let (data, fields) = oneTensor()
        let dims = fields.first { $0.kind == .dims }!.offset
        let dim0 = fields.first { $0.kind == .dim }!.offset
        let type = fields.last { $0.kind == .typeID }!.offset
        let offset = fields.first { $0.kind == .offset }!.offset
        assertRejects(patched(data, at: dims, le(UInt32(5))), "bad.gguf: tensor 't': n_dims 5 is not between 1 and 4")
        assertRejects(patched(data, at: dims, le(UInt32(0))), "bad.gguf: tensor 't': n_dims 0 is not between 1 and 4")
        assertRejects(patched(data, at: type, le(UInt32(4))), "bad.gguf: tensor 't': unknown ggml type 4")
        assertRejects(patched(data, at: type, le(UInt32(1000))), "bad.gguf: tensor 't': unknown ggml type 1000")
        assertRejects(patched(data, at: dim0, le(UInt64(33))), "bad.gguf: tensor 't': row length 33 is not a multiple of the Q8_0 block size 32")
        assertRejects(patched(data, at: dim0, le(UInt64.max)), "bad.gguf: tensor 't': dimension 0 (18446744073709551615) is too large")
        assertRejects(patched(data, at: dim0 + 8, le(UInt64(1) << 62)), "bad.gguf: tensor 't': element count overflows (shape [32, 4611686018427387904])")
        assertRejects(patched(data, at: offset, le(UInt64(7))), "bad.gguf: tensor 't': data offset 7 is not a multiple of the alignment 32")
        assertRejects(patched(data, at: offset, le(UInt64(1) << 63)), "bad.gguf: tensor 't': data offset 9223372036854775808 is too large")
        assertRejects(patched(data, at: offset, le(UInt64(Int64.max) - 31)), "bad.gguf: tensor 't': data offset 9223372036854775776 + 136 bytes overflows")
        assertRejects(data.dropLast(1), "bad.gguf: tensor 't': data offset 96 + 136 bytes past end of file (231 bytes)")
        assertRejects(patched(data, at: offset, le(UInt64(32))), "bad.gguf: tensor 't': data offset 128 + 136 bytes past end of file (232 bytes)")
        assertRejects(data.prefix(offset + 4), "bad.gguf: tensor 't': needs 8 bytes at offset \(offset) but the file ends after 4 more (file is \(offset + 4) bytes)")
    }

    func testRejectsDuplicateAndOverlappingTensors() {
        let q = [UInt8](repeating: 0, count: 34)
        var b = GGUFBuilder(tensors: [.init(name: "a", shape: [32], type: .q8_0, data: q), .init(name: "a", shape: [32], type: .q8_0, data: q)])
        assertRejects(b.build().data, "bad.gguf: tensor 'a': duplicate tensor name")

        b = GGUFBuilder(tensors: [.init(name: "a", shape: [32], type: .q8_0, data: q), .init(name: "b", shape: [32], type: .q8_0, data: q)])
        let data = b.build().data
        let secondOffset = b.fields.filter { $0.kind == .offset }[1].offset
        assertRejects(patched(data, at: secondOffset, le(UInt64(0))), "bad.gguf: tensor 'b': data (bytes 0..<34 of the data section) overlaps tensor 'a' (bytes 0..<34)")
    }

    func testHostileNamesAreEscapedAndClippedInMessages() {
        let long = String(repeating: "x", count: 200)
        var b = GGUFBuilder(metadata: [("evil\nkey\u{1}'", .uint8(1)), ("evil\nkey\u{1}'", .uint8(1))])
        assertRejects(b.build().data, "bad.gguf: metadata 'evil\\nkey\\u{1}\\'': duplicate key")
        b = GGUFBuilder(metadata: [(long, .uint8(1)), (long, .uint8(1))])
        assertRejects(b.build().data, "bad.gguf: metadata '\(String(repeating: "x", count: 80))…(200 bytes)': duplicate key")
    }

    func testZeroSizedTensorIsEmpty() throws {
        var b = GGUFBuilder(tensors: [.init(name: "z", shape: [0, 5], type: .f32, data: [])])
        let file = try GGUFFile(data: b.build().data, name: "z.gguf")
        XCTAssertEqual(try file.dequantize("z"), [])
    }

    func testDequantizeArgumentChecks() throws {
        let file = try GGUFFile(data: oneTensor().data, name: "one.gguf")
        let other = try GGUFFile(data: oneTensor(shape: [32, 2]).data, name: "other.gguf")
        let info = file.tensor(named: "t")!
        var buffer = [Float](repeating: 0, count: 128)
        try buffer.withUnsafeMutableBufferPointer { out in
            XCTAssertThrowsError(try file.dequantize(other.tensor(named: "t")!, into: out)) {
                XCTAssertEqual("\($0)", "one.gguf: tensor 't': tensor info does not belong to this file")
            }
            XCTAssertThrowsError(try file.dequantize(info, into: UnsafeMutableBufferPointer(rebasing: out[0..<100]))) {
                XCTAssertEqual("\($0)", "one.gguf: tensor 't': output buffer holds 100 floats, expected 128")
            }
            XCTAssertThrowsError(try file.dequantize(info, rows: 3..<5, into: UnsafeMutableBufferPointer(rebasing: out[0..<64]))) {
                XCTAssertEqual("\($0)", "one.gguf: tensor 't': rows 3..<5 out of range 0..<4")
            }
            XCTAssertNoThrow(try file.dequantize(info, into: out))
        }
        XCTAssertThrowsError(try file.dequantize("nope")) {
            XCTAssertEqual("\($0)", "one.gguf: tensor 'nope': no such tensor")
            XCTAssertEqual(($0 as? LocalizedError)?.errorDescription, "one.gguf: tensor 'nope': no such tensor")
        }
        XCTAssertEqual(try file.withRawBytes(of: info) { $0.count }, 136)
    }
}
