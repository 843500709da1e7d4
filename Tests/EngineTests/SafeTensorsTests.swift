import Foundation
import XCTest
@testable import Engine

final class SafeTensorsTests: XCTestCase {
    /// A safetensors image from a hand-written header and raw data (the test's own encoder).
    static func image(_ header: String, _ data: [UInt8]) -> Data {
        let h = Array(header.utf8)
        return Data(withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data)
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }

    func testWriterRoundTrip() throws {
        var w = SafeTensorsWriter(metadata: ["format": "pt", "note": "quote \" slash \\ newline \n ✓"])
        try w.add("b.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        try w.add("a.bias", shape: [3], values: [-0.5, .infinity, 1e-30])
        try w.add("scalar", shape: [], values: [42])
        try w.add("empty", shape: [0, 4], values: [])
        let data = w.serialized()
        let file = try SafeTensorsFile(data: data, name: "rt.safetensors")
        XCTAssertEqual(file.metadata, w.metadata)
        XCTAssertEqual(file.dataOffset % 8, 0)
        XCTAssertEqual(file.tensors.map(\.name), ["a.bias", "b.weight", "empty", "scalar"])  // name order = data order
        XCTAssertEqual(try file.floats("b.weight"), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try file.floats("a.bias"), [-0.5, .infinity, 1e-30])
        XCTAssertEqual(try file.floats("scalar"), [42])
        XCTAssertEqual(try file.floats("empty"), [])
        let info = try XCTUnwrap(file.tensor(named: "b.weight"))
        XCTAssertEqual(info.shape, [2, 3]); XCTAssertEqual(info.dtype, .f32)
        XCTAssertEqual(info.offset, 12); XCTAssertEqual(info.byteCount, 24)
    }

    func testWriterOutputIsDeterministicAndExact() throws {
        var a = SafeTensorsWriter(metadata: ["z": "1", "a": "2"])
        try a.add("y", shape: [1], values: [1])
        try a.add("x", shape: [2], values: [2, 3])
        var b = SafeTensorsWriter()
        try b.add("x", shape: [2], values: [2, 3])
        try b.add("y", shape: [1], values: [1])
        b.metadata = ["a": "2", "z": "1"]
        XCTAssertEqual(a.serialized(), b.serialized())

        let data = a.serialized()
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        XCTAssertEqual(n % 8, 0)
        let json = String(decoding: data.dropFirst(8).prefix(n), as: UTF8.self)
        let expected = #"{"__metadata__":{"a":"2","z":"1"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        XCTAssertEqual(json.trimmingCharacters(in: .whitespaces), expected)
        XCTAssertEqual(json.count - expected.count, (8 - expected.utf8.count % 8) % 8)  // space padding only
        XCTAssertEqual(data.count, 8 + n + 12)
    }

    func testWriteToPathAndReadBack() throws {
        let path = NSTemporaryDirectory() + "ftlab-st-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var w = SafeTensorsWriter(metadata: ["format": "pt"])
        let big = (0..<100_000).map { Float($0) * 0.5 }
        try w.add("w", shape: [1000, 100], values: big)
        try w.write(to: path)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(try file.floats("w"), big)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertThrowsError(try SafeTensorsFile(path: path + ".missing")) {
            XCTAssertEqual("\($0)", "\(path).missing: file: cannot open: No such file or directory")
        }
    }

    func testWriterRejectsBadInput() {
        var w = SafeTensorsWriter()
        XCTAssertThrowsError(try w.add("t", shape: [2, 2], values: [1, 2, 3])) {
            XCTAssertEqual("\($0)", "safetensors writer: tensor 't': shape [2, 2] has 4 elements but 3 values were given")
        }
        XCTAssertThrowsError(try w.add("__metadata__", shape: [1], values: [1]))
        XCTAssertThrowsError(try w.add("n", shape: [-1], values: []))
        XCTAssertNoThrow(try w.add("t", shape: [1], values: [1]))
        XCTAssertThrowsError(try w.add("t", shape: [1], values: [1])) {
            XCTAssertEqual("\($0)", "safetensors writer: tensor 't': duplicate tensor name")
        }
    }

    /// A file written by hand: F16, BF16 and F32 tensors, an escaped name, whitespace, I64.
    func testReadsHandWrittenFileWithHalfTypes() throws {
        let header = #"{ "h\u00e9" : {"dtype":"F16","shape":[2],"data_offsets":[0,4]}, "b":{"dtype":"BF16","shape":[1,2],"data_offsets":[4,8], "extra": 1},"#
            + #""f":{"data_offsets":[8,12],"shape":[1],"dtype":"F32"}, "i":{"dtype":"I64","shape":[1],"data_offsets":[12,20]}, "__metadata__":{"k":"v"}}   "#
        let data = Self.le16(0x3C00) + Self.le16(0xC500)   // 1, -5
            + Self.le16(0x4049) + Self.le16(0xBF80)           // bf16 3.140625, -1
            + TestBytes.float(0.25) + [UInt8](repeating: 7, count: 8)
        let file = try SafeTensorsFile(data: Self.image(header, data), name: "hand.safetensors")
        XCTAssertEqual(file.metadata, ["k": "v"])
        XCTAssertEqual(try file.floats("hé"), [1, -5])
        XCTAssertEqual(try file.floats("b"), [3.140625, -1])
        XCTAssertEqual(try file.floats("f"), [0.25])
        XCTAssertEqual(file.tensor(named: "i")?.dtype, .i64)
        XCTAssertThrowsError(try file.floats("i")) {
            XCTAssertEqual("\($0)", "hand.safetensors: tensor 'i': converting dtype I64 to floats is not supported")
        }
        XCTAssertEqual(try file.withRawBytes(of: file.tensor(named: "i")!) { Array($0) }, [UInt8](repeating: 7, count: 8))
    }

    func assertRejects(_ header: String, data: [UInt8] = [], _ expected: String, line: UInt = #line) {
        assertRejectsImage(Self.image(header, data), expected, line: line)
    }

    func assertRejectsImage(_ image: Data, _ expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(data: image, name: "bad.st"), line: line) { error in
            guard let e = error as? SafeTensorsError else { return XCTFail("not a SafeTensorsError: \(error)", line: line) }
            XCTAssertEqual(e.description, expected, line: line)
        }
    }

