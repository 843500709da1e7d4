import Foundation

/// LoRA / DoRA adapters as a PEFT checkpoint directory, loadable with
/// `PeftModel.from_pretrained(base, directory)` on the Hugging Face model:
///
/// - `adapter_model.safetensors`: F32 tensors named as `get_peft_model_state_dict` saves them —
///   `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight` [r, in], `….lora_B.weight`
///   [out, r], and for DoRA `….lora_magnitude_vector` [out] (PEFT drops the `.weight` of its
///   DoRA module so the key stays as before its refactor); header metadata `format: pt`.
/// - `adapter_config.json`: `LoraConfig` fields (see `configJSON`).
///
/// The engine keeps llama's q/k output rows in llama.cpp's permuted order (its GGUF weights are
/// permuted); B's rows and the magnitude of q_proj/k_proj are un-permuted on write and
/// re-permuted on read, so the file matches the Hugging Face model. A is [r, in] and the inputs
/// of every projection are unpermuted, so A is stored as is.
public enum AdapterCheckpoint {
    public static let weightsFileName = "adapter_model.safetensors"
    public static let configFileName = "adapter_config.json"

    /// Writes `adapters` to `directory` (replacing it as a whole, atomically; see
    /// `AtomicDirectory`). `baseModel` is recorded as `base_model_name_or_path`. `extra` may write
    /// more files (optimiser state, trainer state) into the staging folder before it is renamed
    /// into place, so they appear together with the adapter.
    public static func write(_ adapters: AdapterSet, to directory: URL, baseModel: String,
                             extra: ((URL) throws -> Void)? = nil) throws {
        let model = adapters.model
        var list: [(name: String, shape: [Int])] = []
        var source: [String: (UnsafeMutableBufferPointer<Float>, Adapter, Bool)] = [:]  // (values, adapter, row-indexed)
        for ad in adapters.adapters {
            let p = ad.peftPrefix
            list.append((p + ".lora_A.weight", [ad.rank, ad.inFeatures])); source[p + ".lora_A.weight"] = (ad.a, ad, false)
            list.append((p + ".lora_B.weight", [ad.outFeatures, ad.rank])); source[p + ".lora_B.weight"] = (ad.b, ad, true)
            if let m = ad.magnitude {
                list.append((p + ".lora_magnitude_vector", [ad.outFeatures])); source[p + ".lora_magnitude_vector"] = (m, ad, true)
            }
        }
        try AtomicDirectory.write(directory) { staging in
            try SafeTensorsWriter.write(to: staging.appendingPathComponent(weightsFileName).path,
                                        metadata: ["format": "pt"], tensors: list) { name, buffer in
                let (values, ad, rowIndexed) = source[name]!
                _ = buffer.initialize(from: values)
                if rowIndexed, let heads = ropeHeads(ad.projection, model) {
                    HuggingFaceNames.permute(buffer, heads: heads, rows: ad.outFeatures, toGGUF: false)
                }
            }
            try AtomicDirectory.writeJSON(configJSON(adapters.config, baseModel: baseModel),
                                          to: staging.appendingPathComponent(configFileName))
            try extra?(staging)
        }
    }

    /// The heads whose rows llama.cpp permuted for this projection, nil when unpermuted.
    static func ropeHeads(_ p: Projection, _ c: ModelConfig) -> Int? {
        guard c.family == .llama else { return nil }
        switch p {
        case .q_proj: return c.heads
        case .k_proj: return c.kvHeads
        default: return nil
        }
    }

    /// adapter_config.json as PEFT's `LoraConfig.to_dict()` writes it, limited to fields every
    /// PEFT since DoRA's introduction (0.9) accepts — older versions reject unknown keys.
    public static func configJSON(_ c: AdapterConfig, baseModel: String) -> [String: Any] {
        // Through the shortest decimal text, so 0.05 is written as 0.05, not 0.05000000074505806.
        func decimal(_ x: Float) -> Double { Double("\(x)") ?? Double(x) }
        let alpha: Any = c.alpha.rounded() == c.alpha && abs(c.alpha) < 1e9 ? Int(c.alpha) as Any : decimal(c.alpha) as Any
        return [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": baseModel, "revision": NSNull(),
            "r": c.rank, "lora_alpha": alpha, "lora_dropout": decimal(c.dropout),
            "target_modules": Projection.allCases.filter { c.targets.contains($0) }.map(\.rawValue),
            "use_dora": c.method == .dora, "use_rslora": c.rsLoRA,
            "bias": "none", "fan_in_fan_out": false, "init_lora_weights": true, "inference_mode": true,
            "modules_to_save": NSNull(), "layers_to_transform": NSNull(), "layers_pattern": NSNull(),
            "rank_pattern": [String: Any](), "alpha_pattern": [String: Any](), "auto_mapping": NSNull(),
        ]
    }

