import Foundation
import XCTest
@testable import Engine

/// Continuous batching on the real study models (quantized weights, release build): an example's
/// greedy tokens must not depend on the batch width, its slot, the order of the prompts or a
/// shared prefix's neighbours. Skipped when a model file is absent (`Scripts/fetch-models`).
final class ContinuousBatchingTests: XCTestCase {
    func testSmolLM2OutputsIndependentOfBatch() throws { try checkInvariance("smollm2-135m-instruct") }
    func testGemma3OutputsIndependentOfBatch() throws { try checkInvariance("gemma3-270m") }
    func testQwen2OutputsIndependentOfBatch() throws { try checkInvariance("qwen2.5-coder-0.5b-instruct") }

    /// Word problems of different lengths, so rows finish at different steps and slots refill.
    static let questions = [
        "Tom has 3 apples and buys 5 more. How many apples does he have?",
        "A train travels 60 miles per hour for 3 hours. How far does it go?",
        "Sara had 24 stickers. She gave 7 to her brother and 5 to her sister, then bought a pack of 12. How many stickers does she have now?",
        "What is 15 times 4?",
        "A baker makes 12 loaves a day. How many loaves does he make in a week?",
        "Lisa reads 20 pages every evening. Her book has 180 pages and she has already read 60 of them. How many more evenings will she need?",
        "If a shirt costs $15 and is on sale for 20% off, what is the sale price?",
        "There are 5 rows of chairs with 8 chairs in each row. 13 chairs are taken. How many are free?",
        "John is twice as old as Mary. Mary is 7. How old is John?",
        "A garden is 12 meters long and 5 meters wide. What is its area?",
    ]

    private func checkInvariance(_ key: String) throws {
        let loaded = try LoadedModel(path: TestModels.require(key))
        XCTAssertEqual(loaded.transformer.precision, .quantized)
        let model = loaded.transformer
        let prompts = Self.questions.map { loaded.tokenizer.encode("Question: \($0)\nAnswer:") }
        let stops = loaded.stopTokenIDs
        func generate(_ order: [Int], width: Int, prefix: PrefixCache? = nil, drop: Int = 0) -> [[Int32]] {
            var out = [[Int32]?](repeating: nil, count: prompts.count)
            let batch = ContinuousBatch(width: width, maxNewTokens: 32, stopTokenIDs: stops)
            // Each example also stops after its own number of tokens, so rows end at different
            // steps (and slots refill mid-batch) even for a model that never says EOS.
            let done = batch.run(model: model, prompts: order.map { Array(prompts[$0].dropFirst(drop)) }, prefix: prefix,
                                 stopCondition: { i, generated in generated.count >= 8 + (order[i] * 7) % 17 }) { i, ids in
                XCTAssertNil(out[order[i]], "\(key): example \(order[i]) reported twice")
                out[order[i]] = ids
            }
            XCTAssertTrue(done.completed)
            return out.map { $0 ?? [] }
        }
        let inOrder = Array(prompts.indices)
        let alone = inOrder.map { generate([$0], width: 1)[$0] }
        XCTAssertGreaterThan(alone.map(\.count).reduce(0, +), 10 * 8, "\(key): the examples generated text")
        XCTAssertGreaterThan(Set(alone.map(\.count)).count, 3, "\(key): rows should finish at different steps")
        XCTAssertEqual(generate(inOrder, width: 4), alone, "\(key): width 4")
        XCTAssertEqual(generate(inOrder.reversed(), width: 3), alone, "\(key): width 3, reversed order")
        let shuffled = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4]
        XCTAssertEqual(generate(shuffled, width: 10), alone, "\(key): width 10, shuffled")

