import Foundation
import XCTest
@testable import Engine

/// The three study models against `loss_reference` in `../shared/reference/<key>.json`
/// (transformers + PEFT, fp32): the mean answer-token loss, full fine-tuning gradient norms, and
/// the layer-0 q_proj LoRA / DoRA gradients with that file's lora_A. Release builds only (a debug
/// build takes minutes per model); skipped when a model file is absent.
final class TrainingReferenceTests: XCTestCase {
    func testSmolLM2TrainingReference() throws { try checkModel("smollm2-135m-instruct") }
    func testGemma3TrainingReference() throws { try checkModel("gemma3-270m") }
    func testQwen2TrainingReference() throws { try checkModel("qwen2.5-coder-0.5b-instruct") }

    private func checkModel(_ key: String) throws {
        #if DEBUG
        throw XCTSkip("real-model training references run in release builds (swift test -c release -Xswiftc -enable-testing)")
        #else
        let path = try TestModels.require(key)
        let url = ReferenceNumbers.directory.appendingPathComponent("\(key).json")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("\(url.path) is absent") }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let ref = json["loss_reference"] as! [String: Any]
        let ids = (ref["input_ids"] as! [NSNumber]).map { Int32($0.intValue) }
        let prompt = (ref["num_prompt_tokens_masked"] as! NSNumber).intValue
        let sequence = TrainingSequence(tokens: ids, promptTokens: prompt)
        let model = try Transformer(ggufPath: path)
        let c = model.config
        var lines: [String] = []
        func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-12) }
        func expectClose(_ a: Double, _ b: Double, _ what: String) {
            let r = rel(a, b)
            lines.append("\(what): \(a) vs \(b) (rel. diff \(String(format: "%.2e", r)))")
            XCTAssertLessThan(r, 1e-3, "\(key) \(what): \(a) vs reference \(b)")
        }
        func norm(_ b: UnsafeMutableBufferPointer<Float>) -> Double {
            b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        }

        // Full fine-tuning.
        do {
            let full = ref["full_finetune"] as! [String: Any]
            let norms = full["grad_l2_norms"] as! [String: NSNumber]
            let graph = try TrainingGraph(transformer: model, method: .full, adapters: nil, maxTokens: ids.count)
            graph.zeroGradients()
            let answers = ids.count - prompt
            let r = graph.accumulate([sequence], lossScale: 1 / Float(answers), dropoutSeed: 0)
            XCTAssertEqual(r.answerTokens, answers)
            expectClose(r.lossSum / Double(r.answerTokens), (full["loss"] as! NSNumber).doubleValue, "full loss")
            let tensors = Dictionary(uniqueKeysWithValues: graph.trainableTensors.map { ($0.name, $0) })
            for (name, expected) in norms {
                let engineName = name.hasPrefix("lm_head") ? "lm_head.weight" : "model." + name
                guard let t = tensors[engineName] else { XCTFail("\(key): no tensor \(engineName)"); continue }
                expectClose(norm(t.grad), expected.doubleValue, "full ‖∇\(name)‖")
            }
        }

        // LoRA and DoRA: r = 8, α = 16, all seven projections, layer-0 q_proj A from the file, B = 0.
        for method in [AdapterMethod.lora, .dora] {
            let entry = ref[method.rawValue] as! [String: Any]
            let a0 = ((ref["lora"] as! [String: Any])["layers.0.self_attn.q_proj.lora_A.weight"] as! [[NSNumber]])
            let set = AdapterSet(config: AdapterConfig(method: method, rank: 8, alpha: 16, dropout: 0), model: c)
            set.initialize(seed: 0) { model.baseWeight(layer: $0, $1) }
            let q0 = set.adapter(layer: 0, .q_proj)!
            for (r, row) in a0.enumerated() { for (i, v) in row.enumerated() { q0.a[r * q0.inFeatures + i] = v.floatValue } }
            XCTAssertEqual(set.values.count >= (entry["trainable_parameters"] as! NSNumber).intValue, true)
            let counted = set.trainableTensors.reduce(0) { $0 + $1.value.count }
            XCTAssertEqual(counted, (entry["trainable_parameters"] as! NSNumber).intValue, "\(key) \(method) parameter count")
            let graph = try TrainingGraph(transformer: model, method: method == .dora ? .dora : .lora, adapters: set,
                                          maxTokens: ids.count)
            graph.zeroGradients()
            let r = graph.accumulate([sequence], lossScale: 1 / Float(ids.count - prompt), dropoutSeed: 0)
            expectClose(r.lossSum / Double(r.answerTokens), (entry["loss"] as! NSNumber).doubleValue, "\(method) loss")
            expectClose(norm(q0.gradB), (entry["layers.0.self_attn.q_proj.lora_B.grad_l2_norm"] as! NSNumber).doubleValue,
                        "\(method) ‖∇B‖ layer-0 q_proj")
            XCTAssertEqual(norm(q0.gradA), 0, "\(key) \(method): A's gradient is 0 while B = 0")
            // B's top-left 4×4 (Hugging Face rows; llama's q rows r < headDim/2 are engine rows 2r).
            let topLeft = entry["lora_B_grad_top_left_4x4"] as! [[NSNumber]]
            var worst = 0.0, scale = 0.0
            for (i, row) in topLeft.enumerated() {
                let engineRow = c.family == .llama ? 2 * i : i
                for (j, v) in row.enumerated() {
                    worst = max(worst, abs(Double(q0.gradB[engineRow * 8 + j]) - v.doubleValue))
                    scale = max(scale, abs(v.doubleValue))
                }
            }
            XCTAssertLessThan(worst / scale, 2e-3, "\(key) \(method): lora_B gradient top-left 4×4")
            lines.append("\(method) ∇B top-left 4×4: max abs diff / max \(String(format: "%.2e", worst / scale))")
            if method == .dora, let gm = q0.gradMagnitude {
                expectClose(norm(gm), (entry["layers.0.self_attn.q_proj.lora_magnitude_vector.grad_l2_norm"] as! NSNumber).doubleValue,
                            "dora ‖∇m‖ layer-0 q_proj")
            }
        }
        print("[training reference] \(key):\n  " + lines.joined(separator: "\n  "))
        #endif
    }
}
