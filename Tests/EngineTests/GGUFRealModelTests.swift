import Foundation
import XCTest
@testable import Engine

/// Opens the three study models (skipped when absent; see `TestModels`).
final class GGUFRealModelTests: XCTestCase {
    struct Expected {
        let key: String, architecture: String, metadataCount: Int, tensorCount: Int
        let types: Set<GGMLType>
    }

    static let models = [
        Expected(key: "smollm2-135m-instruct", architecture: "llama", metadataCount: 33, tensorCount: 272,
                 types: [.f32, .q8_0, .q4_1]),
        Expected(key: "gemma3-270m", architecture: "gemma3", metadataCount: 33, tensorCount: 236,
                 types: [.f32, .q8_0, .q5_0, .q4_K, .q6_K]),
        Expected(key: "qwen2.5-coder-0.5b-instruct", architecture: "qwen2", metadataCount: 26, tensorCount: 291,
                 types: [.f32, .q8_0, .q5_0, .q4_K, .q6_K]),
    ]

    func testHeaderMetadataAndTensorTable() throws {
        for m in Self.models {
            let path = try TestModels.require(m.key)
            let file = try GGUFFile(path: path)
            XCTAssertEqual(file.version, 3, m.key)
            XCTAssertEqual(file.architecture, m.architecture, m.key)
            XCTAssertEqual(file.metadata.count, m.metadataCount, m.key)
            XCTAssertEqual(file.metadataKeys.count, m.metadataCount, m.key)
            XCTAssertEqual(file.tensors.count, m.tensorCount, m.key)
            XCTAssertEqual(Set(file.tensors.map(\.type)), m.types, m.key)
            XCTAssertEqual(file.alignment, 32, m.key)
            // Data section ends exactly at the end of the last tensor, up to alignment padding.
            let end = file.tensors.map { file.dataOffset + $0.offset + $0.byteCount }.max()!
            XCTAssertLessThanOrEqual(file.fileSize - end, 32, m.key)
            let vocabulary = file.metadata["tokenizer.ggml.tokens"]?.stringArray
            XCTAssertEqual(vocabulary?.isEmpty, false, m.key)
            let blockCount = file.metadata["\(m.architecture).block_count"]?.int
            XCTAssertNotNil(blockCount, m.key)
            XCTAssertNotNil(file.tensor(named: "blk.\(blockCount! - 1).attn_q.weight"), m.key)
        }
    }

    func testArchitectureSpecificShapes() throws {
        let smol = try GGUFFile(path: TestModels.require("smollm2-135m-instruct"))
        XCTAssertEqual(smol.tensor(named: "token_embd.weight")?.shape, [576, 49152])
        XCTAssertEqual(smol.metadata["tokenizer.ggml.tokens"]?.array?.count, 49152)
        let qwen = try GGUFFile(path: TestModels.require("qwen2.5-coder-0.5b-instruct"))
        XCTAssertEqual(qwen.tensor(named: "output.weight")?.type, .q8_0)
        XCTAssertEqual(qwen.tensor(named: "token_embd.weight")?.type, .q5_0)
        XCTAssertEqual(qwen.metadata["qwen2.rope.freq_base"]?.double, 1_000_000)
        let gemma = try GGUFFile(path: TestModels.require("gemma3-270m"))
        XCTAssertEqual(gemma.tensor(named: "token_embd.weight")?.shape, [640, 262144])
        XCTAssertEqual(gemma.metadata["tokenizer.ggml.scores"]?.floatArray?.count, 262144)
        XCTAssertEqual(gemma.metadata["gemma3.embedding_length"]?.int, 640)
    }

    /// An F32 tensor equals the floats read directly from the file with ordinary file I/O.
    func testF32TensorMatchesDirectRead() throws {
        for m in Self.models {
            let path = try TestModels.require(m.key)
            let file = try GGUFFile(path: path)
            let info = try XCTUnwrap(file.tensor(named: "output_norm.weight"))
            XCTAssertEqual(info.type, .f32)
            let start = file.dataOffset + info.offset
            let raw = try TestModels.readBytes(path, start..<(start + info.byteCount))
            let direct = (0..<info.elementCount).map { ReferenceDequantizer.value(.f32, raw, $0) }
            let values = try file.dequantize("output_norm.weight")
            XCTAssertEqual(values, direct, m.key)
            XCTAssertEqual(values.reduce(0, +), direct.reduce(0, +), m.key)
        }
    }

