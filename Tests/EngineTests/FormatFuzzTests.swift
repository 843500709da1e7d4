import Foundation
import XCTest
@testable import Engine

/// Seeded mutation fuzzing of the GGUF and safetensors readers: a small valid file, then many
/// mutated copies. Each must either parse (and then every tensor must dequantize or throw) or be
/// rejected with a thrown, one-line, non-empty error — never a trap, hang or huge allocation.
/// A trap shows up as a crashed test process; set FTLAB_FUZZ_TRACE=1 to print each case's
/// index first, then replay that index (the sequence is fixed by the seed).
final class FormatFuzzTests: XCTestCase {
    static let trace = ProcessInfo.processInfo.environment["FTLAB_FUZZ_TRACE"] != nil
    /// Mutated files per format (each takes ~0.1 ms in a debug build).
    static let casesPerFormat = 30_000

    struct Tally: CustomStringConvertible {
        var cases = 0, parsed = 0, rejected = 0, tensorsConverted = 0, tensorsRefused = 0
        var problems = Set<String>()
        var description: String {
            "\(cases) cases: \(parsed) parsed, \(rejected) rejected (\(problems.count) distinct messages); tensors: \(tensorsConverted) converted, \(tensorsRefused) refused"
        }
    }

    /// A rejection must be the reader's own error type with a usable one-line description.
    func check(_ error: Error, as type: Error.Type, case index: Int, tally: inout Tally) {
        let text = "\(error)"
        XCTAssertTrue(Swift.type(of: error) == type, "case \(index): unexpected error type \(Swift.type(of: error)): \(text)")
        XCTAssertFalse(text.isEmpty, "case \(index)")
        XCTAssertFalse(text.contains("\n"), "case \(index): \(text)")
        // Group messages by their text without numbers, to report variety.
        tally.problems.insert(String(text.unicodeScalars.filter { !CharacterSet.decimalDigits.contains($0) }.map(Character.init)))
    }

    // MARK: GGUF

    static func ggufSeed() -> (bytes: [UInt8], fields: [GGUFBuilder.Field]) {
        var rng = SplitMix64(seed: 1)
        let types: [(GGMLType, [Int])] = [
            (.f32, [4, 2]), (.f16, [8]), (.bf16, [4, 1, 1]), (.q8_0, [32, 2]), (.q4_0, [32]), (.q4_1, [32]),
            (.q5_0, [32]), (.q5_1, [32]), (.q4_K, [256]), (.q5_K, [256]), (.q6_K, [256, 1]), (.iq4_NL, [32]),
        ]
        let tensors = types.enumerated().map { i, entry in
            GGUFBuilder.Tensor(name: "t\(i).\(entry.0)", shape: entry.1, type: entry.0,
                               data: TestBytes.randomBlocks(entry.0, blocks: entry.1.reduce(1, *) / entry.0.blockSize, rng: &rng))
        }
        var b = GGUFBuilder(metadata: [
            ("general.architecture", .string("llama")), ("llama.block_count", .uint32(2)),
            ("f", .float32(0.5)), ("d", .float64(1e300)), ("b", .bool(false)), ("i", .int64(-7)),
            ("tokens", .array([.string("<s>"), .string("a"), .string("bc")])),
            ("scores", .array([.float32(0), .float32(-1), .float32(2)])),
            ("nested", .array([.array([.uint16(1)]), .array([.int8(-1), .int8(2)])])),
        ], tensors: tensors)
        b.alignment = 16
        let data = b.build().data
        return ([UInt8](data), b.fields)
    }

    func parseAndDequantizeGGUF(_ bytes: [UInt8], case index: Int, tally: inout Tally) {
        tally.cases += 1
        let file: GGUFFile
        do {
            file = try GGUFFile(data: Data(bytes), name: "fuzz.gguf")
        } catch {
            tally.rejected += 1
            check(error, as: GGUFError.self, case: index, tally: &tally)
            return
        }
        tally.parsed += 1
        for info in file.tensors {
            do {
                let values = try file.dequantize(info.name)
                XCTAssertEqual(values.count, info.elementCount, "case \(index)")
                tally.tensorsConverted += 1
            } catch {
                XCTAssertFalse(info.type.isDequantizable, "case \(index): \(error)")
                tally.tensorsRefused += 1
                check(error, as: GGUFError.self, case: index, tally: &tally)
            }
        }
    }

    func testGGUFMutations() throws {
        let (seed, fields) = Self.ggufSeed()
        var tally = Tally()
        parseAndDequantizeGGUF(seed, case: -1, tally: &tally)
        XCTAssertEqual(tally.parsed, 1, "the seed file must be valid")

        var mutator = ByteMutator(rng: SplitMix64(seed: 0x6767_7566))
        let clock = ContinuousClock(), start = clock.now
        for index in 0..<Self.casesPerFormat {
            var bytes = seed
            for _ in 0..<(1 + mutator.rng.next(below: 3)) {
                // Half the mutations aim at a recorded field; the rest are anywhere.
                if mutator.rng.next(below: 2) == 0, let f = fields.randomElement(using: &mutator.rng) {
                    mutator.overwriteField(&bytes, offset: f.offset, size: f.size)
                } else {
                    mutator.mutateGeneric(&bytes)
                }
            }
            if Self.trace { print("gguf fuzz case \(index)") }
            parseAndDequantizeGGUF(bytes, case: index, tally: &tally)
        }
        print("GGUF fuzz: \(tally) in \(clock.now - start)")
        // The mutations must reach past the header, and must break most files.
        XCTAssertGreaterThan(tally.parsed, 1_000)
        XCTAssertGreaterThan(tally.rejected, Self.casesPerFormat / 2)
        XCTAssertGreaterThan(tally.problems.count, 30)
    }

