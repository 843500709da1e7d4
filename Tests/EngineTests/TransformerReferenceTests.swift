import Foundation
import XCTest
@testable import Engine

/// The three study models against the transformers fp32 reference numbers in
/// `../shared/reference/<key>.json` (see that folder's README for how they were made).
/// Skipped when a model file is absent (`Scripts/fetch-models`).
final class TransformerReferenceTests: XCTestCase {
    func testSmolLM2MatchesReference() throws { try checkModel("smollm2-135m-instruct", eos: 2) }
    func testGemma3MatchesReference() throws { try checkModel("gemma3-270m", eos: 1) }
    func testQwen2MatchesReference() throws { try checkModel("qwen2.5-coder-0.5b-instruct", eos: 151_645) }

    // The same checks on the GGUF's quantized blocks (the inference default).
    func testQuantizedSmolLM2MatchesReference() throws { try checkModel("smollm2-135m-instruct", eos: 2, precision: .quantized) }
    func testQuantizedGemma3MatchesReference() throws { try checkModel("gemma3-270m", eos: 1, precision: .quantized) }
    func testQuantizedQwen2MatchesReference() throws {
        try checkModel("qwen2.5-coder-0.5b-instruct", eos: 151_645, precision: .quantized)
    }
    /// The fourth size (28 blocks, d 1536, 12/2 heads, untied head) on its Q4_K/Q6_K blocks, as
    /// every evaluation runs it; the prompt's token ids come from ftlab's own tokenizer.
    func testQuantizedQwen2_1_5BMatchesReference() throws {
        let key = "qwen2.5-coder-1.5b-instruct"
        let path = try TestModels.require(key)
        let reference = try ReferenceNumbers(key: key)
        let loaded = try LoadedModel(path: path)
        XCTAssertEqual(loaded.tokenizer.encode(reference.prompt), reference.promptTokenIDs, "\(key): prompt ids")
        let c = loaded.transformer.config
        XCTAssertEqual([c.layers, c.dim, c.heads, c.kvHeads], [28, 1536, 12, 2])
        XCTAssertFalse(c.tiedEmbeddings, "\(key): untied output head")
        try checkModel(key, eos: 151_645, precision: .quantized)
    }

    // Quantized products vs the fp32 (OpenBLAS) path: the same weights, only the summation order
    // differs, so last-position logits agree to 1e-4 relative on the reference prompts.
    func testSmolLM2QuantizedLogitsMatchFP32() throws { try compareToFP32("smollm2-135m-instruct") }
    func testGemma3QuantizedLogitsMatchFP32() throws { try compareToFP32("gemma3-270m") }
    func testQwen2QuantizedLogitsMatchFP32() throws { try compareToFP32("qwen2.5-coder-0.5b-instruct") }

    private func compareToFP32(_ key: String) throws {
        let path = try TestModels.require(key)
        let reference = try ReferenceNumbers(key: key)
        let quantized = try Transformer(ggufPath: path, precision: .quantized)
        let fp32 = try Transformer(ggufPath: path, precision: .fp32)
        XCTAssertLessThan(quantized.weightBytes, fp32.weightBytes / 3, "\(key): no fp32 copy of the weights")
        let prompts = [reference.promptTokenIDs, reference.lossInputIDs, reference.promptTokenIDs + reference.greedyIDs]
        for (i, tokens) in prompts.enumerated() {
            let a = quantized.logits(tokens: tokens), b = fp32.logits(tokens: tokens)
            var worst: Float = 0
            for j in b.indices { worst = max(worst, abs(a[j] - b[j]) / max(abs(b[j]), 1)) }
            XCTAssertLessThanOrEqual(worst, 1e-4, "\(key): prompt \(i) max relative logit difference")
            print("[quantized vs fp32] \(key) prompt \(i) (\(tokens.count) tokens): max relative difference \(worst)")
        }
    }

    private func checkModel(_ key: String, eos: Int32, precision: WeightPrecision = .fp32) throws {
        let path = try TestModels.require(key)
        let reference = try ReferenceNumbers(key: key)
        let model = try Transformer(ggufPath: path, precision: precision)

        // Last-position logits of P1.
        let logits = model.logits(tokens: reference.promptTokenIDs)
        XCTAssertEqual(logits.count, reference.vocabSize, key)
        let top10 = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }.prefix(10)
        XCTAssertEqual(Array(top10), reference.top10IDs, "\(key): top-10 ids")
        var worst = 0.0
        for (id, expected) in zip(reference.top10IDs, reference.top10Logits) {
            worst = max(worst, relativeDifference(logits[id], expected))
        }
        for (id, expected) in reference.logitsOfIDs0to15.enumerated() {
            worst = max(worst, relativeDifference(logits[id], expected))
        }
        XCTAssertLessThan(worst, 1e-3, "\(key): max relative logit difference")
        let mean = logits.reduce(0.0) { $0 + Double($1) } / Double(logits.count)
        let std = (logits.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(logits.count)).squareRoot()
        XCTAssertLessThan(abs(mean - reference.mean) / max(abs(reference.mean), 1), 1e-4, "\(key): mean")
        XCTAssertLessThan(abs(std - reference.std) / max(abs(reference.std), 1), 1e-4, "\(key): std")

