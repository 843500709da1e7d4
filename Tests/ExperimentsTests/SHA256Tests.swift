import Foundation
import XCTest
@testable import Experiments

final class SHA256Tests: XCTestCase {
    func testFIPSVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Padding edge cases: 55, 56 and 64 bytes straddle the length field's block boundary.
    func testBoundaryLengths() {
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 55)),
                       "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 56)),
                       "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        XCTAssertEqual(SHA256.hex(String(repeating: "a", count: 64)),
                       "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    func testIncrementalUpdatesMatchOneShot() {
        let data = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        let expected = SHA256.hex(data)
        for cut in [1, 63, 64, 65, 500, 999] {
            var h = SHA256()
            h.update(data.prefix(cut))
            h.update(Array(data.dropFirst(cut)))       // mixes the Data and byte-sequence paths
            XCTAssertEqual(SHA256.hexString(h.finalize()), expected, "cut at \(cut)")
        }
    }
}

/// An evaluation's identity does not include its decoding width (outputs do not depend on it),
/// and a spec at the default width keeps the hash its plain JSON always had.
final class ExperimentIdentityTests: XCTestCase {
    func testWidthIsNotPartOfTheIdentity() {
        var a = ExperimentSpec(model: "m", modelPath: "/m.gguf", task: "gsm8k")
        var b = a
        b.batchSize = 16
        XCTAssertEqual(a.identityHash(), b.identityHash())
        XCTAssertEqual(a.identityHash(), SHA256.hex(a.json()))
        a.shots = 5
        XCTAssertNotEqual(a.identityHash(), b.identityHash())
    }
}
