import Console
import Engine
import Experiments
import Foundation
import Store
import TestSupport
import XCTest

/// `models add PATH` for a Hugging Face checkpoint directory.
final class ModelRegistrationTests: XCTestCase {
    func testDirectoryRegistersAsSafetensors() throws {
        let folder = try TemporaryDirectory(prefix: "ftlab-register")
        let model = folder.url.appendingPathComponent("tiny-llama")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        let config = ModelConfig(family: .llama, vocabSize: 10, dim: 8, layers: 1, heads: 2, kvHeads: 1, headDim: 4, ffnDim: 12,
                                 normEps: 1e-5, ropeBase: 10_000, contextLength: 32, tiedEmbeddings: true)
        try JSONSerialization.data(withJSONObject: HuggingFaceExport.configJSON(config))
            .write(to: model.appendingPathComponent("config.json"))
        // Two shards: the hash covers both, in name order.
        var a = SafeTensorsWriter(), b = SafeTensorsWriter()
        try a.add("model.embed_tokens.weight", shape: [10, 8], values: (0..<80).map(Float.init))
        try b.add("model.norm.weight", shape: [8], values: [Float](repeating: 1, count: 8))
        let first = a.serialized(), second = b.serialized()
        try first.write(to: model.appendingPathComponent("model-00001-of-00002.safetensors"))
        try second.write(to: model.appendingPathComponent("model-00002-of-00002.safetensors"))

        let store = try ResultsStore(path: folder.path("results.sqlite"))
        let record = try ModelRegistration.register(at: model, in: store)
        XCTAssertEqual(record.key, "tiny-llama")
        XCTAssertEqual(record.format, "safetensors")
        XCTAssertEqual(record.family, "llama")
        XCTAssertEqual(record.params, Int64(config.parameterCount))
        XCTAssertEqual(record.sha256, SHA256.hex(first + second))
        XCTAssertEqual(try store.models().first { $0.key == "tiny-llama" }?.format, "safetensors")

        // A directory without config.json, and a bad config.json, are refused with the reason.
        let empty = folder.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ModelRegistration.register(at: empty, in: store)) { XCTAssertTrue("\($0)".contains("config.json"), "\($0)") }
        try Data(#"{"model_type":"llama"}"#.utf8).write(to: empty.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try ModelRegistration.register(at: empty, in: store)) {
            XCTAssertTrue("\($0)".contains("config.json: hidden_size: missing"), "\($0)")
        }
    }
}
