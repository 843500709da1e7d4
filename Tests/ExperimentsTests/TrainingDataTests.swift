import Engine
import Foundation
import XCTest
@testable import Experiments

/// Byte tokens, except that ": " is one token (300) — so the prompt `…Answer:` tokenized alone
/// ends in ":" while the whole text merges it with the following space.
final class MergingTokenizer: ByteTokenizer, @unchecked Sendable {
    override var vocabularySize: Int { 301 }
    override func encode(_ text: String, addSpecialTokens: Bool, parseSpecial: Bool) -> [Int32] {
        var out: [Int32] = addSpecialTokens ? [256] : []
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: ":"), i + 1 < b.count, b[i + 1] == UInt8(ascii: " ") { out.append(300); i += 2; continue }
            out.append(Int32(b[i])); i += 1
        }
        return out
    }
    override func tokenBytes(_ id: Int32) -> [UInt8] { id == 300 ? Array(": ".utf8) : super.tokenBytes(id) }
}

final class TrainingDataTests: XCTestCase {
    let gsm = Example(index: 3, question: "Tom has 2 apples and buys 3. How many?", solution: "2+3=<<2+3=5>>5\n#### 5", answer: "5")
    let bare = Example(index: 8, question: "What is 6 + 1?", answer: "7")

    func testTextIsLmEvalPromptPlusSolution() throws {
        let t = try TrainingText(example: gsm)
        XCTAssertEqual(t.prompt, "Question: Tom has 2 apples and buys 3. How many?\nAnswer:")
        XCTAssertEqual(t.answer, "2+3=<<2+3=5>>5\n#### 5")
        XCTAssertEqual(t.text, t.prompt + " " + t.answer)
        XCTAssertEqual(try TrainingText(example: gsm, stripCalculatorAnnotations: true).answer, "2+3=5\n#### 5")
        XCTAssertEqual(try TrainingText(example: bare).answer, "#### 7")
        // The synthetic task carries GSM8K-style solutions too.
        let synthetic = try SyntheticTask.generate(split: "train", config: SyntheticConfig(seed: 1, count: 3))
        for e in synthetic.examples {
            let t = try TrainingText(example: e)
            XCTAssertEqual(t.answer, e.solution)
            XCTAssertTrue(t.answer.hasSuffix("#### " + e.answer), t.answer)
        }
    }

    /// Byte tokens with BOS: the prompt is BOS + its bytes; labelled positions t (t+1 ≥
    /// promptTokens) predict exactly " " + answer + EOS.
    func testMaskCoversExactlyTheAnswer() throws {
        let data = try TrainingData(examples: [gsm, bare], tokenizer: ByteTokenizer())
        XCTAssertEqual(data.exampleIndices, [3, 8])
        XCTAssertEqual(data.batch([1, 0]).map(\.promptTokens), [data.sequences[1].promptTokens, data.sequences[0].promptTokens])
        for (s, e) in zip(data.sequences, [gsm, bare]) {
            let t = try TrainingText(example: e)
            XCTAssertEqual(s.promptTokens, 1 + t.prompt.utf8.count)
            XCTAssertEqual(s.tokens.first, 256)
            XCTAssertEqual(s.tokens.last, 257)
            let predicted = (0..<(s.tokens.count - 1)).filter { $0 + 1 >= s.promptTokens }.map { s.tokens[$0 + 1] }
            XCTAssertEqual(predicted, Array((" " + t.answer).utf8).map(Int32.init) + [257])
        }
        XCTAssertEqual(data.stats.sequences, 2)
        XCTAssertEqual(data.stats.answerTokens, data.sequences.map { $0.tokens.count - $0.promptTokens }.reduce(0, +))
        XCTAssertEqual(data.stats.promptPrefixMismatches, 0)
        let noEOS = try TrainingData(examples: [bare], tokenizer: ByteTokenizer(), options: TrainingEncodingOptions(appendEOS: false))
        XCTAssertEqual(noEOS.sequences[0].tokens, [256] + Array(try TrainingText(example: bare).text.utf8).map(Int32.init))
    }