    func testRejectsBadHeaders() {
        assertRejectsImage(Data([1, 2, 3]), "bad.st: header: file is 3 bytes, too short for the 8-byte header length")
        assertRejectsImage(Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "bad.st: header: header length 18446744073709551615 exceeds the 100000000-byte limit")
        assertRejectsImage(Data([100, 0, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8), "bad.st: header: header length 100 exceeds the 2 bytes after the length field")
        assertRejects("[]", "bad.st: header: JSON header does not start with '{'")
        assertRejects("{\"a\":", "bad.st: header: invalid JSON at header byte 5: unexpected end of JSON")
        assertRejects("{\"a\":{}} x", "bad.st: header: invalid JSON at header byte 9: unexpected data after the JSON value")
        assertRejects(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{}}"#, "bad.st: header: invalid JSON at header byte 54: duplicate key 'a'")
        assertRejects("{\"a\":\"\u{1}\"}", "bad.st: header: invalid JSON at header byte 6: control character in string")
        assertRejects(String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40), "bad.st: header: invalid JSON at header byte 160: nested deeper than 32")
        assertRejects(#"{"__metadata__":{"k":1}}"#, "bad.st: __metadata__ 'k': value is not a string")
        assertRejects(#"{"__metadata__":[]}"#, "bad.st: __metadata__: is not an object")
    }

    func testRejectsBadTensorEntries() {
        let four = [UInt8](repeating: 0, count: 4)
        assertRejects(#"{"t":[]}"#, "bad.st: tensor 't': entry is not an object")
        assertRejects(#"{"t":{"shape":[1],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': missing 'dtype'")
        assertRejects(#"{"t":{"dtype":"F32","data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': missing 'shape'")
        assertRejects(#"{"t":{"dtype":"F32","shape":[1]}}"#, data: four, "bad.st: tensor 't': missing 'data_offsets'")
        assertRejects(#"{"t":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': unknown dtype 'F33'")
        assertRejects(#"{"t":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': 'dtype' has the wrong JSON type")
        assertRejects(#"{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': shape entries must be non-negative integers")
        assertRejects(#"{"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': shape entries must be non-negative integers")
        assertRejects(#"{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': element count of shape [4294967296, 4294967296] overflows")
        assertRejects(#"{"t":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': shape entries must be non-negative integers")
        assertRejects(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: four, "bad.st: tensor 't': data_offsets must be two integers [begin, end] with 0 ≤ begin ≤ end")
        assertRejects(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, data: four, "bad.st: tensor 't': data_offsets must be two integers [begin, end] with 0 ≤ begin ≤ end")
        assertRejects(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': data_offsets [0, 4] hold 4 bytes but shape [2] of F32 needs 8")
        assertRejects(#"{"t":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4]}}"#, data: four, "bad.st: tensor 't': data_offsets [0, 4] hold 4 bytes but shape [2305843009213693952] of F64 needs more than Int.max")
        assertRejects(#"{"t":{"dtype":"U8","shape":[4611686018427387904],"data_offsets":[4611686018427387904,9223372036854775807]}}"#, data: four, "bad.st: tensor 't': data_offsets [4611686018427387904, 9223372036854775807] hold 4611686018427387903 bytes but shape [4611686018427387904] of U8 needs 4611686018427387904")
        assertRejects(#"{"t":{"dtype":"U8","shape":[4611686018427387904],"data_offsets":[0,4611686018427387904]}}"#, data: four, "bad.st: tensor 't': data_offsets [0, 4611686018427387904] are too large")
    }

    func testRejectsBadDataLayout() {
        let eight = [UInt8](repeating: 0, count: 8)
        assertRejects(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: eight, "bad.st: data: tensors cover 4 bytes but the data section has 8")
        assertRejects(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0], "bad.st: tensor 't': data_offsets [0, 8] past the end of the 4-byte data section")
        assertRejects(#"{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight, "bad.st: tensor 't': data_offsets [4, 8] leave a gap after byte 0")
        assertRejects(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight,
                      "bad.st: tensor 'b': data_offsets [4, 8] overlap the previous tensor, which ends at 8")
    }

    func testJSONReader() throws {
        func parse(_ s: String) throws -> SafeTensorsJSON.Value {
            try Array(s.utf8).withUnsafeBytes { try SafeTensorsJSON.parse($0) }
        }
        XCTAssertEqual(try parse(#" {"a" : [1, -2, 3.5, 1e3, true, false, null, "x"]} "#),
                       .object([("a", .array([.integer(1), .integer(-2), .number(3.5), .number(1000), .bool(true), .bool(false), .null, .string("x")]))]))
        XCTAssertEqual(try parse(#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#), .string("\"\\/\u{8}\u{c}\n\r\té😀"))
        XCTAssertEqual(try parse("9223372036854775807"), .integer(Int.max))
        XCTAssertEqual(try parse("9223372036854775808"), .number(9223372036854775808))
        for bad in ["01", "-", "1.", "1e", "[1,]", "{\"a\" 1}", "\"\\ud800x\"", "\"\\q\"", "tru", "\"abc", "{,}", "[", ""] {
            XCTAssertThrowsError(try parse(bad), bad)
        }
        XCTAssertThrowsError(try [UInt8(ascii: "\""), 0xC3, UInt8(ascii: "\"")].withUnsafeBytes { try SafeTensorsJSON.parse($0) })
    }
}
