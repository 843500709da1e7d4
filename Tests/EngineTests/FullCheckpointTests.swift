import Foundation
import XCTest
@testable import Engine

/// Full fine-tune checkpoints: a transformer's weights exported as a Hugging Face directory and
/// loaded back with `LoadedModel(path:)` give identical logits.
final class FullCheckpointTests: XCTestCase {
    /// A tiny model of `family` over the 262-token byte-level vocabulary of
    /// `TokenizerJSONTests.byteLevel`, with seeded weights (norms in [0.7, 1.3], so gemma3's
    /// `w = (1 + w) − 1` round trip is exact).
    static func tiny(_ family: ModelFamily, seed: UInt64) throws -> Transformer {
        let gemma = family == .gemma3
        let c = ModelConfig(family: family, vocabSize: 262, dim: 16, layers: 2, heads: 4, kvHeads: 2, headDim: 8, ffnDim: 24,
                            normEps: 1e-6, ropeBase: 10_000, contextLength: 64, tiedEmbeddings: family != .qwen2,
                            localRopeBase: gemma ? 10_000 : nil, slidingWindow: gemma ? 4 : nil,
                            globalLayerInterval: gemma ? 2 : nil, attentionScale: gemma ? 0.25 : nil)
        var rng = SplitMix64(seed: seed)
        return try Transformer(config: c) { name, buffer in
            for i in buffer.indices {
                let u = Float(rng.nextDouble() * 2 - 1)
                buffer[i] = name.contains("norm") ? 1 + 0.3 * u : 0.4 * u
            }
        }
    }

    /// A Hugging Face source directory holding only the tokenizer files (and a config.json
    /// declaring token ids) for the export to copy.
    static func tokenizerSource(in folder: URL) throws -> URL {
        let dir = folder.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tok = TokenizerJSONTests.byteLevel(merges: TokenizerJSONTests.merges, preTokenizer: TokenizerJSONTests.smollmPre)
        try JSONSerialization.data(withJSONObject: tok).write(to: dir.appendingPathComponent("tokenizer.json"))
        try JSONSerialization.data(withJSONObject: ["eos_token": "<|endoftext|>", "bos_token": "<|endoftext|>", "add_bos_token": false])
            .write(to: dir.appendingPathComponent("tokenizer_config.json"))
        try JSONSerialization.data(withJSONObject: ["model_type": "llama", "bos_token_id": 260, "eos_token_id": 260])
            .write(to: dir.appendingPathComponent("config.json"))
        return dir
    }

    func testTinyExportReloadsWithIdenticalLogits() throws {
        let folder = try HFTemporaryFolder("full-ckpt")
        let source = try Self.tokenizerSource(in: folder.url)
        for family in [ModelFamily.llama, .qwen2, .gemma3] {
            let model = try Self.tiny(family, seed: 5)
            // "Train" it: change every weight a little, in place, through the arena's views.
            for name in HuggingFaceNames.ggufTensorNames(for: model.config) {
                let t = try XCTUnwrap(model.weights.tensor(named: name), name)
                for i in t.indices { t[i] *= 1.0625 }
            }
            let dir = folder.url.appendingPathComponent("\(family)")
            let summary = try HuggingFaceExport.write(transformer: model, tokenizerFrom: .huggingFace(source), to: dir)
            XCTAssertEqual(summary.files, ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"])
            let back = try LoadedModel(path: dir.path)
            XCTAssertEqual(back.config, model.config, "\(family)")
            let tokens: [Int32] = [72, 101, 108, 108, 111, 260, 32, 7, 200]
            let a = model.logits(tokens: tokens), b = back.transformer.logits(tokens: tokens)
            XCTAssertEqual(zip(a, b).map { abs($0 - $1) }.max(), 0, "\(family): max |Δlogit|")
            XCTAssertEqual(back.tokenizer.encode("a low é 123"), try TokenizerFactory.fromTokenizerJSON(
                url: source.appendingPathComponent("tokenizer.json")).encode("a low é 123"))
            let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as? [String: Any])
            XCTAssertEqual(config["eos_token_id"] as? Int, 260)
            // llama's q rows are stored un-permuted: file row HF(r) is engine row GGUF(r).
            if family == .llama {
                let file = try SafeTensorsFile(path: dir.appendingPathComponent("model.safetensors").path)
                let q = try file.floats("model.layers.1.self_attn.q_proj.weight")
                let engine = try XCTUnwrap(model.weights.tensor(named: "blk.1.attn_q.weight"))
                let dim = model.config.dim
                // head 0, headDim 8: engine (GGUF) row 1 = HF row 4.
                XCTAssertEqual(Array(q[(4 * dim)..<(5 * dim)]), Array(engine[dim..<(2 * dim)]))
            }
        }
    }

