import Foundation
import XCTest
@testable import Engine

/// PEFT-layout adapter checkpoints: names, config, llama's q/k row permutation, round trips,
/// validation errors and the atomic directory replacement.
final class AdapterCheckpointTests: XCTestCase {
    static func tinyConfig(_ family: ModelFamily) -> ModelConfig {
        ModelConfig(family: family, vocabSize: 11, dim: 8, layers: 2, heads: 2, kvHeads: 1, headDim: 4, ffnDim: 12,
                    normEps: 1e-6, ropeBase: 10_000, contextLength: 32, tiedEmbeddings: true)
    }

    /// An adapter set whose every value is distinct (so any misplaced row shows).
    static func filledSet(_ family: ModelFamily, method: AdapterMethod, rank: Int = 2) -> AdapterSet {
        let set = AdapterSet(config: AdapterConfig(method: method, rank: rank, alpha: 8, dropout: 0.1,
                                                   targets: [.q_proj, .k_proj, .v_proj, .down_proj]),
                             model: tinyConfig(family))
        for i in set.values.indices { set.values[i] = Float(i) * 0.5 - 3 }
        return set
    }

    /// Every adapter tensor's values, in order (the arena's alignment padding excluded).
    static func contents(_ set: AdapterSet) -> [Float] {
        withExtendedLifetime(set) {
            set.adapters.flatMap { Array($0.a) + Array($0.b) + ($0.magnitude.map(Array.init) ?? []) }
        }
    }

    func testRoundTripLlamaAndQwenLoRAAndDoRA() throws {
        for family in [ModelFamily.llama, .qwen2] {
            for method in [AdapterMethod.lora, .dora] {
                let folder = try HFTemporaryFolder("adapter")
                let dir = folder.url.appendingPathComponent("ckpt")
                let set = Self.filledSet(family, method: method)
                try AdapterCheckpoint.write(set, to: dir, baseModel: "HuggingFaceTB/SmolLM2-135M-Instruct")
                let back = try AdapterCheckpoint.read(directory: dir, model: set.model)
                XCTAssertEqual(back.config, set.config, "\(family) \(method)")
                XCTAssertEqual(Self.contents(back), Self.contents(set), "\(family) \(method)")
                XCTAssertEqual(back.adapters.count, 8)
                XCTAssertEqual(back.adapters.compactMap(\.magnitude).count, method == .dora ? 8 : 0)
            }
        }
    }

    /// heads 2 × headDim 4: within a head, GGUF row 2i+p is HF row 2p+i, so the engine's rows
    /// [0, 1, 2, 3] are stored as [0, 2, 1, 3]. B (rank 1) and m of q_proj/k_proj are stored
    /// permuted for llama, as is for qwen2; A and v_proj never.
    func testLlamaRowsAreUnpermutedOnDisk() throws {
        for family in [ModelFamily.llama, .qwen2] {
            let set = AdapterSet(config: AdapterConfig(method: .dora, rank: 1, alpha: 2, targets: [.q_proj, .k_proj, .v_proj]),
                                 model: Self.tinyConfig(family))
            for ad in set.adapters {
                for r in 0..<ad.outFeatures { ad.b[r] = Float(r); ad.magnitude![r] = Float(100 + r) }
                for j in ad.a.indices { ad.a[j] = Float(j) }
            }
            let folder = try HFTemporaryFolder("adapter")
            try AdapterCheckpoint.write(set, to: folder.url, baseModel: "base")
            let file = try SafeTensorsFile(path: folder.url.appendingPathComponent("adapter_model.safetensors").path)
            let p = "base_model.model.model.layers.1.self_attn."
            let llama = family == .llama
            XCTAssertEqual(try file.floats(p + "q_proj.lora_B.weight"), llama ? [0, 2, 1, 3, 4, 6, 5, 7] : [0, 1, 2, 3, 4, 5, 6, 7])
            XCTAssertEqual(try file.floats(p + "k_proj.lora_B.weight"), llama ? [0, 2, 1, 3] : [0, 1, 2, 3])
            XCTAssertEqual(try file.floats(p + "k_proj.lora_magnitude_vector"), llama ? [100, 102, 101, 103] : [100, 101, 102, 103])
            XCTAssertEqual(try file.floats(p + "v_proj.lora_B.weight"), [0, 1, 2, 3])
            XCTAssertEqual(try file.floats(p + "q_proj.lora_A.weight"), (0..<8).map(Float.init))
            XCTAssertEqual(file.tensor(named: p + "q_proj.lora_B.weight")?.shape, [8, 1])
            XCTAssertEqual(file.metadata["format"], "pt")
        }
    }

