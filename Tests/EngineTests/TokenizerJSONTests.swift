import Foundation
import XCTest
@testable import Engine

/// `TokenizerFactory.fromTokenizerJSON` on small tokenizer.json files written to a temp folder.
final class TokenizerJSONTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tok-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func write(_ object: Any, _ name: String = "tokenizer.json") throws -> URL {
        let url = folder.appendingPathComponent(name)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url
    }

    static let extra = ["Ġl", "Ġlo", "Ġlow", "Ã©"]
    static let merges = ["Ġ l", "Ġl o", "Ġlo w", "Ã ©"]

    /// A byte-level tokenizer.json with the same vocabulary as `TokenizerBPETests.metadata`.
    static func byteLevel(merges: Any, preTokenizer: Any, normalizer: Any = NSNull()) -> [String: Any] {
        let tokens = BPEByteMap.byteToScalar.map { String($0) } + extra
        var vocab: [String: Int] = [:]
        for (i, t) in tokens.enumerated() { vocab[t] = i }
        return [
            "version": "1.0",
            "added_tokens": [
                ["id": tokens.count, "content": "<|endoftext|>", "special": true],
                ["id": tokens.count + 1, "content": "<|im_end|>", "special": true],
            ],
            "normalizer": normalizer,
            "pre_tokenizer": preTokenizer,
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocab, "merges": merges],
        ]
    }

    static let smollmPre: [String: Any] = ["type": "Sequence", "pretokenizers": [
        ["type": "Digits", "individual_digits": true],
        ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
    ]]

    func testByteLevelWithStringOrArrayMergesMatchesGGUF() throws {
        let gguf = try TokenizerBPETests.make(extra: Self.extra, merges: Self.merges, pre: "smollm")
        let asStrings = try XCTUnwrap(TokenizerFactory.fromTokenizerJSON(
            url: write(Self.byteLevel(merges: Self.merges, preTokenizer: Self.smollmPre))) as? VocabTokenizer)
        let asArrays = try XCTUnwrap(TokenizerFactory.fromTokenizerJSON(
            url: write(Self.byteLevel(merges: Self.merges.map { $0.split(separator: " ").map(String.init) },
                                      preTokenizer: Self.smollmPre), "b.json")) as? VocabTokenizer)
        XCTAssertEqual(asStrings.preTokenizer, .smollm)
        XCTAssertEqual(asStrings.kind, .byteLevelBPE)
        let text = "a low é 123<|im_end|>"
        XCTAssertEqual(asStrings.encode(text), gguf.encode(text))
        XCTAssertEqual(asArrays.encode(text), gguf.encode(text))
        XCTAssertEqual(asStrings.decode(asStrings.encode(text)), text)
        XCTAssertEqual(asStrings.id(forSpecial: "<|im_end|>"), 261)
        XCTAssertEqual(asStrings.eosID, 260, "no tokenizer_config.json: EOS guessed from <|endoftext|>")
        XCTAssertFalse(asStrings.addsBOS)
    }

    func testQwenSplitPatternAndNFC() throws {
        let pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        let pre: [String: Any] = ["type": "Sequence", "pretokenizers": [
            ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false],
            ["type": "ByteLevel", "add_prefix_space": false, "use_regex": false],
        ]]
        let t = try XCTUnwrap(TokenizerFactory.fromTokenizerJSON(
            url: write(Self.byteLevel(merges: Self.merges, preTokenizer: pre, normalizer: ["type": "NFC"]))) as? VocabTokenizer)
        XCTAssertEqual(t.preTokenizer, .qwen2)
        XCTAssertEqual(t.encode("e\u{301}"), t.encode("\u{E9}"), "decomposed é is composed first")
        XCTAssertEqual(t.encode("\u{E9}").map { t.piece($0)! }, ["Ã©"])
    }

    func testSentencePieceLikeBPEWithByteFallback() throws {
        var vocab: [String: Int] = ["<unk>": 0, "<s>": 1, "</s>": 2]
        for b in 0..<256 { vocab[String(format: "<0x%02X>", b)] = 3 + b }
        for (i, p) in ["▁", "a", "b", "▁a", "ab", "▁ab"].enumerated() { vocab[p] = 259 + i }
        let json: [String: Any] = [
            "added_tokens": [["id": 0, "content": "<unk>", "special": true], ["id": 1, "content": "<s>", "special": true],
                             ["id": 2, "content": "</s>", "special": true]],
            "normalizer": ["type": "Sequence", "normalizers": [
                ["type": "Prepend", "prepend": "▁"], ["type": "Replace", "pattern": ["String": " "], "content": "▁"],
            ]],
            "pre_tokenizer": NSNull(),
            "post_processor": ["type": "TemplateProcessing", "single": [
                ["SpecialToken": ["id": "<s>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
            ]],
            "model": ["type": "BPE", "vocab": vocab, "merges": ["▁ a", "a b", "▁a b"], "byte_fallback": true, "unk_token": "<unk>"],
        ]
        let t = try XCTUnwrap(TokenizerFactory.fromTokenizerJSON(url: write(json)) as? VocabTokenizer)
        XCTAssertEqual(t.kind, .sentencePiece)
        XCTAssertEqual(t.bosID, 1)
        XCTAssertTrue(t.addsBOS)
        XCTAssertEqual(t.encode("ab a€"), [1, 264, 262, 3 + 0xE2, 3 + 0x82, 3 + 0xAC])
        XCTAssertEqual(t.decode(t.encode("ab a€"), skipSpecialTokens: true), "ab a€")
    }

    func testTokenizerConfigSuppliesBOSAndEOS() throws {
        _ = try write(["bos_token": "<|endoftext|>", "eos_token": ["content": "<|im_end|>"], "add_bos_token": false],
                      "tokenizer_config.json")
        let t = try XCTUnwrap(TokenizerFactory.fromTokenizerJSON(
            url: write(Self.byteLevel(merges: Self.merges, preTokenizer: Self.smollmPre))) as? VocabTokenizer)
        XCTAssertEqual(t.bosID, 260)
        XCTAssertEqual(t.eosID, 261)
        XCTAssertFalse(t.addsBOS)
    }

    func assertError(_ url: URL, _ expected: TokenizerError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try TokenizerFactory.fromTokenizerJSON(url: url), file: file, line: line) { error in
            XCTAssertEqual(error as? TokenizerError, expected, file: file, line: line)
            XCTAssertTrue("\(error)".contains(url.path), "message names the file: \(error)", file: file, line: line)
        }
    }

    func testErrorsNameFileAndKey() throws {
        var noVocab = Self.byteLevel(merges: Self.merges, preTokenizer: Self.smollmPre)
        noVocab["model"] = ["type": "BPE", "merges": []]
        let a = try write(noVocab, "a.json")
        assertError(a, .missingKey(source: a.path, key: "model.vocab"))

        let b = try write(["model": ["type": "Unigram", "vocab": []]], "b.json")
        assertError(b, .unsupported(source: b.path, key: "model.type", value: "Unigram"))

        let c = try write(Self.byteLevel(merges: ["Ġ l", 7], preTokenizer: Self.smollmPre), "c.json")
        assertError(c, .invalidValue(source: c.path, key: "model.merges[1]", reason: "expected \"a b\" or [\"a\", \"b\"]"))

        let pre: [String: Any] = ["type": "Split", "pattern": ["Regex": "\\w+"], "behavior": "Isolated"]
        let d = try write(Self.byteLevel(merges: Self.merges, preTokenizer: pre), "d.json")
        assertError(d, .unsupported(source: d.path, key: "pre_tokenizer.pattern", value: "\\w+"))

        let missing = folder.appendingPathComponent("absent.json")
        XCTAssertThrowsError(try TokenizerFactory.fromTokenizerJSON(url: missing)) { error in
            XCTAssertTrue("\(error)".contains(missing.path), "\(error)")
        }
    }

    func testGGUFErrorsNameSourceAndKey() {
        var md = TokenizerBPETests.metadata(extra: [], merges: [])
        md["tokenizer.ggml.model"] = nil
        XCTAssertThrowsError(try TokenizerFactory.fromGGUF(metadata: md, source: "m.gguf")) {
            XCTAssertEqual($0 as? TokenizerError, .missingKey(source: "m.gguf", key: "tokenizer.ggml.model"))
            XCTAssertEqual("\($0)", "m.gguf: missing key 'tokenizer.ggml.model'")
        }
        md = TokenizerBPETests.metadata(extra: [], merges: [], pre: "mystery")
        XCTAssertThrowsError(try TokenizerFactory.fromGGUF(metadata: md, source: "m.gguf")) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported(source: "m.gguf", key: "tokenizer.ggml.pre", value: "mystery"))
        }
        md = TokenizerBPETests.metadata(extra: [], merges: [])
        md["tokenizer.ggml.token_type"] = .array([.int32(1)])
        XCTAssertThrowsError(try TokenizerFactory.fromGGUF(metadata: md, source: "m.gguf")) {
            XCTAssertEqual($0 as? TokenizerError, .invalidValue(source: "m.gguf", key: "tokenizer.ggml.token_type", reason: "expected 258 integers"))
        }
        md = TokenizerBPETests.metadata(extra: [], merges: ["nospace"])
        XCTAssertThrowsError(try TokenizerFactory.fromGGUF(metadata: md, source: "m.gguf")) {
            guard case .invalidValue(_, let key, _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
            XCTAssertEqual(key, "tokenizer.ggml.merges")
        }
    }
}
