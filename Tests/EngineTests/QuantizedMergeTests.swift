import Foundation
import XCTest
@testable import Engine

/// Adapters merged over the quantized base (only the targeted projections in fp32) give the
/// logits of the fp32 merge (the whole model dequantized, adapters folded in) on the real
/// models: the same weights, another summation order in the untouched products.
final class QuantizedMergeTests: XCTestCase {
    func testMergeOverQuantizedBaseMatchesTheFP32Merge() throws {
        for key in ["smollm2-135m-instruct", "gemma3-270m"] {
            let path = try TestModels.require(key)
            for method in [AdapterMethod.lora, .dora] {
                let fp32 = try LoadedModel(path: path, precision: .fp32)
                let quantized = try LoadedModel(path: path)
                let c = fp32.transformer.config
                // Every projection of the first and last layers, q/v/down elsewhere: merged and
                // untouched stacked matrices side by side.
                let set = AdapterSet(config: AdapterConfig(method: method, rank: 4, alpha: 8, dropout: 0,
                                                           targets: [.q_proj, .k_proj, .v_proj, .o_proj, .gate_proj, .up_proj, .down_proj]),
                                     model: c)
                TrainingGradientTests.randomize(set, model: fp32.transformer, seed: 77)
                let tokens = quantized.tokenizer.encode("Natalia sold clips to 48 of her friends in April.")
                let before = lastLogits(quantized.transformer, tokens)
                fp32.transformer.mergeAdapters(set)
                quantized.transformer.mergeAdaptersOverQuantizedBase(set)
                XCTAssertEqual(quantized.transformer.precision, .quantized)
                XCTAssertLessThan(quantized.transformer.weightBytes, fp32.transformer.weightBytes, "no fp32 copy of the whole model")
                let reference = lastLogits(fp32.transformer, tokens)
                let merged = lastLogits(quantized.transformer, tokens)
                let scale = reference.map { abs($0) }.max()!
                let worst = zip(reference, merged).map { abs($0 - $1) }.max()! / scale
                let moved = zip(before, merged).map { abs($0 - $1) }.max()! / scale
                XCTAssertLessThan(worst, 1e-4, "\(key) \(method): max relative logit difference \(worst)")
                XCTAssertGreaterThan(moved, 1e-2, "\(key) \(method): the adapters must change the model")
                XCTAssertEqual(argmax(reference), argmax(merged))
                print("[quantized merge] \(key) \(method): max relative difference \(worst), adapters moved logits by \(moved)")
            }
        }
    }

    private func lastLogits(_ model: Transformer, _ tokens: [Int32]) -> [Float] {
        model.orderedProducts = true
        let cache = model.makeCache(rows: 1, capacity: tokens.count)
        var last: [Float] = []
        for t in tokens { last = model.decodeStep(tokens: [t], cache: cache).array(0) }
        return last
    }

    private func argmax(_ v: [Float]) -> Int { v.indices.max { v[$0] < v[$1] }! }
}
