import Foundation

/// Why a Hugging Face checkpoint (config.json, safetensors shards, index) could not be read or
/// written. `description` is one line: `<file>: <key>: <problem>`.
public struct HuggingFaceError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    public let file: String
    public let key: String
    public let problem: String

    public init(file: String, key: String, problem: String) {
        self.file = file; self.key = key; self.problem = problem
    }

    public var description: String { "\(file): \(key): \(problem)" }
    public var errorDescription: String? { description }
}

/// A Hugging Face `config.json` of a llama, qwen2 or gemma3 text model, read into a `ModelConfig`.
///
/// Accepted `model_type`s: `llama`, `qwen2`, `gemma3_text`, and `gemma3` whose `text_config`
/// holds the text model (its keys are then reported as `text_config.<key>`). Keys the engine
/// cannot honour (rope scaling, soft-capping, attention biases on llama, qwen2's sliding window)
/// are errors rather than silently ignored.
public struct HuggingFaceConfig: Sendable {
    /// The text model's `model_type` (`llama`, `qwen2` or `gemma3_text`).
    public let modelType: String
    public let modelConfig: ModelConfig
    /// `bos_token_id` / `eos_token_id` (the first, when a list) where given.
    public let bosTokenID: Int?
    public let eosTokenIDs: [Int]