    // MARK: safetensors

    static func safeTensorsSeed() -> [UInt8] {
        let header = #"{"__metadata__":{"format":"pt","k":"v\u00e9"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"#
            + #""b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},"c":{"dtype":"BF16","shape":[1,1,1],"data_offsets":[22,24]},"#
            + #""d":{"dtype":"I64","shape":[1],"data_offsets":[24,32]},"e":{"dtype":"F32","shape":[0],"data_offsets":[32,32]}}   "#
        var rng = SplitMix64(seed: 2)
        let data = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) & 0x3F }  // finite halves/floats
        let h = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data
    }

    /// Replaces one number or string token inside the JSON header with a troublesome one,
    /// optionally fixing up the 8-byte length so the rest of the file still lines up.
    static func mutateJSONToken(_ bytes: inout [UInt8], _ m: inout ByteMutator) {
        guard bytes.count > 8 else { return }
        let n = Int(min(UInt64(bytes.count - 8), bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.1) << (8 * UInt64($1.0)) }))
        let json = Array(bytes[8..<(8 + n)])
        // Token starts: digits/minus (numbers) or quotes (strings).
        let starts = json.indices.filter { i in
            let c = json[i], prev = i > 0 ? json[i - 1] : 0
            let isDigitStart = (c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)) && !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(prev)
            return isDigitStart || c == UInt8(ascii: "\"")
        }
        guard let start = starts.randomElement(using: &m.rng) else { return }
        var end = start + 1
        if json[start] == UInt8(ascii: "\"") {
            while end < json.count, json[end] != UInt8(ascii: "\"") { end += 1 }
            end = min(end + 1, json.count)
        } else {
            while end < json.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(json[end]) { end += 1 }
        }
        let replacement = m.pick([
            "0", "1", "-1", "3", "8", "16", "32", "33", "4294967296", "9223372036854775807", "9223372036854775808",
            "18446744073709551616", "99999999999999999999999", "1.5", "1e3", "-0", "00", "\"F32\"", "\"F16\"", "\"BF16\"",
            "\"I64\"", "\"F64\"", "\"U8\"", "\"X\"", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "[]", "{}", "[0,0]", "[1,0]",
            "[32,32]", "null", "true", "\"__metadata__\"", "\"a\"", "\"shape\"", "\"dtype\"", "\"data_offsets\"",
        ])
        var newJSON = json
        newJSON.replaceSubrange(start..<end, with: Array(replacement.utf8))
        var out = bytes
        out.replaceSubrange(8..<(8 + n), with: newJSON)
        if m.rng.next(below: 4) != 0 {  // keep the length consistent most of the time
            let newN = UInt64(newJSON.count)
            for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: newN >> (8 * UInt64(i))) }
        }
        bytes = out
    }

    func parseAndConvertSafeTensors(_ bytes: [UInt8], case index: Int, tally: inout Tally) {
        tally.cases += 1
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(data: Data(bytes), name: "fuzz.safetensors")
        } catch {
            tally.rejected += 1
            check(error, as: SafeTensorsError.self, case: index, tally: &tally)
            return
        }
        tally.parsed += 1
        for info in file.tensors {
            do {
                let values = try file.floats(info.name)
                XCTAssertEqual(values.count, info.elementCount, "case \(index)")
                tally.tensorsConverted += 1
            } catch {
                XCTAssertFalse(info.dtype.isFloatReadable, "case \(index): \(error)")
                tally.tensorsRefused += 1
                check(error, as: SafeTensorsError.self, case: index, tally: &tally)
            }
        }
    }

    func testSafeTensorsMutations() throws {
        let seed = Self.safeTensorsSeed()
        var tally = Tally()
        parseAndConvertSafeTensors(seed, case: -1, tally: &tally)
        XCTAssertEqual(tally.parsed, 1, "the seed file must be valid")

        var mutator = ByteMutator(rng: SplitMix64(seed: 0x7361_6665))
        let clock = ContinuousClock(), start = clock.now
        for index in 0..<Self.casesPerFormat {
            var bytes = seed
            // Mostly a single mutation: this format is strict (tensors must tile the data
            // exactly), so stacked mutations rarely leave a file that gets past the header.
            for _ in 0..<(mutator.rng.next(below: 4) == 0 ? 2 + mutator.rng.next(below: 2) : 1) {
                switch mutator.rng.next(below: 5) {
                case 0, 1: Self.mutateJSONToken(&bytes, &mutator)
                case 2: mutator.overwriteField(&bytes, offset: 0, size: 8)  // the header length
                case 3 where bytes.count >= 32:  // last 32 bytes = the seed's tensor data: values change
                    let at = bytes.count - 32 + mutator.rng.next(below: 32)
                    bytes[at] = UInt8(truncatingIfNeeded: mutator.rng.next())
                default: mutator.mutateGeneric(&bytes)
                }
            }
            if Self.trace { print("safetensors fuzz case \(index)") }
            parseAndConvertSafeTensors(bytes, case: index, tally: &tally)
        }
        print("safetensors fuzz: \(tally) in \(clock.now - start)")
        XCTAssertGreaterThan(tally.parsed, 500)
        XCTAssertGreaterThan(tally.rejected, Self.casesPerFormat / 2)
        XCTAssertGreaterThan(tally.problems.count, 30)
    }
}
