import Engine
import Foundation
import XCTest
@testable import Experiments

/// A full fine-tune resumed from a checkpoint, through the files it is stored as: the model is a
/// tiny Hugging Face directory on disk (so the checkpoints carry its tokenizer files), the run is
/// stopped, and a fresh runner resumes it. Each full checkpoint deletes the one before — the one
/// the resumed run was loaded from included — and the later checkpoints must still be written
/// (the study's run 18 failed there: the export read tokenizer.json from the deleted directory).
final class TrainRunnerFullResumeTests: XCTestCase {
    private var directories: [URL] = []

    override func tearDown() {
        for d in directories { try? FileManager.default.removeItem(at: d) }
    }

    private func temporary(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ftlab-\(name)-\(UUID().uuidString)")
        directories.append(url)
        return url
    }

    /// GPT-2's byte → printable-character map, which byte-level BPE vocabularies are spelled in.
    private static let byteSymbols: [String] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var symbols = [Int: Int]()
        for b in printable { symbols[b] = b }
        var next = 256
        for b in 0..<256 where symbols[b] == nil { symbols[b] = next; next += 1; printable.append(b) }
        return (0..<256).map { String(Unicode.Scalar(UInt32(symbols[$0]!))!) }
    }()

    /// A 2-layer llama with seeded weights and a byte-level tokenizer (256 bytes, no merges, and
    /// `<|endoftext|>` = 256), exported as a Hugging Face directory.
    private func tinyModelDirectory() throws -> URL {
        let root = temporary("tiny-hf")
        let source = root.appendingPathComponent("tokenizer-source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var vocab: [String: Int] = [:]
        for (i, s) in Self.byteSymbols.enumerated() { vocab[s] = i }
        let tokenizer: [String: Any] = [
            "version": "1.0",
            "added_tokens": [["id": 256, "content": "<|endoftext|>", "special": true]],
            "normalizer": NSNull(),
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocab, "merges": [String]()],
        ]
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: source.appendingPathComponent("tokenizer.json"))
        try JSONSerialization.data(withJSONObject: ["eos_token": "<|endoftext|>", "bos_token": "<|endoftext|>", "add_bos_token": false])
            .write(to: source.appendingPathComponent("tokenizer_config.json"))
        try JSONSerialization.data(withJSONObject: ["bos_token_id": 256, "eos_token_id": 256])
            .write(to: source.appendingPathComponent("config.json"))

        let config = ModelConfig(family: .llama, vocabSize: 257, dim: 16, layers: 2, heads: 4, kvHeads: 2, headDim: 4,
                                 ffnDim: 24, normEps: 1e-5, ropeBase: 10_000, contextLength: 512, tiedEmbeddings: true)
        var state: UInt64 = 0x5EED
        let transformer = try Transformer(config: config) { name, buffer in
            for i in buffer.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let u = Float(Double(state >> 11) / Double(1 << 53)) * 2 - 1
                buffer[i] = name.contains("norm") ? 1 + 0.2 * u : 0.3 * u
            }
        }
        let model = root.appendingPathComponent("model")
        try HuggingFaceExport.write(transformer: transformer, tokenizerFrom: .huggingFace(source), to: model)
        return model
    }

    private func spec(model: URL, output: URL) -> TrainSpec {
        TrainSpec(model: "tiny-hf", modelPath: model.path, task: "synthetic", method: .full, learningRate: 1e-3,
                  warmupSteps: 1, maxSteps: 6, batchSize: 2, maxSequenceLength: 256, limit: 12, seed: 3,
                  checkpointEvery: 2, outputDirectory: output.path)
    }

    func testResumedFullFineTuneKeepsCheckpointingAfterItsSourceIsDeleted() throws {
        let model = try tinyModelDirectory()
        let whole = TrainRecorder()
        try TrainRunner(spec: spec(model: model, output: temporary("whole"))).run(sink: whole)
        XCTAssertNil(whole.failure)
        XCTAssertEqual(whole.steps.map(\.step), Array(1...6))

        let output = temporary("resumed")
        let first = TrainRecorder()
        try TrainRunner(spec: spec(model: model, output: output)).run(sink: first, shouldStop: { first.steps.count >= 3 })
        XCTAssertNil(first.failure)
        XCTAssertTrue(first.interrupted)
        let stopped = try XCTUnwrap(first.checkpoints.last)
        XCTAssertEqual(stopped.step, 3)

        // Resuming from step-3: step-4 replaces it (step-3 is deleted), then step-6 is written.
        let second = TrainRecorder()
        try TrainRunner(spec: spec(model: model, output: output)).run(resumeFrom: stopped.directory, sink: second)
        XCTAssertNil(second.failure)
        XCTAssertTrue(second.finished)
        XCTAssertEqual(second.checkpoints.map(\.step), [4, 6])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), ["step-6"])
        let last = output.appendingPathComponent("step-6")
        for name in ["tokenizer.json", "tokenizer_config.json", "config.json", "model.safetensors", "trainer_state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: last.appendingPathComponent(name).path), name)
        }
        // The tokenizer files are the base model's, byte for byte, and config.json keeps its ids.
        XCTAssertEqual(FileManager.default.contents(atPath: last.appendingPathComponent("tokenizer.json").path),
                       FileManager.default.contents(atPath: model.appendingPathComponent("tokenizer.json").path))
        let config = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: last.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["eos_token_id"] as? Int, 256)

        // The resumed steps are the uninterrupted run's, and the last checkpoint loads as a model.
        XCTAssertEqual(second.steps.map(\.step), [4, 5, 6])
        for (a, b) in zip(whole.steps.suffix(3), second.steps) {
            XCTAssertEqual(a.loss, b.loss, accuracy: 1e-5 * max(1, abs(a.loss)), "step \(a.step)")
        }
        XCTAssertEqual(try LoadedModel(path: last.path).config.vocabSize, 257)
    }

    func testTokenizerFilesReadIntoMemoryOutliveTheirDirectory() throws {
        let model = try tinyModelDirectory()
        let copy = temporary("copy")
        try FileManager.default.copyItem(at: model, to: copy)
        let files = try HuggingFaceTokenizerFiles.read(from: copy)
        XCTAssertEqual(files.files.map(\.name), ["tokenizer.json", "tokenizer_config.json"])
        try FileManager.default.removeItem(at: copy)

        let loaded = try LoadedModel(path: model.path)
        let out = temporary("export")
        let summary = try HuggingFaceExport.write(transformer: loaded.transformer, tokenizerFrom: .files(files), to: out)
        XCTAssertTrue(summary.files.contains("tokenizer.json"))
        XCTAssertEqual(FileManager.default.contents(atPath: out.appendingPathComponent("tokenizer.json").path),
                       FileManager.default.contents(atPath: model.appendingPathComponent("tokenizer.json").path))

        // A directory without tokenizer.json is refused by name, when read.
        let empty = temporary("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try HuggingFaceTokenizerFiles.read(from: empty)) { error in
            XCTAssertEqual((error as? HuggingFaceError)?.file, empty.appendingPathComponent("tokenizer.json").path)
        }
    }
}