    /// The export replaces the directory atomically and can carry extra files.
    func testExportIsAtomicAndCarriesExtraFiles() throws {
        let folder = try HFTemporaryFolder("full-ckpt")
        let source = try Self.tokenizerSource(in: folder.url)
        let model = try Self.tiny(.qwen2, seed: 1)
        let dir = folder.url.appendingPathComponent("final")
        try HuggingFaceExport.write(transformer: model, tokenizerFrom: .huggingFace(source), to: dir) { staging in
            try Data("{}".utf8).write(to: staging.appendingPathComponent("trainer_state.json"))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("trainer_state.json").path))
        struct Boom: Error {}
        XCTAssertThrowsError(try HuggingFaceExport.write(transformer: model, tokenizerFrom: .huggingFace(source), to: dir) { _ in throw Boom() })
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("trainer_state.json").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted(), ["final", "source"])
        // A source without tokenizer.json is named.
        let empty = folder.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try HuggingFaceExport.write(transformer: model, tokenizerFrom: .huggingFace(empty), to: dir)) { e in
            XCTAssertTrue("\(e)".contains("empty/tokenizer.json"), "\(e)")
        }
    }
}

/// A study model, changed in place as a fine-tune would, exported and reloaded: identical
/// logits. Release: `swift test -c release -Xswiftc -enable-testing --filter FullCheckpointRealModelTests`.
final class FullCheckpointRealModelTests: XCTestCase {
    func testSmolLM2() throws { try roundTrip("smollm2-135m-instruct") }
    func testGemma3() throws { try roundTrip("gemma3-270m") }

    private func roundTrip(_ key: String) throws {
        let path = try TestModels.require(key)
        let folder = try HFTemporaryFolder("full-\(key)")
        let dir = folder.url.appendingPathComponent("ft")
        let tokens: [Int32]
        let before: [Float]
        var start = Date()
        do {
            let model = try LoadedModel(path: path, precision: .fp32)
            var rng = SplitMix64(seed: 3)
            for name in HuggingFaceNames.ggufTensorNames(for: model.config) {
                let t = try XCTUnwrap(model.transformer.weights.tensor(named: name))
                for i in stride(from: 0, to: t.count, by: 7) { t[i] += Float(rng.nextDouble() - 0.5) * 1e-3 }
            }
            tokens = model.tokenizer.encode("Question: Natalia sold clips to 48 of her friends in April.\nAnswer:")
            before = model.transformer.logits(tokens: tokens)
            start = Date()
            try HuggingFaceExport.write(model: model, to: dir)
        }
        let exportSeconds = Date().timeIntervalSince(start)
        start = Date()
        let back = try LoadedModel(path: dir.path)
        let loadSeconds = Date().timeIntervalSince(start)
        XCTAssertEqual(back.tokenizer.encode("Question: Natalia sold clips to 48 of her friends in April.\nAnswer:"), tokens)
        let after = back.transformer.logits(tokens: tokens)
        let worst = zip(before, after).map { abs($0 - $1) }.max() ?? .nan
        print("[full-ckpt] \(key): max |Δlogit| \(worst) over \(after.count) logits; export \(String(format: "%.1f", exportSeconds)) s, reload \(String(format: "%.1f", loadSeconds)) s")
        if key.hasPrefix("gemma3") {
            // gemma3 stores norms as w = (1 + w) − 1: exact unless 1 + w < 0.5, where the
            // subtraction rounds. Bounded, and reported.
            XCTAssertLessThanOrEqual(worst, 1e-3, key)
        } else {
            XCTAssertEqual(worst, 0, key)
        }
    }
}