        // Over a shared prefix (the common "Question:" start kept in one cache), across widths.
        let common = 2
        XCTAssertTrue(prompts.allSatisfy { Array($0.prefix(common)) == Array(prompts[0].prefix(common)) })
        let prefix = PrefixCache(model: model, tokens: Array(prompts[0].prefix(common)))
        let viaPrefix = generate(inOrder, width: 1, prefix: prefix, drop: common)
        XCTAssertEqual(generate(shuffled, width: 4, prefix: prefix, drop: common), viaPrefix, "\(key): prefix, width 4")
        XCTAssertEqual(generate(inOrder.reversed(), width: 7, prefix: prefix, drop: common), viaPrefix,
                       "\(key): prefix, width 7")
    }

    /// The paths a real evaluation rarely takes, on a tiny model with fixed-order fp32 products:
    /// a prompt too long to share a step (prefilled alone, in chunks), empty suffixes after a
    /// shared prefix (first token from the prefix's logits), and a width above the prompt count.
    func testLongPromptsAndEmptySuffixesOnATinyModel() throws {
        for family in ModelFamily.allCases {
            let model = try TinyModel(family: family, seed: 40).transformer()
            model.orderedProducts = true
            let v = model.config.vocabSize
            var prompts: [[Int32]] = []
            for i in 0..<7 {
                let length = i == 3 ? 90 : 3 + 5 * i
                prompts.append((0..<length).map { j -> Int32 in Int32((j * 7 + i) % v) })
            }
            func run(_ width: Int, chunk: Int, prefix: PrefixCache? = nil, suffixes: [[Int32]]? = nil) -> [[Int32]] {
                var out = [[Int32]](repeating: [], count: prompts.count)
                let batch = ContinuousBatch(width: width, maxNewTokens: 6, stopTokenIDs: [])
                let outcome = batch.run(model: model, prompts: suffixes ?? prompts, prefix: prefix,
                                        chunkTokens: chunk) { i, ids in out[i] = ids }
                XCTAssertTrue(outcome.completed)
                return out
            }
            let alone = prompts.indices.map { i in
                model.generate(prompts: [prompts[i]], maxNewTokens: 6, stopTokenIDs: [])[0]
            }
            XCTAssertEqual(run(1, chunk: 1024), alone, "\(family) width 1")
            XCTAssertEqual(run(3, chunk: 40), alone, "\(family) width 3, the 90-token prompt prefilled alone in chunks")
            XCTAssertEqual(run(12, chunk: 1024), alone, "\(family) width above the prompt count")
            // Every prompt as prefix + suffix, one suffix empty.
            let shared = Array(prompts[0])
            let withPrefix = prompts.map { shared + $0 }
            let prefix = PrefixCache(model: model, tokens: shared)
            var expected = withPrefix.map { model.generate(prompts: [$0], maxNewTokens: 6, stopTokenIDs: [])[0] }
            expected.append(model.generate(prompts: [shared], maxNewTokens: 6, stopTokenIDs: [])[0])
            var suffixes = prompts
            suffixes.append([])
            var out = [[Int32]](repeating: [], count: suffixes.count)
            ContinuousBatch(width: 4, maxNewTokens: 6, stopTokenIDs: []).run(model: model, prompts: suffixes, prefix: prefix) {
                out[$0] = $1
            }
            XCTAssertEqual(out, expected, "\(family) shared prefix with an empty suffix")
        }
    }

    /// A stop request drops the rows in flight: only finished examples are reported, and the call
    /// says it did not complete.
    func testStopReportsOnlyFinishedExamples() throws {
        let loaded = try LoadedModel(path: TestModels.require("smollm2-135m-instruct"))
        let prompts = Self.questions.map { loaded.tokenizer.encode("Question: \($0)\nAnswer:") }
        var reported: [Int] = [], steps = 0
        let batch = ContinuousBatch(width: 4, maxNewTokens: 8, stopTokenIDs: [])
        let done = batch.run(model: loaded.transformer, prompts: prompts, shouldStop: {
            steps += 1
            return steps > 12
        }) { i, ids in
            XCTAssertEqual(ids.count, 8)
            reported.append(i)
        }
        XCTAssertFalse(done.completed)
        // 8 tokens per example, 4 rows: the first four finish at step 8, the next four at step 16.
        XCTAssertEqual(reported, [0, 1, 2, 3])
    }
}