    /// When the prompt's last token merges with the answer's first, the mask starts at the
    /// common prefix (the merged token is learned) and the mismatch is counted.
    func testPromptPrefixMismatchUsesCommonPrefix() throws {
        let data = try TrainingData(examples: [bare], tokenizer: MergingTokenizer())
        let prompt = try TrainingText(example: bare).prompt
        XCTAssertEqual(data.stats.promptPrefixMismatches, 1)
        let promptIDs = MergingTokenizer().encode(prompt, addSpecialTokens: true)
        XCTAssertEqual(promptIDs.last, Int32(UInt8(ascii: ":")))
        XCTAssertEqual(data.sequences[0].promptTokens, promptIDs.count - 1)  // all but the final ":"
        XCTAssertEqual(data.sequences[0].tokens[data.sequences[0].promptTokens], 300)
    }

    func testTruncationAndDropCounts() throws {
        let promptLength = 1 + (try TrainingText(example: gsm)).prompt.utf8.count
        let opts = TrainingEncodingOptions(maxLength: promptLength + 4)
        let data = try TrainingData(examples: [gsm, bare], tokenizer: ByteTokenizer(), options: opts)
        XCTAssertEqual(data.stats.truncated, 1)  // bare (41 tokens) fits
        XCTAssertEqual(data.stats.droppedAnswerCut, 0)
        XCTAssertEqual(data.sequences[0].tokens.count, promptLength + 4)
        XCTAssertEqual(data.sequences[0].tokens.suffix(4), [32, 50, 43, 51])  // " 2+3": the tail is cut
        // bare: 33 prompt tokens, 41 in all. A limit of 36 leaves gsm (57 prompt tokens) no
        // answer — dropped, counted apart — and cuts bare's tail.
        XCTAssertEqual(try TrainingData(examples: [bare], tokenizer: ByteTokenizer()).sequences[0].tokens.count, 41)
        let cut = try TrainingData(examples: [gsm, bare], tokenizer: ByteTokenizer(), options: TrainingEncodingOptions(maxLength: 36))
        XCTAssertEqual(cut.stats.droppedAnswerCut, 1)
        XCTAssertEqual(cut.stats.truncated, 1)
        XCTAssertEqual(cut.exampleIndices, [8])
        XCTAssertEqual(cut.stats.examples, 2)
        XCTAssertEqual(cut.stats.longest, 36)
        XCTAssertEqual(cut.stats.answerTokens, 36 - 33)
    }

    // MARK: - Batches

    private func allBatches(_ s: BatchSampler) -> [[Int]] {
        var s = s, out: [[Int]] = []
        while let b = s.next() { out.append(b) }
        return out
    }

    func testSeededShuffling() throws {
        let a = allBatches(try BatchSampler(count: 10, batchSize: 3, seed: 42, epochs: 2))
        XCTAssertEqual(a, allBatches(try BatchSampler(count: 10, batchSize: 3, seed: 42, epochs: 2)))
        XCTAssertNotEqual(a, allBatches(try BatchSampler(count: 10, batchSize: 3, seed: 43, epochs: 2)))
        XCTAssertEqual(a.map(\.count), [3, 3, 3, 1, 3, 3, 3, 1])   // the last batch of an epoch is short
        XCTAssertEqual(a[0..<4].flatMap { $0 }.sorted(), Array(0..<10))  // each epoch visits each once
        XCTAssertEqual(a[4..<8].flatMap { $0 }.sorted(), Array(0..<10))
        XCTAssertNotEqual(a[0..<4].flatMap { $0 }, a[4..<8].flatMap { $0 })  // reshuffled per epoch
        XCTAssertNotEqual(a[0..<4].flatMap { $0 }, Array(0..<10))
        let dropped = allBatches(try BatchSampler(count: 10, batchSize: 3, seed: 42, epochs: 2, dropLast: true))
        XCTAssertEqual(dropped.map(\.count), [3, 3, 3, 3, 3, 3])
        XCTAssertEqual(dropped[0], a[0])
    }

    func testStepsLimitAcrossEpochs() throws {
        var s = try BatchSampler(count: 5, batchSize: 2, seed: 1, epochs: nil, maxSteps: 7)
        XCTAssertEqual(s.totalSteps, 7)
        XCTAssertEqual(allBatches(s).count, 7)
        while s.next() != nil {}
        XCTAssertEqual(s.cursor.epoch, 2)
        XCTAssertEqual(s.cursor.step, 7)
        XCTAssertEqual(try BatchSampler(count: 5, batchSize: 2, seed: 1, epochs: 3, maxSteps: 100).totalSteps, 9)
        XCTAssertThrowsError(try BatchSampler(count: 5, batchSize: 2, seed: 1, epochs: nil, maxSteps: nil))
    }