    /// Reads `url` (a config.json file).
    public init(url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw HuggingFaceError(file: url.path, key: "file", problem: "cannot read (\(error.localizedDescription))")
        }
        try self.init(data: data, file: url.path)
    }

    /// Parses config.json text; `file` names it in errors.
    public init(data: Data, file: String) throws {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw HuggingFaceError(file: file, key: "file", problem: "not a JSON object")
        }
        let top = ConfigReader(dict: root, file: file, prefix: "")
        let outerType = try top.string("model_type")
        var reader = top
        if outerType == "gemma3" {
            guard let text = root["text_config"] as? [String: Any] else {
                throw HuggingFaceError(file: file, key: "text_config", problem: "missing (model_type 'gemma3' needs the text model's config)")
            }
            reader = ConfigReader(dict: text, file: file, prefix: "text_config.")
        }
        let type = outerType == "gemma3" ? (try reader.optionalString("model_type") ?? "gemma3_text") : outerType
        let family: ModelFamily
        switch type {
        case "llama": family = .llama
        case "qwen2": family = .qwen2
        case "gemma3_text": family = .gemma3
        default:
            throw HuggingFaceError(file: file, key: reader.prefix + "model_type",
                                   problem: "unsupported model type '\(type)' (supported: llama, qwen2, gemma3_text, gemma3)")
        }
        modelType = type
        modelConfig = try Self.modelConfig(family: family, reader)
        bosTokenID = try reader.optionalInt("bos_token_id") ?? top.optionalInt("bos_token_id")
        if let list = try reader.optionalIntList("eos_token_id") ?? top.optionalIntList("eos_token_id") {
            eosTokenIDs = list
        } else {
            eosTokenIDs = []
        }
    }

    private static func modelConfig(family: ModelFamily, _ r: ConfigReader) throws -> ModelConfig {
        let dim = try r.int("hidden_size")
        let heads = try r.int("num_attention_heads")
        let kvHeads = try r.optionalInt("num_key_value_heads") ?? heads
        guard heads > 0, dim > 0 else { throw r.fail("num_attention_heads", "hidden_size and num_attention_heads must be positive") }
        let headDim = try r.optionalInt("head_dim") ?? (family == .gemma3 ? 256 : dim / heads)
        let activationKey = family == .gemma3 ? "hidden_activation" : "hidden_act"
        let expectedActivation = family == .gemma3 ? "gelu_pytorch_tanh" : "silu"
        if let act = try r.optionalString(activationKey), act != expectedActivation {
            throw r.fail(activationKey, "'\(act)' is not supported for \(family) (expected '\(expectedActivation)')")
        }
        for key in ["attention_bias", "mlp_bias"] where family == .llama {
            if try r.optionalBool(key) == true { throw r.fail(key, "true is not supported (llama without biases only)") }
        }
        if family == .qwen2, try r.optionalBool("use_sliding_window") == true {
            throw r.fail("use_sliding_window", "true is not supported (qwen2 sliding-window attention)")
        }
        for key in ["attn_logit_softcapping", "final_logit_softcapping"] where r.isPresent(key) {
            throw r.fail(key, "soft-capping is not supported")
        }
        if r.isPresent("rope_scaling") { try r.checkDefaultRoPE(r.dict["rope_scaling"], key: "rope_scaling") }

        // RoPE bases: `rope_theta` (transformers 4), or `rope_parameters` (transformers 5), which
        // for gemma3 has one entry per layer type.
        var base = try r.optionalDouble("rope_theta")
        var localBase = family == .gemma3 ? try r.optionalDouble("rope_local_base_freq") : nil
        if let params = r.dict["rope_parameters"], !(params is NSNull) {
            guard let p = params as? [String: Any] else { throw r.fail("rope_parameters", "expected an object") }
            let sub = ConfigReader(dict: p, file: r.file, prefix: r.prefix + "rope_parameters.")
            if p["rope_theta"] != nil {
                try r.checkDefaultRoPE(p, key: "rope_parameters")
                base = try sub.double("rope_theta")
            }
            if let full = p["full_attention"] {
                try r.checkDefaultRoPE(full, key: "rope_parameters.full_attention")
                guard let f = full as? [String: Any] else { throw sub.fail("full_attention", "expected an object") }
                base = try ConfigReader(dict: f, file: r.file, prefix: sub.prefix + "full_attention.").double("rope_theta")
            }
            if let sliding = p["sliding_attention"] {
                try r.checkDefaultRoPE(sliding, key: "rope_parameters.sliding_attention")
                guard let s = sliding as? [String: Any] else { throw sub.fail("sliding_attention", "expected an object") }
                localBase = try ConfigReader(dict: s, file: r.file, prefix: sub.prefix + "sliding_attention.").double("rope_theta")
            }
        }

        // Local / global layers.
        let layers = try r.int("num_hidden_layers")
        var window: Int? = nil, interval: Int? = nil
        let layerTypes = try r.optionalStringList("layer_types")
        if let types = layerTypes {
            guard types.count == layers else {
                throw r.fail("layer_types", "has \(types.count) entries for \(layers) layers")
            }
            for (i, t) in types.enumerated() where t != "full_attention" && t != "sliding_attention" {
                throw r.fail("layer_types", "entry \(i) '\(t)' is neither 'full_attention' nor 'sliding_attention'")
            }
        }
        let anySliding = layerTypes?.contains("sliding_attention") ?? (family == .gemma3)
        if anySliding {
            guard family == .gemma3 else {
                throw r.fail("layer_types", "sliding-window layers are only supported for gemma3")
            }
            window = try r.optionalInt("sliding_window") ?? 4096
            if let types = layerTypes {
                // The engine's pattern: layer l is global iff (l + 1) is a multiple of the interval.
                let every = (types.firstIndex(of: "full_attention") ?? (layers)) + 1
                for (l, t) in types.enumerated() where (t == "full_attention") != ((l + 1) % every == 0) {
                    throw r.fail("layer_types", "entry \(l) breaks the supported pattern (every \(every)th layer global)")
                }
                interval = every
            } else {
                interval = try r.optionalInt("sliding_window_pattern") ?? 6
                guard interval! > 0 else { throw r.fail("sliding_window_pattern", "must be positive") }
            }
            localBase = localBase ?? 10_000
        } else {
            localBase = nil
        }

        let defaultBase: Double = family == .gemma3 ? 1_000_000 : 10_000
        let defaultTied = family == .gemma3
        let defaultContext = [ModelFamily.llama: 2048, .qwen2: 32768, .gemma3: 131_072][family]!
        var scale: Float? = nil
        if family == .gemma3 {
            let q = try r.optionalDouble("query_pre_attn_scalar") ?? 256
            guard q > 0 else { throw r.fail("query_pre_attn_scalar", "must be positive") }
            scale = Float(1 / q.squareRoot())
        }
        let eps = try r.optionalDouble("rms_norm_eps") ?? 1e-6
        let config = ModelConfig(
            family: family, vocabSize: try r.int("vocab_size"), dim: dim, layers: layers,
            heads: heads, kvHeads: kvHeads, headDim: headDim, ffnDim: try r.int("intermediate_size"),
            normEps: Float(eps), ropeBase: base ?? defaultBase,
            contextLength: try r.optionalInt("max_position_embeddings") ?? defaultContext,
            tiedEmbeddings: try r.optionalBool("tie_word_embeddings") ?? defaultTied,
            localRopeBase: localBase, slidingWindow: window, globalLayerInterval: interval, attentionScale: scale)
        do { try config.validate() } catch let e as ModelConfigError {
            throw HuggingFaceError(file: r.file, key: r.prefix + "num_attention_heads", problem: e.description)
        }
        return config
    }
}

