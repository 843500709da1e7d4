import Foundation
import XCTest
@testable import Engine

/// The three study models' tokenizers against the transformers reference ids and GSM8K.
/// Skipped when the models (see `TestModels`) or the shared folder (`../shared`) are absent.
/// Run in release for realistic throughput:
/// `swift test -c release -Xswiftc -enable-testing --filter TokenizerRealModelTests`.
final class TokenizerRealModelTests: XCTestCase {
    static let keys = ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct"]

    /// `/work/shared` for the worktree `/work/wt-tok`: the folder beside the repository root.
    static var sharedDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared").standardizedFileURL
    }

    static func requireShared(_ relative: String) throws -> URL {
        let url = sharedDirectory.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("\(url.path) is absent (the shared reference/data folder beside the repository)")
        }
        return url
    }

    static func open(_ key: String) throws -> (GGUFFile, VocabTokenizer) {
        let file = try GGUFFile(path: TestModels.require(key))
        return (file, try XCTUnwrap(TokenizerFactory.fromGGUF(file: file) as? VocabTokenizer))
    }

    /// (text, expected ids) for P1's prompt and the loss-reference example.
    static func references(_ key: String) throws -> [(String, [Int32])] {
        let url = try requireShared("reference/\(key).json")
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let p1 = try XCTUnwrap(root["P1"] as? [String: Any])
        let loss = try XCTUnwrap(root["loss_reference"] as? [String: Any])
        return [
            (try XCTUnwrap(p1["prompt"] as? String), try XCTUnwrap(p1["prompt_token_ids"] as? [Int]).map(Int32.init)),
            (try XCTUnwrap(loss["text"] as? String), try XCTUnwrap(loss["input_ids"] as? [Int]).map(Int32.init)),
        ]
    }

    static func gsm8kQuestions() throws -> [String] {
        let url = try requireShared("data/gsm8k/test.jsonl")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try XCTUnwrap(object["question"] as? String)
        }
    }

    func testReferenceTokenIDs() throws {
        for key in Self.keys {
            let (_, tokenizer) = try Self.open(key)
            for (text, expected) in try Self.references(key) {
                let ids = tokenizer.encode(text)
                XCTAssertEqual(ids, expected, "\(key): \(text.prefix(40))…")
                XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), text, key)
            }
            XCTAssertEqual(tokenizer.addsBOS, key == "gemma3-270m", key)
        }
    }

    /// decode(encode(q)) == q, byte for byte, for all 1319 GSM8K test questions; prints throughput
    /// on a fresh tokenizer (cold word cache) and on a second pass.
    func testGSM8KRoundTripAndThroughput() throws {
        let questions = try Self.gsm8kQuestions()
        XCTAssertEqual(questions.count, 1319)
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        for key in Self.keys {
            let (_, tokenizer) = try Self.open(key)
            var encoded: [[Int32]] = []
            encoded.reserveCapacity(questions.count)
            let cold = Date()
            for q in questions { encoded.append(tokenizer.encode(q)) }
            let coldSeconds = Date().timeIntervalSince(cold)
            let warm = Date()
            for q in questions { _ = tokenizer.encode(q) }
            let warmSeconds = Date().timeIntervalSince(warm)
            let count = encoded.reduce(0) { $0 + $1.count }
            var failures = 0
            for (q, ids) in zip(questions, encoded) where Array(tokenizer.decode(ids, skipSpecialTokens: true).utf8) != Array(q.utf8) {
                failures += 1
                if failures <= 3 { XCTFail("\(key) round trip: \(q.debugDescription)") }
            }
            XCTAssertEqual(failures, 0, key)
            print(String(format: "[tokenizer] %@ (%@): %d questions, %d tokens, %.0f tokens/s cold, %.0f tokens/s warm",
                         key, build, questions.count, count, Double(count) / coldSeconds, Double(count) / warmSeconds))
        }
    }

    func testChatTemplatesOfTheStudyModels() throws {
        let expectations: [(key: String, style: ChatTemplate.Style, system: String?, start: Int32, end: Int32)] = [
            ("smollm2-135m-instruct", .chatML, "You are a helpful AI assistant named SmolLM, trained by Hugging Face", 1, 2),
            ("qwen2.5-coder-0.5b-instruct", .chatML, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", 151644, 151645),
            ("gemma3-270m", .gemma, nil, 105, 106),
        ]
        for e in expectations {
            let (file, tokenizer) = try Self.open(e.key)
            let template = try XCTUnwrap(ChatTemplate.detect(from: file.metadata), e.key)
            XCTAssertEqual(template.style, e.style, e.key)
            XCTAssertEqual(template.defaultSystemPrompt, e.system, e.key)
            let text = template.render(messages: [("user", "What is 2+2?")], addGenerationPrompt: true)
            let ids = tokenizer.encode(text)
            XCTAssertEqual(ids.filter { $0 == e.start }.count, e.style == .chatML ? 3 : 2, "\(e.key): \(text.debugDescription)")
            XCTAssertEqual(ids.filter { $0 == e.end }.count, e.style == .chatML ? 2 : 1, e.key)
            XCTAssertEqual(tokenizer.id(forSpecial: template.endOfTurn), e.end, e.key)
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: false), (tokenizer.addsBOS ? "<bos>" : "") + text, e.key)
            let plain = tokenizer.encode(text, addSpecialTokens: false, parseSpecial: false)
            XCTAssertFalse(plain.contains(e.start), "\(e.key): no control token from plain text")
        }
    }

    /// A tokenizer.json assembled from a GGUF vocabulary loads into the same tokenizer.
    func testTokenizerJSONMatchesGGUF() throws {
        let questions = try Self.gsm8kQuestions().prefix(200)
        let qwenPattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        let preTokenizers: [String: Any] = [
            "smollm2-135m-instruct": ["type": "Sequence", "pretokenizers": [
                ["type": "Digits", "individual_digits": true],
                ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true]]],
            "qwen2.5-coder-0.5b-instruct": ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": qwenPattern], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "use_regex": false]]],
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tok-real-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (key, pre) in preTokenizers {
            let (file, gguf) = try Self.open(key)
            let tokens = try XCTUnwrap(file.metadata["tokenizer.ggml.tokens"]?.stringArray)
            let types = try XCTUnwrap(file.metadata["tokenizer.ggml.token_type"]?.intArray)
            var vocab: [String: Int] = [:]
            var added: [[String: Any]] = []
            for (i, t) in tokens.enumerated() {
                if types[i] == 3 || types[i] == 4 {
                    added.append(["id": i, "content": t, "special": types[i] == 3])
                } else {
                    vocab[t] = i
                }
            }
            let json: [String: Any] = [
                "added_tokens": added,
                "normalizer": key.hasPrefix("qwen") ? ["type": "NFC"] : NSNull(),
                "pre_tokenizer": pre,
                "decoder": ["type": "ByteLevel"],
                "model": ["type": "BPE", "vocab": vocab, "merges": try XCTUnwrap(file.metadata["tokenizer.ggml.merges"]?.stringArray)],
            ]
            let url = folder.appendingPathComponent("\(key).json")
            try JSONSerialization.data(withJSONObject: json).write(to: url)
            let fromJSON = try TokenizerFactory.fromTokenizerJSON(url: url)
            for (text, expected) in try Self.references(key) {
                XCTAssertEqual(fromJSON.encode(text), expected, key)
            }
            for q in questions { XCTAssertEqual(fromJSON.encode(q), gguf.encode(q), "\(key): \(q)") }
        }
    }
}
