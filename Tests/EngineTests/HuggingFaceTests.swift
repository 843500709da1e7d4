import Foundation
import XCTest
@testable import Engine

/// A fresh temporary folder, removed on deinit.
final class HFTemporaryFolder {
    let url: URL
    init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Unit tests: the RoPE row permutation, name mapping, config.json parsing and its errors.
final class HuggingFaceUnitTests: XCTestCase {
    func testRoPEPermutationRoundTripAndLayout() {
        let heads = 3, headDim = 8, cols = 5
        let rows = heads * headDim
        let original = (0..<(rows * cols)).map { Float($0) }
        var m = original
        m.withUnsafeMutableBufferPointer { HuggingFaceNames.permute($0, heads: heads, rows: rows, toGGUF: true) }
        XCTAssertNotEqual(m, original)
        // Within head h, GGUF row 2i+p is HF row p·4+i: GGUF row 1 of head 1 is HF row 8+4.
        XCTAssertEqual(m[(8 + 1) * cols], original[(8 + 4) * cols])
        XCTAssertEqual(m[(8 + 2) * cols], original[(8 + 1) * cols])
        m.withUnsafeMutableBufferPointer { HuggingFaceNames.permute($0, heads: heads, rows: rows, toGGUF: false) }
        XCTAssertEqual(m, original)
    }

    /// Adjacent-pair RoPE on permuted rows equals half-split RoPE on the original rows — the
    /// reason the permutation exists. Checked on q·k scores of one head.
    func testPermutationTurnsHalfSplitIntoAdjacentPairs() {
        let d = 8, pos = 3
        let q = (0..<d).map { Float($0) * 0.3 - 1 }
        func rope(_ x: [Float], adjacent: Bool) -> [Float] {
            var y = x
            for i in 0..<(d / 2) {
                let theta = Float(pos) * pow(10_000, -Float(2 * i) / Float(d))
                let (a, b) = adjacent ? (2 * i, 2 * i + 1) : (i, i + d / 2)
                y[a] = x[a] * cos(theta) - x[b] * sin(theta)
                y[b] = x[a] * sin(theta) + x[b] * cos(theta)
            }
            return y
        }
        var permuted = q
        permuted.withUnsafeMutableBufferPointer { HuggingFaceNames.permute($0, heads: 1, rows: d, toGGUF: true) }
        var back = rope(permuted, adjacent: true)
        back.withUnsafeMutableBufferPointer { HuggingFaceNames.permute($0, heads: 1, rows: d, toGGUF: false) }
        let expected = rope(q, adjacent: false)
        for i in 0..<d { XCTAssertEqual(back[i], expected[i], accuracy: 1e-5) }
    }

    func testGemmaNormNames() {
        XCTAssertEqual(HuggingFaceNames.huggingFaceName(forGGUF: "blk.2.ffn_norm.weight", family: .gemma3),
                       "model.layers.2.pre_feedforward_layernorm.weight")
        XCTAssertEqual(HuggingFaceNames.huggingFaceName(forGGUF: "blk.2.post_attention_norm.weight", family: .gemma3),
                       "model.layers.2.post_attention_layernorm.weight")
        XCTAssertEqual(HuggingFaceNames.huggingFaceName(forGGUF: "blk.2.post_ffw_norm.weight", family: .gemma3),
                       "model.layers.2.post_feedforward_layernorm.weight")
        XCTAssertEqual(HuggingFaceNames.huggingFaceName(forGGUF: "blk.2.ffn_norm.weight", family: .llama),
                       "model.layers.2.post_attention_layernorm.weight")
        XCTAssertEqual(HuggingFaceNames.huggingFaceName(forGGUF: "blk.0.attn_k.bias", family: .qwen2),
                       "model.layers.0.self_attn.k_proj.bias")
        XCTAssertEqual(HuggingFaceNames.canonical("language_model.model.layers.0.mlp.up_proj.weight"), "model.layers.0.mlp.up_proj.weight")
        XCTAssertEqual(HuggingFaceNames.canonical("model.language_model.norm.weight"), "model.norm.weight")
        XCTAssertNil(HuggingFaceNames.canonical("vision_tower.encoder.layers.0.weight"))
    }