    /// A cursor saved after k batches (through JSON) resumes with exactly the batches left,
    /// for every k, including epoch boundaries.
    func testResumeCursorYieldsRemainingBatches() throws {
        let make = { (cursor: BatchCursor) in try BatchSampler(count: 11, batchSize: 4, seed: 9, epochs: 3, cursor: cursor) }
        let full = allBatches(try make(BatchCursor()))
        XCTAssertEqual(full.count, 9)
        for k in 0...full.count {
            var s = try make(BatchCursor())
            for _ in 0..<k { _ = s.next() }
            let saved = try JSONEncoder().encode(s.cursor)
            let cursor = try JSONDecoder().decode(BatchCursor.self, from: saved)
            XCTAssertEqual(cursor.step, k)
            XCTAssertEqual(allBatches(try make(cursor)), Array(full[k...]), "resumed after \(k) batches")
        }
    }

    // MARK: - The loss reference (real tokenizer)

    /// `loss_reference` of shared/reference/<key>.json: with EOS off the pipeline reproduces its
    /// input_ids and masked prompt-token count exactly (SmolLM2: 103 ids, 43 masked; gemma3's
    /// tokenizer prepends BOS; qwen2.5: 100 ids, 42 masked).
    func testReproducesSmolLM2LossReference() throws { try reproduceLossReference("smollm2-135m-instruct", promptTokens: 43) }
    func testReproducesGemma3LossReference() throws { try reproduceLossReference("gemma3-270m", promptTokens: 42) }
    func testReproducesQwen2LossReference() throws { try reproduceLossReference("qwen2.5-coder-0.5b-instruct", promptTokens: 42) }

    private func reproduceLossReference(_ key: String, promptTokens: Int) throws {
        let home = ProcessInfo.processInfo.environment["FTLAB_HOME"] ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/ftlab")
        let model = (home as NSString).appendingPathComponent("models/\(key).gguf")
        guard FileManager.default.fileExists(atPath: model) else { throw XCTSkip("\(model) is absent; run Scripts/fetch-models \(key)") }
        let refURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference/\(key).json")
        guard FileManager.default.fileExists(atPath: refURL.path) else { throw XCTSkip("\(refURL.path) is absent") }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: refURL)) as? [String: Any])
        let ref = try XCTUnwrap(json["loss_reference"] as? [String: Any])
        let prompt = try XCTUnwrap(ref["prompt"] as? String), answer = try XCTUnwrap(ref["answer"] as? String)
        let ids = try XCTUnwrap(ref["input_ids"] as? [NSNumber]).map { Int32($0.intValue) }
        XCTAssertTrue(prompt.hasPrefix("Question: ") && prompt.hasSuffix("\nAnswer:"))
        let question = String(prompt.dropFirst("Question: ".count).dropLast("\nAnswer:".count))
        let example = Example(index: 0, question: question, solution: answer, answer: "72")
        XCTAssertEqual(try TrainingText(example: example).text, ref["text"] as? String)

        let tokenizer = try TokenizerFactory.fromGGUF(file: GGUFFile(path: model))
        let data = try TrainingData(examples: [example], tokenizer: tokenizer, options: TrainingEncodingOptions(appendEOS: false))
        XCTAssertEqual(data.sequences[0].tokens, ids, key)
        XCTAssertEqual(data.sequences[0].promptTokens, promptTokens, key)
        XCTAssertEqual(data.sequences[0].promptTokens, (ref["num_prompt_tokens_masked"] as? NSNumber)?.intValue, key)
        XCTAssertEqual(data.stats.answerTokens, (ref["num_answer_tokens"] as? NSNumber)?.intValue, key)
        XCTAssertEqual(data.stats.promptPrefixMismatches, 0, key)
        // With EOS on (training's default) the same ids gain EOS, and the mask is unchanged.
        let trained = try TrainingData(examples: [example], tokenizer: tokenizer)
        XCTAssertEqual(trained.sequences[0].tokens, ids + [try XCTUnwrap(tokenizer.eosID)], key)
        XCTAssertEqual(trained.sequences[0].promptTokens, promptTokens, key)
    }
}