    func testTensorNamesAndConfigJSON() throws {
        let folder = try HFTemporaryFolder("adapter")
        let set = Self.filledSet(.llama, method: .dora, rank: 4)
        try AdapterCheckpoint.write(set, to: folder.url, baseModel: "HuggingFaceTB/SmolLM2-135M-Instruct")
        let file = try SafeTensorsFile(path: folder.url.appendingPathComponent("adapter_model.safetensors").path)
        let names = Set(file.tensors.map(\.name))
        XCTAssertEqual(names.count, 2 * 4 * 3)
        XCTAssertTrue(names.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"))
        XCTAssertTrue(names.contains("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"))
        XCTAssertTrue(names.contains("base_model.model.model.layers.1.mlp.down_proj.lora_magnitude_vector"))
        XCTAssertEqual(file.tensor(named: "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight")?.shape, [4, 12])
        let data = try Data(contentsOf: folder.url.appendingPathComponent("adapter_config.json"))
        let j = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(j["peft_type"] as? String, "LORA")
        XCTAssertEqual(j["task_type"] as? String, "CAUSAL_LM")
        XCTAssertEqual(j["r"] as? Int, 4)
        XCTAssertEqual(j["lora_alpha"] as? Int, 8)
        XCTAssertEqual(j["lora_dropout"] as? Double, 0.1, "written as the decimal the user gave")
        XCTAssertEqual(j["target_modules"] as? [String], ["q_proj", "k_proj", "v_proj", "down_proj"])
        XCTAssertEqual(j["use_dora"] as? Bool, true)
        XCTAssertEqual(j["use_rslora"] as? Bool, false)
        XCTAssertEqual(j["bias"] as? String, "none")
        XCTAssertEqual(j["fan_in_fan_out"] as? Bool, false)
        XCTAssertEqual(j["init_lora_weights"] as? Bool, true)
        XCTAssertEqual(j["base_model_name_or_path"] as? String, "HuggingFaceTB/SmolLM2-135M-Instruct")
    }

    /// Errors name the file and the tensor or key.
    func testReadValidation() throws {
        let folder = try HFTemporaryFolder("adapter")
        let set = Self.filledSet(.qwen2, method: .lora)
        try AdapterCheckpoint.write(set, to: folder.url, baseModel: "b")
        let weights = folder.url.appendingPathComponent("adapter_model.safetensors").path
        func expectError(_ model: ModelConfig, _ parts: [String], line: UInt = #line) {
            XCTAssertThrowsError(try AdapterCheckpoint.read(directory: folder.url, model: model), line: line) { e in
                for p in parts { XCTAssertTrue("\(e)".contains(p), "\(e) lacks \(p)", line: line) }
            }
        }
        // A model with a wider FFN: down_proj's A no longer fits.
        var wider = set.model
        wider.ffnDim = 16
        expectError(wider, [weights, "base_model.model.model.layers.0.mlp.down_proj.lora_A.weight", "shape [2, 12]"])
        // A model with three layers: layer 2's tensors are missing.
        var deeper = set.model
        deeper.layers = 3
        expectError(deeper, [weights, "layers.2.self_attn.q_proj.lora_A.weight", "missing"])
        // A model with one layer: layer 1's tensors are extra.
        var shallow = set.model
        shallow.layers = 1
        expectError(shallow, [weights, "layers.1.", "not an adapter tensor"])
        // Config problems name the key.
        let configURL = folder.url.appendingPathComponent("adapter_config.json")
        var j = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        j["peft_type"] = "IA3"
        try JSONSerialization.data(withJSONObject: j).write(to: configURL)
        expectError(set.model, [configURL.path, "peft_type", "IA3"])
        j["peft_type"] = "LORA"; j["target_modules"] = "q_proj|v_proj"
        try JSONSerialization.data(withJSONObject: j).write(to: configURL)
        expectError(set.model, [configURL.path, "target_modules", "regular expression"])
        j["target_modules"] = ["q_proj", "lm_head"]
        try JSONSerialization.data(withJSONObject: j).write(to: configURL)
        expectError(set.model, ["target_modules", "'lm_head'"])
        j["target_modules"] = ["q_proj"]; j["r"] = "8"
        try JSONSerialization.data(withJSONObject: j).write(to: configURL)
        expectError(set.model, ["r", "expected a number"])
    }

    /// Rewriting replaces the directory whole; a failure while writing leaves the old checkpoint
    /// untouched and no staging folders behind.
    func testAtomicReplacement() throws {
        let folder = try HFTemporaryFolder("adapter")
        let dir = folder.url.appendingPathComponent("step-100")
        let first = Self.filledSet(.llama, method: .lora)
        try AdapterCheckpoint.write(first, to: dir, baseModel: "b") { staging in
            try Data("{}".utf8).write(to: staging.appendingPathComponent("trainer_state.json"))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("trainer_state.json").path))
        struct Boom: Error {}
        let second = Self.filledSet(.llama, method: .lora)
        second.values.update(repeating: 1)
        XCTAssertThrowsError(try AdapterCheckpoint.write(second, to: dir, baseModel: "b") { _ in throw Boom() })
        XCTAssertEqual(Self.contents(try AdapterCheckpoint.read(directory: dir, model: first.model)), Self.contents(first))
        try AdapterCheckpoint.write(second, to: dir, baseModel: "b")
        XCTAssertEqual(Self.contents(try AdapterCheckpoint.read(directory: dir, model: first.model)), Self.contents(second))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("trainer_state.json").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.url.path), ["step-100"])
    }
}