        // 48 greedy tokens, compared up to the first step whose top-1 margin is a near-tie.
        let generated = model.generate(prompts: [reference.promptTokenIDs], maxNewTokens: reference.greedyIDs.count,
                                       stopTokenIDs: [eos])[0]
        let comparable = reference.comparableGreedySteps
        XCTAssertEqual(Array(generated.prefix(comparable)), Array(reference.greedyIDs.prefix(comparable)),
                       "\(key): greedy continuation (first \(comparable) steps)")
        print("[reference] \(key): max relative logit diff \(worst), mean \(mean) vs \(reference.mean), "
              + "std \(std) vs \(reference.std), greedy \(zip(generated, reference.greedyIDs).prefix { $0 == $1 }.count)"
              + "/\(reference.greedyIDs.count) identical (\(comparable) comparable)")

        // Batching with left padding and a shared prefix give the same tokens as batch-1 runs.
        let p = reference.promptTokenIDs
        let prompts = [p, Array(p.prefix(17)), Array(p.prefix(30))]
        let batched = model.generate(prompts: prompts, maxNewTokens: 12, stopTokenIDs: [eos])
        XCTAssertEqual(batched[0], Array(generated.prefix(12)), "\(key): batched row 0")
        for i in 1..<prompts.count {
            XCTAssertEqual(batched[i], model.generate(prompts: [prompts[i]], maxNewTokens: 12, stopTokenIDs: [eos])[0],
                           "\(key): batched row \(i)")
        }
        let prefix = PrefixCache(model: model, tokens: Array(p.prefix(12)))
        let viaPrefix = model.generate(prefix: prefix, suffixes: prompts.map { Array($0.dropFirst(12)) },
                                       maxNewTokens: 12, stopTokenIDs: [eos])
        XCTAssertEqual(viaPrefix, batched, "\(key): shared-prefix generation")
    }

    private func relativeDifference(_ a: Float, _ b: Double) -> Double {
        abs(Double(a) - b) / max(abs(b), 1)
    }
}

/// The parts of a reference JSON these tests use.
struct ReferenceNumbers {
    let prompt: String
    let promptTokenIDs: [Int32]
    let top10IDs: [Int]
    let top10Logits: [Double]
    let logitsOfIDs0to15: [Double]
    let mean: Double
    let std: Double
    let vocabSize: Int
    let greedyIDs: [Int32]
    let greedyMargins: [Double]
    let greedyTop1: [Double]
    /// `loss_reference.input_ids`: the P1 prompt with its answer.
    let lossInputIDs: [Int32]

    /// `../shared/reference`, found from this file's path (Tests/EngineTests/ → repository root).
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/reference")
    }

    init(key: String) throws {
        let url = Self.directory.appendingPathComponent("\(key).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("reference numbers \(url.path) are absent")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let p1 = json["P1"] as! [String: Any]
        let greedy = p1["greedy"] as! [String: Any]
        func doubles(_ v: Any?) -> [Double] { (v as! [NSNumber]).map(\.doubleValue) }
        func ints(_ v: Any?) -> [Int] { (v as! [NSNumber]).map(\.intValue) }
        prompt = p1["prompt"] as! String
        promptTokenIDs = ints(p1["prompt_token_ids"]).map(Int32.init)
        top10IDs = ints(p1["top10_next_token_ids"])
        top10Logits = doubles(p1["top10_next_token_logits"])
        logitsOfIDs0to15 = doubles(p1["last_logits_token_ids_0_15"])
        mean = (p1["last_logits_mean"] as! NSNumber).doubleValue
        std = (p1["last_logits_std_population"] as! NSNumber).doubleValue
        vocabSize = (p1["vocab_size_of_logits"] as! NSNumber).intValue
        greedyIDs = ints(greedy["new_token_ids"]).map(Int32.init)
        // The 1.5B's file names the per-step numbers differently.
        greedyMargins = doubles(greedy["step_top1_minus_top2"] ?? greedy["margin_over_second"])
        greedyTop1 = doubles(greedy["step_top1_logit"] ?? greedy["top1_logits"])
        // The 1.5B's file holds `P1` only (see the reference README).
        lossInputIDs = ((json["loss_reference"] as? [String: Any])?["input_ids"]).map { ints($0).map(Int32.init) } ?? []
    }

    /// Steps before the first near-tie (margin < 1e-3 of the top-1 logit): from there on a correct
    /// implementation may legitimately pick the other token and diverge.
    var comparableGreedySteps: Int {
        for i in greedyMargins.indices where greedyMargins[i] < 1e-3 * max(abs(greedyTop1[i]), 1) {
            return i
        }
        return greedyIDs.count
    }
}
