import Engine
import Foundation
import XCTest
@testable import Experiments

/// Every text of every dataset in ../shared/data (question, solution, answer, choices), tokenized
/// by ftlab for each catalog model, against the ids of the model's *original* tokenizer made by
/// an independent implementation (Hugging Face `tokenizers`, Rust) — stored as digests of blocks
/// of 128 texts in Tests/Fixtures/tokenizer-parity.json by Scripts/tokenizer-parity/make-fixture.py,
/// whose docstring holds the evidence for each model's definition (issue 18: SmolLM2 splits
/// digits off before the GPT-2 regex, so a whitespace run before a digit stays one piece).
final class TokenizerParityTests: XCTestCase {
    struct Fixture: Decodable {
        struct Split: Decodable {
            let texts: Int
            let text_sha256: String
            let tokens: Int
            let blocks: [String]
        }
        let block: Int
        let tokenizers: String
        let models: [String: [String: Split]]
        let issue_table: [String: [String: [Int32]]]
    }

    static let fixturePath = TestData.repoRoot.appendingPathComponent("Tests/Fixtures/tokenizer-parity.json").path
    static var modelsDirectory: String {
        (ProcessInfo.processInfo.environment["FTLAB_HOME"] ?? (NSHomeDirectory() + "/.cache/ftlab")) + "/models"
    }

    func testEveryDatasetTextTokenizesAsTheOriginalTokenizerDoes() throws {
        guard FileManager.default.fileExists(atPath: TestData.directory) else {
            throw XCTSkip("shared datasets absent: \(TestData.directory) does not exist")
        }
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixturePath)))
        // The texts, split by split, exactly as the fixture's script read them (`ftlab datasets --export`).
        var texts: [String: [String]] = [:]
        for (task, split) in DatasetTextExport.availableSplits(dataDirectory: TestData.directory) {
            texts["\(task)/\(split)"] = try TaskCatalog.load(task: task, split: split, dataDirectory: TestData.directory)
                .examples.flatMap(\.texts)
        }
        var checkedModels = 0
        for model in fixture.models.keys.sorted() {
            let path = "\(Self.modelsDirectory)/\(model).gguf"
            guard FileManager.default.fileExists(atPath: path) else { print("\(model): absent (make models), not checked"); continue }
            let tokenizer = try TokenizerFactory.fromGGUF(file: GGUFFile(path: path))
            for (text, expected) in fixture.issue_table[model] ?? [:] {
                XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: false, parseSpecial: false), expected, "\(model): \(text.debugDescription)")
            }
            var checked = 0, mismatchedBlocks = 0
            for (key, split) in fixture.models[model]!.sorted(by: { $0.key < $1.key }) {
                guard let mine = texts[key] else { XCTFail("\(key): in the fixture but its files are absent"); continue }
                XCTAssertEqual(mine.count, split.texts, "\(key): text count")
                guard SHA256.hex(mine.joined(separator: "\u{0}")) == split.text_sha256 else {
                    XCTFail("\(key): the loaders' texts changed since the fixture was made; regenerate it (Scripts/tokenizer-parity)")
                    continue
                }
                var tokens = 0
                for (b, start) in stride(from: 0, to: mine.count, by: fixture.block).enumerated() {
                    let ids = mine[start..<min(start + fixture.block, mine.count)].map {
                        tokenizer.encode($0, addSpecialTokens: false, parseSpecial: false)
                    }
                    tokens += ids.reduce(0) { $0 + $1.count }
                    let digest = String(SHA256.hex(ids.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")).prefix(16))
                    if digest != split.blocks[b] {
                        mismatchedBlocks += 1
                        XCTFail("\(model) \(key): texts \(start)..<\(start + fixture.block) differ from the original tokenizer "
                                + "(Scripts/tokenizer-parity/make-fixture.py --explain shows the ids)")
                    }
                }
                XCTAssertEqual(tokens, split.tokens, "\(model) \(key): token count")
                checked += mine.count
            }
            print("tokenizer parity \(model): \(checked) texts checked, \(mismatchedBlocks) mismatched blocks (\(fixture.tokenizers))")
            checkedModels += 1
        }
        if checkedModels == 0 { throw XCTSkip("no catalog model is present in \(Self.modelsDirectory) (make models)") }
    }
}