/// Typed access to one JSON object of a config.json, with errors naming file and key.
struct ConfigReader {
    let dict: [String: Any]
    let file: String
    /// `text_config.` when reading gemma3's nested text config, so keys are reported in full.
    let prefix: String

    func fail(_ key: String, _ problem: String) -> HuggingFaceError {
        HuggingFaceError(file: file, key: prefix + key, problem: problem)
    }

    /// Present and not null.
    func isPresent(_ key: String) -> Bool {
        guard let v = dict[key] else { return false }
        return !(v is NSNull)
    }

    private func number(_ key: String) throws -> NSNumber? {
        guard isPresent(key) else { return nil }
        guard let n = dict[key] as? NSNumber, !Self.isBool(n) else { throw fail(key, "expected a number") }
        return n
    }

    /// JSON true/false arrive as NSNumbers too; their type code is a char or bool.
    static func isBool(_ n: NSNumber) -> Bool {
        let code = String(cString: n.objCType)
        return code == "c" || code == "B"
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let n = try number(key) else { return nil }
        let d = n.doubleValue
        guard d.rounded() == d, abs(d) < 1e15 else { throw fail(key, "expected an integer, got \(n)") }
        return Int(d)
    }

    func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw fail(key, "missing") }
        return v
    }

    func optionalDouble(_ key: String) throws -> Double? { try number(key)?.doubleValue }

    func double(_ key: String) throws -> Double {
        guard let v = try optionalDouble(key) else { throw fail(key, "missing") }
        return v
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard isPresent(key) else { return nil }
        guard let n = dict[key] as? NSNumber, Self.isBool(n) else { throw fail(key, "expected true or false") }
        return n.boolValue
    }

    func optionalString(_ key: String) throws -> String? {
        guard isPresent(key) else { return nil }
        guard let s = dict[key] as? String else { throw fail(key, "expected a string") }
        return s
    }

    func string(_ key: String) throws -> String {
        guard let s = try optionalString(key) else { throw fail(key, "missing") }
        return s
    }

    func optionalStringList(_ key: String) throws -> [String]? {
        guard isPresent(key) else { return nil }
        guard let s = dict[key] as? [String] else { throw fail(key, "expected a list of strings") }
        return s
    }

    /// An integer or a list of integers (eos_token_id may be either).
    func optionalIntList(_ key: String) throws -> [Int]? {
        guard isPresent(key) else { return nil }
        if let list = dict[key] as? [Any] {
            return try list.map { item in
                guard let n = item as? NSNumber, n.doubleValue.rounded() == n.doubleValue else {
                    throw fail(key, "expected integers")
                }
                return n.intValue
            }
        }
        return try optionalInt(key).map { [$0] }
    }

    /// A rope config must be absent, null, or of type "default" (no scaling).
    func checkDefaultRoPE(_ value: Any?, key: String) throws {
        guard let value, !(value is NSNull) else { return }
        guard let d = value as? [String: Any] else { throw fail(key, "expected an object") }
        let type = (d["rope_type"] as? String) ?? (d["type"] as? String) ?? "default"
        guard type == "default" else { throw fail(key, "rope type '\(type)' is not supported (only unscaled RoPE)") }
    }
}