    private func parse(_ json: String) throws -> HuggingFaceConfig {
        try HuggingFaceConfig(data: Data(json.utf8), file: "/x/config.json")
    }

    private func assertError(_ json: String, key: String, contains text: String = "", line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), line: line) { error in
            guard let e = error as? HuggingFaceError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(e.file, "/x/config.json", line: line)
            XCTAssertEqual(e.key, key, "\(e)", line: line)
            XCTAssertTrue(text.isEmpty || e.description.contains(text), "\(e)", line: line)
            XCTAssertTrue(e.description.hasPrefix("/x/config.json: \(key): "), "\(e)", line: line)
        }
    }

    static let llama = #"{"model_type":"llama","hidden_size":576,"intermediate_size":1536,"num_hidden_layers":30,"num_attention_heads":9,"num_key_value_heads":3,"rms_norm_eps":1e-05,"rope_theta":100000.0,"vocab_size":49152,"tie_word_embeddings":true,"max_position_embeddings":8192}"#

    func testParsesTheStudyConfigs() throws {
        let l = try parse(Self.llama).modelConfig
        XCTAssertEqual(l, ModelConfig(family: .llama, vocabSize: 49152, dim: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64,
                                      ffnDim: 1536, normEps: 1e-5, ropeBase: 100_000, contextLength: 8192, tiedEmbeddings: true))
        // transformers-5 style: rope_parameters per layer type, layer_types.
        let types = (0..<18).map { ($0 + 1) % 6 == 0 ? "\"full_attention\"" : "\"sliding_attention\"" }.joined(separator: ",")
        let gemma = try parse(#"{"model_type":"gemma3_text","hidden_size":640,"intermediate_size":2048,"num_hidden_layers":18,"num_attention_heads":4,"num_key_value_heads":1,"head_dim":256,"rms_norm_eps":1e-06,"vocab_size":262144,"sliding_window":512,"query_pre_attn_scalar":256,"rope_parameters":{"sliding_attention":{"rope_type":"default","rope_theta":10000.0},"full_attention":{"rope_type":"default","rope_theta":1000000.0}},"layer_types":["#
            + types + "]}").modelConfig
        XCTAssertEqual(gemma, ModelConfig(family: .gemma3, vocabSize: 262_144, dim: 640, layers: 18, heads: 4, kvHeads: 1, headDim: 256,
                                          ffnDim: 2048, normEps: 1e-6, ropeBase: 1e6, contextLength: 131_072, tiedEmbeddings: true,
                                          localRopeBase: 10_000, slidingWindow: 512, globalLayerInterval: 6, attentionScale: 1.0 / 16))
        // The multimodal wrapper: text_config holds the text model.
        let wrapped = try parse(#"{"model_type":"gemma3","text_config":{"hidden_size":640,"intermediate_size":2048,"num_hidden_layers":6,"num_attention_heads":4,"num_key_value_heads":1,"vocab_size":262208,"rope_theta":1000000.0,"rope_local_base_freq":10000.0,"sliding_window_pattern":6}}"#)
        XCTAssertEqual(wrapped.modelType, "gemma3_text")
        XCTAssertEqual(wrapped.modelConfig.globalLayerInterval, 6)
        XCTAssertEqual(wrapped.modelConfig.slidingWindow, 4096)
        let qwen = try parse(#"{"model_type":"qwen2","hidden_size":896,"intermediate_size":4864,"num_hidden_layers":24,"num_attention_heads":14,"num_key_value_heads":2,"head_dim":null,"rms_norm_eps":1e-06,"rope_theta":1000000.0,"vocab_size":151936,"tie_word_embeddings":false,"sliding_window":32768,"use_sliding_window":false,"eos_token_id":[151645,151643]}"#)
        XCTAssertEqual(qwen.modelConfig.headDim, 64)
        XCTAssertEqual(qwen.modelConfig.slidingWindow, nil)
        XCTAssertEqual(qwen.modelConfig.qkvBias, true)
        XCTAssertEqual(qwen.eosTokenIDs, [151_645, 151_643])
    }

    func testConfigErrorsNameFileAndKey() {
        assertError("[1]", key: "file", contains: "not a JSON object")
        assertError(#"{"hidden_size":4}"#, key: "model_type", contains: "missing")
        assertError(#"{"model_type":"mistral"}"#, key: "model_type", contains: "unsupported model type 'mistral'")
        assertError(Self.llama.replacingOccurrences(of: #""hidden_size":576,"#, with: ""), key: "hidden_size", contains: "missing")
        assertError(Self.llama.replacingOccurrences(of: #""num_hidden_layers":30"#, with: #""num_hidden_layers":"30""#),
                    key: "num_hidden_layers", contains: "expected a number")
        assertError(Self.llama.replacingOccurrences(of: #""num_hidden_layers":30"#, with: #""num_hidden_layers":30.5"#),
                    key: "num_hidden_layers", contains: "expected an integer")
        assertError(Self.llama.replacingOccurrences(of: #""tie_word_embeddings":true"#, with: #""tie_word_embeddings":1"#),
                    key: "tie_word_embeddings", contains: "expected true or false")
        assertError(Self.llama.replacingOccurrences(of: "}", with: #","rope_scaling":{"rope_type":"llama3","factor":8}}"#),
                    key: "rope_scaling", contains: "'llama3'")
        assertError(Self.llama.replacingOccurrences(of: "}", with: #","attention_bias":true}"#), key: "attention_bias")
        assertError(Self.llama.replacingOccurrences(of: #""num_key_value_heads":3"#, with: #""num_key_value_heads":4"#),
                    key: "num_attention_heads", contains: "multiple of kvHeads")
        assertError(#"{"model_type":"gemma3"}"#, key: "text_config", contains: "missing")
        assertError(#"{"model_type":"gemma3","text_config":{"hidden_size":640}}"#, key: "text_config.num_attention_heads", contains: "missing")
        assertError(#"{"model_type":"gemma3_text","hidden_size":640,"intermediate_size":2048,"num_hidden_layers":3,"num_attention_heads":4,"vocab_size":10,"layer_types":["full_attention","sliding_attention","full_attention"]}"#,
                    key: "layer_types", contains: "pattern")
        assertError(#"{"model_type":"gemma3_text","hidden_size":640,"intermediate_size":2048,"num_hidden_layers":3,"num_attention_heads":4,"vocab_size":10,"final_logit_softcapping":30.0}"#,
                    key: "final_logit_softcapping")
        assertError(#"{"model_type":"qwen2","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4,"vocab_size":10,"use_sliding_window":true}"#,
                    key: "use_sliding_window")
    }

    /// A tiny random llama and gemma3 written as two shards with an index (HF layout), loaded
    /// through `HuggingFaceCheckpoint`, equal the same weights given to the engine in GGUF layout.
    func testShardedCheckpointMatchesDirectWeights() throws {
        for family in [ModelFamily.llama, .gemma3] {
            let c = ModelConfig(family: family, vocabSize: 37, dim: 16, layers: 2, heads: 4, kvHeads: 2, headDim: 8, ffnDim: 24,
                                normEps: 1e-6, ropeBase: 10_000, contextLength: 64, tiedEmbeddings: family == .gemma3,
                                localRopeBase: family == .gemma3 ? 10_000 : nil, slidingWindow: family == .gemma3 ? 4 : nil,
                                globalLayerInterval: family == .gemma3 ? 2 : nil, attentionScale: family == .gemma3 ? 0.25 : nil)
            var rng = SplitMix64(seed: 11)
            var engine: [String: [Float]] = [:]   // GGUF names, engine layout
            var shards = [SafeTensorsWriter(), SafeTensorsWriter()]
            var weightMap: [String: String] = [:]
            for (i, name) in HuggingFaceNames.ggufTensorNames(for: c).enumerated() {
                let rows: Int, cols: Int
                switch name {
                case "token_embd.weight", "output.weight": (rows, cols) = (c.vocabSize, c.dim)
                case _ where name.hasSuffix("attn_q.weight"): (rows, cols) = (c.qDim, c.dim)
                case _ where name.hasSuffix("attn_k.weight") || name.hasSuffix("attn_v.weight"): (rows, cols) = (c.kvDim, c.dim)
                case _ where name.hasSuffix("attn_output.weight"): (rows, cols) = (c.dim, c.qDim)
                case _ where name.hasSuffix("ffn_gate.weight") || name.hasSuffix("ffn_up.weight"): (rows, cols) = (c.ffnDim, c.dim)
                case _ where name.hasSuffix("ffn_down.weight"): (rows, cols) = (c.dim, c.ffnDim)
                case _ where name.hasSuffix("q_norm.weight") || name.hasSuffix("k_norm.weight"): (rows, cols) = (1, c.headDim)
                default: (rows, cols) = (1, c.dim)
                }
                let hfValues = (0..<(rows * cols)).map { _ in Float(rng.nextDouble() - 0.5) * 0.5 }
                var values = hfValues
                switch HuggingFaceNames.transform(forGGUF: name, config: c) {
                case .none: break
                case .normShift: values = values.map { $0 + 1 }
                case .ropePermute(let heads):
                    values.withUnsafeMutableBufferPointer { HuggingFaceNames.permute($0, heads: heads, rows: rows, toGGUF: true) }
                }
                engine[name] = values
                let hf = HuggingFaceNames.huggingFaceName(forGGUF: name, family: family)!
                try shards[i % 2].add(hf, shape: rows == 1 ? [cols] : [rows, cols], values: hfValues)
                weightMap[hf] = "model-0000\(i % 2 + 1)-of-00002.safetensors"
            }
            let folder = try HFTemporaryFolder("hf-shards")
            for (i, shard) in shards.enumerated() {
                try shard.write(to: folder.url.appendingPathComponent("model-0000\(i + 1)-of-00002.safetensors").path)
            }
            try JSONSerialization.data(withJSONObject: ["metadata": [:] as [String: Any], "weight_map": weightMap])
                .write(to: folder.url.appendingPathComponent("model.safetensors.index.json"))
            try JSONSerialization.data(withJSONObject: HuggingFaceExport.configJSON(c))
                .write(to: folder.url.appendingPathComponent("config.json"))

            let checkpoint = try HuggingFaceCheckpoint(directory: folder.url)
            XCTAssertEqual(checkpoint.config, c, "\(family)")
            XCTAssertEqual(checkpoint.files.count, 2)
            let viaHF = try Transformer(huggingFace: checkpoint)
            let direct = try Transformer(config: c) { engine[$0]! }
            let tokens: [Int32] = [1, 5, 9, 30, 2, 7, 7, 11]
            XCTAssertEqual(viaHF.logits(tokens: tokens), direct.logits(tokens: tokens), "\(family)")

            // A shard holding a tensor the index does not give it is an error naming the tensor.
            weightMap[weightMap.keys.sorted()[0]] = weightMap[weightMap.keys.sorted()[0]]!.hasPrefix("model-00001") ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors"
            try JSONSerialization.data(withJSONObject: ["weight_map": weightMap])
                .write(to: folder.url.appendingPathComponent("model.safetensors.index.json"))
            XCTAssertThrowsError(try HuggingFaceCheckpoint(directory: folder.url)) { error in
                XCTAssertTrue("\(error)".contains("not listed for this shard"), "\(error)")
            }
        }
    }

    func testMissingFileAndWeightsAreNamed() throws {
        let folder = try HFTemporaryFolder("hf-unit")
        XCTAssertThrowsError(try HuggingFaceCheckpoint(directory: folder.url)) { error in
            XCTAssertEqual((error as? HuggingFaceError)?.key, "file", "\(error)")
            XCTAssertTrue("\(error)".contains("config.json"), "\(error)")
        }
        try Data(Self.llama.utf8).write(to: folder.url.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try HuggingFaceCheckpoint(directory: folder.url)) { error in
            XCTAssertEqual((error as? HuggingFaceError)?.key, "*.safetensors", "\(error)")
        }
    }
}

/// The three study models exported to Hugging Face directories and loaded back. Skipped when a
/// model file is absent. Release: `swift test -c release -Xswiftc -enable-testing --filter HuggingFace`.
final class HuggingFaceRealModelTests: XCTestCase {
    func testSmolLM2RoundTrip() throws { try roundTrip("smollm2-135m-instruct") }
    func testQwen2RoundTrip() throws { try roundTrip("qwen2.5-coder-0.5b-instruct") }
    func testGemma3RoundTrip() throws { try roundTrip("gemma3-270m") }

    private func roundTrip(_ key: String) throws {
        let path = try TestModels.require(key)
        let reference = try ReferenceNumbers(key: key)
        let prompt = try referencePrompt(key)
        let folder = try HFTemporaryFolder("hf-\(key)")
        let dir = folder.url.appendingPathComponent(key)

        // GGUF side: logits and tokens, then free the model before loading the copy.
        var start = Date()
        let (ggufLogits, ggufIDs, ggufConfig, ggufTemplate, ggufSpecials): ([Float], [Int32], ModelConfig, ChatTemplate?, [Int32?]) = try {
            let gguf = try LoadedModel(path: path, precision: .fp32)
            let summary = try HuggingFaceExport.write(gguf: XCTUnwrap(gguf.file), to: dir)
            XCTAssertEqual(summary.config, gguf.config)
            return (gguf.transformer.logits(tokens: reference.promptTokenIDs),
                    gguf.tokenizer.encode(prompt), gguf.config, gguf.chatTemplate,
                    [gguf.tokenizer.bosID, gguf.tokenizer.eosID, gguf.tokenizer.addsBOS ? 1 : 0])
        }()
        let exportSeconds = Date().timeIntervalSince(start)
        XCTAssertEqual(ggufIDs, reference.promptTokenIDs, "\(key): GGUF tokenizer")

        start = Date()
        let hf = try LoadedModel(path: dir.path)
        let loadSeconds = Date().timeIntervalSince(start)
        XCTAssertNil(hf.file)
        XCTAssertNotNil(hf.checkpoint)
        XCTAssertEqual(hf.config, ggufConfig, "\(key): config.json round trip")
        XCTAssertEqual(hf.chatTemplate, ggufTemplate, "\(key): chat template")
        XCTAssertEqual(hf.tokenizer.encode(prompt), reference.promptTokenIDs, "\(key): tokenizer.json ids for P1")
        XCTAssertEqual([hf.tokenizer.bosID, hf.tokenizer.eosID, hf.tokenizer.addsBOS ? 1 : 0], ggufSpecials, "\(key): BOS, EOS, adds BOS")
        // Beyond P1: the loss-reference text and 100 GSM8K questions give the same ids both ways.
        let ggufTokenizer = try TokenizerFactory.fromGGUF(file: GGUFFile(path: path))
        var texts = try TokenizerRealModelTests.references(key).map(\.0)
        texts += (try? TokenizerRealModelTests.gsm8kQuestions().prefix(100)) ?? []
        for text in texts { XCTAssertEqual(hf.tokenizer.encode(text), ggufTokenizer.encode(text), "\(key): \(text)") }
        let logits = hf.transformer.logits(tokens: reference.promptTokenIDs)
        XCTAssertEqual(logits.count, ggufLogits.count)
        var worst: Float = 0, worstAbs: Float = 0
        for (a, b) in zip(logits, ggufLogits) {
            worst = max(worst, abs(a - b) / max(abs(b), 1))
            worstAbs = max(worstAbs, abs(a - b))
        }
        XCTAssertLessThanOrEqual(worst, 1e-5, "\(key): max relative logit difference HF vs GGUF")
        print("[hf] \(key): max |Δlogit| \(worstAbs), max relative \(worst); export \(String(format: "%.1f", exportSeconds)) s, "
              + "HF load \(String(format: "%.1f", loadSeconds)) s")
    }

    private func referencePrompt(_ key: String) throws -> String {
        let url = ReferenceNumbers.directory.appendingPathComponent("\(key).json")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try XCTUnwrap((json["P1"] as? [String: Any])?["prompt"] as? String)
    }
}