    /// Rows of quantized tensors agree exactly with the slow per-element reference, reading the
    /// bytes with ordinary file I/O, and their sums agree with gguf-py 0.19.0's numpy
    /// dequantizer (`gguf.quants.dequantize`, summed in float64), recorded here.
    func testQuantizedRowsMatchReferences() throws {
        // (model, tensor, row, sum, sum of |x|) from gguf-py.
        let recorded: [(String, String, Int, Double, Double)] = [
            ("smollm2-135m-instruct", "token_embd.weight", 24576, -1.01197052, 42.4359417),
            ("smollm2-135m-instruct", "blk.0.attn_q.weight", 575, -4.73495483, 83.3226624),
            ("smollm2-135m-instruct", "blk.29.ffn_down.weight", 288, 9.86801147, 219.036713),
            ("gemma3-270m", "token_embd.weight", 262143, -0.0373158455, 17.5767741),
            ("gemma3-270m", "blk.0.attn_k.weight", 128, 0.786956787, 14.3739929),
            ("gemma3-270m", "blk.0.attn_output.weight", 639, 0.589304686, 20.2576575),
            ("gemma3-270m", "blk.0.ffn_down.weight", 320, 0.903520703, 30.7033592),
            ("qwen2.5-coder-0.5b-instruct", "output.weight", 151935, -0.174682796, 7.29489869),
            ("qwen2.5-coder-0.5b-instruct", "token_embd.weight", 75968, -1.09577942, 13.6217499),
            ("qwen2.5-coder-0.5b-instruct", "blk.0.ffn_down.weight", 0, -1.40570152, 59.2961488),
            ("qwen2.5-coder-0.5b-instruct", "blk.23.ffn_up.weight", 4863, -0.134685516, 11.7344837),
        ]
        var files: [String: GGUFFile] = [:]
        for (key, name, row, sum, absSum) in recorded {
            let path = try TestModels.require(key)
            let file = try files[key] ?? GGUFFile(path: path)
            files[key] = file
            let info = try XCTUnwrap(file.tensor(named: name), "\(key) \(name)")
            var got = [Float](repeating: .nan, count: info.rowLength)
            try got.withUnsafeMutableBufferPointer { try file.dequantize(info, rows: row..<(row + 1), into: $0) }

            let start = file.dataOffset + info.offset + row * info.rowByteCount
            let raw = try TestModels.readBytes(path, start..<(start + info.rowByteCount))
            let reference = (0..<info.rowLength).map { ReferenceDequantizer.value(info.type, raw, $0) }
            XCTAssertEqual(got, reference, "\(key) \(name) row \(row)")

            let s = got.reduce(0.0) { $0 + Double($1) }, a = got.reduce(0.0) { $0 + abs(Double($1)) }
            XCTAssertEqual(s, sum, accuracy: 1e-7 * absSum + 1e-8, "\(key) \(name) row \(row) sum")
            XCTAssertEqual(a, absSum, accuracy: 1e-7 * absSum, "\(key) \(name) row \(row) |sum|")

            // The same row inside a 256-row window, which goes through the multi-threaded path.
            let first = max(0, row - 255)
            var window = [Float](repeating: .nan, count: (row + 1 - first) * info.rowLength)
            try window.withUnsafeMutableBufferPointer { try file.dequantize(info, rows: first..<(row + 1), into: $0) }
            XCTAssertEqual(Array(window.suffix(info.rowLength)), got)
        }
    }

    /// Every tensor of every model dequantizes to finite values; prints the time per model.
    /// (A debug build checks the first 64 rows of each tensor to keep the suite fast; build with
    /// `-c release` for the full pass and the timings.)
    func testEveryTensorDequantizesToFiniteValues() throws {
        for m in Self.models {
            let file = try GGUFFile(path: TestModels.require(m.key))
            let capacity = file.tensors.map(\.elementCount).max()!
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity)
            defer { buffer.deallocate() }
            var total = 0
            let clock = ContinuousClock()
            var checkedTime = Duration.zero
            for info in file.tensors {
                var rows = info.rowCount
                #if DEBUG
                rows = min(rows, 64)
                #endif
                let n = rows * info.rowLength
                let out = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
                let t0 = clock.now
                try file.dequantize(info, rows: 0..<rows, into: out)
                checkedTime += clock.now - t0
                var allFinite = true
                for v in out where !v.isFinite { allFinite = false; break }
                XCTAssertTrue(allFinite, "\(m.key) \(info.name) has non-finite values")
                total += n
            }
            let seconds = Double(checkedTime.components.attoseconds) / 1e18 + Double(checkedTime.components.seconds)
            print("dequantized \(m.key): \(total) floats in \(String(format: "%.3f", seconds)) s (\(String(format: "%.0f", Double(total) / seconds / 1e6)) M floats/s)")
        }
    }
}