    /// Reads a PEFT LoRA/DoRA checkpoint for a model of configuration `model`: the config is
    /// checked for features the engine does not implement, and every tensor for its presence,
    /// shape and dtype (F32, F16 or BF16); any other tensor is an error naming it.
    public static func read(directory: URL, model: ModelConfig) throws -> AdapterSet {
        let config = try readConfig(directory.appendingPathComponent(configFileName))
        let path = directory.appendingPathComponent(weightsFileName).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw HuggingFaceError(file: path, key: "file", problem: "missing")
        }
        let file = try SafeTensorsFile(path: path)
        let set = AdapterSet(config: config, model: model)
        func fail(_ name: String, _ problem: String) -> HuggingFaceError {
            HuggingFaceError(file: path, key: "tensor '\(name)'", problem: problem)
        }
        var expected = Set<String>()
        for ad in set.adapters {
            var parts: [(String, UnsafeMutableBufferPointer<Float>, [Int], Bool)] = [
                (".lora_A.weight", ad.a, [ad.rank, ad.inFeatures], false),
                (".lora_B.weight", ad.b, [ad.outFeatures, ad.rank], true)]
            if let m = ad.magnitude { parts.append((".lora_magnitude_vector", m, [ad.outFeatures], true)) }
            for (suffix, buffer, shape, rowIndexed) in parts {
                let name = ad.peftPrefix + suffix
                expected.insert(name)
                guard let info = file.tensor(named: name) else { throw fail(name, "missing (adapter_config.json targets \(ad.projection.rawValue))") }
                guard info.dtype.isFloatReadable else { throw fail(name, "dtype \(info.dtype.rawValue) is not supported (F32, F16, BF16)") }
                guard info.shape == shape else { throw fail(name, "shape \(info.shape), expected \(shape) for this model and r = \(config.rank)") }
                try file.floats(info, into: buffer)
                if rowIndexed, let heads = ropeHeads(ad.projection, model) {
                    HuggingFaceNames.permute(buffer, heads: heads, rows: ad.outFeatures, toGGUF: true)
                }
            }
        }
        if let extra = file.tensors.map(\.name).sorted().first(where: { !expected.contains($0) }) {
            throw fail(extra, "not an adapter tensor this model and adapter_config.json define")
        }
        return set
    }

    /// Parses adapter_config.json into an `AdapterConfig`, rejecting what the engine does not
    /// implement (other PEFT types, biases, fan-in-fan-out, per-layer ranks, layer subsets).
    public static func readConfig(_ url: URL) throws -> AdapterConfig {
        let path = url.path
        func fail(_ key: String, _ problem: String) -> HuggingFaceError { HuggingFaceError(file: path, key: key, problem: problem) }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("file", "missing or unreadable") }
        guard let j = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw fail("file", "not a JSON object") }
        let reader = ConfigReader(dict: j, file: path, prefix: "")
        guard let type = try reader.optionalString("peft_type") else { throw fail("peft_type", "missing") }
        guard type == "LORA" else { throw fail("peft_type", "'\(type)' is not supported (LORA only)") }
        let r = try reader.int("r")
        guard r >= 1 else { throw fail("r", "expected a positive integer, got \(r)") }
        let alpha = try reader.double("lora_alpha")
        let dropout = try reader.optionalDouble("lora_dropout") ?? 0
        if let bias = try reader.optionalString("bias"), bias != "none" { throw fail("bias", "'\(bias)' is not supported (only \"none\")") }
        if try reader.optionalBool("fan_in_fan_out") == true { throw fail("fan_in_fan_out", "only false is supported") }
        for key in ["rank_pattern", "alpha_pattern"] where reader.isPresent(key) {
            guard (j[key] as? [String: Any])?.isEmpty == true else { throw fail(key, "per-module ranks/alphas are not supported") }
        }
        for key in ["layers_to_transform", "modules_to_save", "layer_replication"] where reader.isPresent(key) {
            throw fail(key, "not supported (must be null)")
        }
        let dora = try reader.optionalBool("use_dora") ?? false
        let rs = try reader.optionalBool("use_rslora") ?? false
        guard let modules = j["target_modules"] as? [String] else {
            throw fail("target_modules", "expected a list of module names (a regular expression is not supported)")
        }
        var targets: [Projection] = []
        for m in modules {
            guard let p = Projection(rawValue: m) else { throw fail("target_modules", "'\(m)' is not one of \(Projection.allCases.map(\.rawValue))") }
            targets.append(p)
        }
        guard !targets.isEmpty else { throw fail("target_modules", "empty") }
        return AdapterConfig(method: dora ? .dora : .lora, rank: r, alpha: Float(alpha), dropout: Float(dropout),
                             targets: Projection.allCases.filter { targets.contains($0) }, rsLoRA: rs)
    }
}
