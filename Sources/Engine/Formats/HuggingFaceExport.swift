import Foundation

/// Writes a GGUF model, or a transformer's current weights (a full fine-tune), as a Hugging Face
/// checkpoint directory that `HuggingFaceCheckpoint` (and transformers) can read. Both go through
/// `writeFiles`:
/// - `config.json` (`LlamaForCausalLM`, `Qwen2ForCausalLM` or `Gemma3ForCausalLM`);
/// - `model.safetensors`: every tensor the engine uses, dequantized to F32, under Hugging Face
///   names, with llama's Q/K rows un-permuted to half-split order and gemma3's norms stored as
///   `w` (the GGUF's `1 + w` minus 1) — so loading it back gives the GGUF's weights up to fp32
///   rounding of the ±1 (bit-identical for llama and qwen2);
/// - `tokenizer.json` + `tokenizer_config.json`: byte-level BPE (vocab, merges, added tokens,
///   the GGUF pre-tokenizer's split) or, for SentencePiece vocabularies (gemma3), a BPE model
///   with byte fallback whose merges are derived from the piece scores (as transformers'
///   SentencePiece converter does). `chat_template` is copied when the GGUF has one.
public enum HuggingFaceExport {
    public struct Summary: Sendable {
        public let config: ModelConfig
        public let files: [String]
        public let tensorCount: Int
    }

    /// Where the tokenizer files (and BOS/EOS ids of config.json) of an export come from.
    public enum TokenizerSource {
        /// Converted from the GGUF's tokenizer metadata.
        case gguf(GGUFFile)
        /// Copied from a Hugging Face directory (tokenizer.json required; tokenizer_config.json,
        /// special_tokens_map.json, generation_config.json and chat_template.jinja when present),
        /// read when the export is written.
        case huggingFace(URL)
        /// The same files, read beforehand (for a source directory that may be gone by then).
        case files(HuggingFaceTokenizerFiles)

        /// The tokenizer of the GGUF file or Hugging Face directory `model` was loaded from. A
        /// directory's files are read now: when it is a training checkpoint, the export that
        /// replaces it may delete it before the tokenizer is written (a resumed full fine-tune).
        public init(of model: LoadedModel) throws {
            if let file = model.file {
                self = .gguf(file)
            } else if let checkpoint = model.checkpoint {
                self = .files(try HuggingFaceTokenizerFiles.read(from: checkpoint.directory))
            } else {
                throw HuggingFaceError(file: model.path, key: "model", problem: "neither a GGUF file nor a Hugging Face directory")
            }
        }
    }

    /// Exports a GGUF model into `directory` (created if needed; files in it are overwritten).
    @discardableResult
    public static func write(gguf file: GGUFFile, to directory: URL) throws -> Summary {
        let config = try ModelConfig(gguf: file)
        var source: [String: GGUFTensorInfo] = [:]
        for name in HuggingFaceNames.ggufTensorNames(for: config) {
            guard let info = file.tensor(named: name) else {
                throw GGUFError(file: file.name, field: "tensor '\(name)'", problem: "no such tensor (needed by \(config.family))")
            }
            let expected = HuggingFaceNames.engineShape(forGGUF: name, config: config).reduce(1, *)
            guard info.elementCount == expected else {
                throw GGUFError(file: file.name, field: "tensor '\(name)'", problem: "\(info.elementCount) values, the config implies \(expected)")
            }
            source[name] = info
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try writeFiles(config: config, tokenizer: .gguf(file), to: directory) { name, buffer in
            try file.dequantize(source[name]!, into: buffer)
        }
    }

    /// Exports a transformer's current weights (e.g. after full fine-tuning) with the tokenizer
    /// of the model it came from. The directory is replaced as a whole, atomically (see
    /// `AtomicDirectory`); `extra` may add files (optimiser or trainer state) before it appears.
    @discardableResult
    public static func write(transformer: Transformer, tokenizerFrom tokenizer: TokenizerSource, to directory: URL,
                             extra: ((URL) throws -> Void)? = nil) throws -> Summary {
        guard transformer.precision == .fp32 else {
            throw TransformerError.invalidInput("exporting needs fp32 weights; load the model with precision .fp32")
        }
        let weights = transformer.weights
        var summary: Summary?
        try AtomicDirectory.write(directory) { staging in
            summary = try writeFiles(config: transformer.config, tokenizer: tokenizer, to: staging) { name, buffer in
                guard let t = weights.tensor(named: name), t.count == buffer.count else {
                    throw HuggingFaceError(file: directory.path, key: "tensor '\(name)'", problem: "not in the transformer's weights")
                }
                _ = buffer.initialize(from: t)
            }
            try extra?(staging)
        }
        return summary!
    }

    /// A loaded model's transformer, with the tokenizer of the file or directory it was loaded from.
    @discardableResult
    public static func write(model: LoadedModel, to directory: URL, extra: ((URL) throws -> Void)? = nil) throws -> Summary {
        try write(transformer: model.transformer, tokenizerFrom: TokenizerSource(of: model), to: directory, extra: extra)
    }

    /// The one export path: `fill(ggufName, buffer)` gives each engine tensor in the engine's
    /// layout; it is written under its Hugging Face name after the layout transform (llama Q/K
    /// rows un-permuted, gemma3 norms minus 1), then the tokenizer files and config.json.
    static func writeFiles(config: ModelConfig, tokenizer: TokenizerSource, to directory: URL,
                           fill: (String, UnsafeMutableBufferPointer<Float>) throws -> Void) throws -> Summary {
        var tensors: [(name: String, shape: [Int])] = []
        var ggufName: [String: String] = [:]
        for name in HuggingFaceNames.ggufTensorNames(for: config) {
            guard let hf = HuggingFaceNames.huggingFaceName(forGGUF: name, family: config.family) else {
                throw HuggingFaceError(file: directory.path, key: "tensor '\(name)'", problem: "no Hugging Face name")
            }
            tensors.append((hf, HuggingFaceNames.engineShape(forGGUF: name, config: config)))
            ggufName[hf] = name
        }
        try SafeTensorsWriter.write(to: directory.appendingPathComponent("model.safetensors").path,
                                    metadata: ["format": "pt"], tensors: tensors) { hf, buffer in
            let name = ggufName[hf]!
            try fill(name, buffer)
            switch HuggingFaceNames.transform(forGGUF: name, config: config) {
            case .none: break
            case .normShift: for i in buffer.indices { buffer[i] -= 1 }
            case .ropePermute(let heads):
                HuggingFaceNames.permute(buffer, heads: heads, rows: heads * config.headDim, toGGUF: false)
            }
        }

        var json = configJSON(config)
        var files = ["config.json", "model.safetensors"]
        switch tokenizer {
        case .gguf(let file):
            let meta = file.metadata
            let tok = try tokenizerFiles(metadata: meta, source: file.name)
            try writeJSON(tok.tokenizer, to: directory.appendingPathComponent("tokenizer.json"))
            try writeJSON(tok.config, to: directory.appendingPathComponent("tokenizer_config.json"))
            files += ["tokenizer.json", "tokenizer_config.json"]
            if let bos = meta["tokenizer.ggml.bos_token_id"]?.int { json["bos_token_id"] = bos }
            if let eos = meta["tokenizer.ggml.eos_token_id"]?.int { json["eos_token_id"] = eos }
        case .huggingFace(let source):
            let copied = try HuggingFaceTokenizerFiles.read(from: source)
            files += try copied.write(to: directory)
            copied.applyTokenIds(to: &json)
        case .files(let copied):
            files += try copied.write(to: directory)
            copied.applyTokenIds(to: &json)
        }
        try writeJSON(json, to: directory.appendingPathComponent("config.json"))
        return Summary(config: config, files: files.sorted(), tensorCount: tensors.count)
    }

    /// config.json for `c`, as transformers writes it for the family.
    public static func configJSON(_ c: ModelConfig) -> [String: Any] {
        var j: [String: Any] = [
            "hidden_size": c.dim, "intermediate_size": c.ffnDim, "num_hidden_layers": c.layers,
            "num_attention_heads": c.heads, "num_key_value_heads": c.kvHeads, "head_dim": c.headDim,
            "rms_norm_eps": Double(c.normEps), "rope_theta": c.ropeBase, "vocab_size": c.vocabSize,
            "tie_word_embeddings": c.tiedEmbeddings, "max_position_embeddings": c.contextLength,
            "torch_dtype": "float32", "rope_scaling": NSNull(),
        ]
        switch c.family {
        case .llama:
            j["model_type"] = "llama"; j["architectures"] = ["LlamaForCausalLM"]
            j["hidden_act"] = "silu"; j["attention_bias"] = false; j["mlp_bias"] = false
        case .qwen2:
            j["model_type"] = "qwen2"; j["architectures"] = ["Qwen2ForCausalLM"]
            j["hidden_act"] = "silu"; j["use_sliding_window"] = false
        case .gemma3:
            j["model_type"] = "gemma3_text"; j["architectures"] = ["Gemma3ForCausalLM"]
            j["hidden_activation"] = "gelu_pytorch_tanh"
            j["query_pre_attn_scalar"] = (1 / (Double(c.attentionScale) * Double(c.attentionScale))).rounded()
            j["attn_logit_softcapping"] = NSNull(); j["final_logit_softcapping"] = NSNull()
            if let w = c.slidingWindow {
                j["sliding_window"] = w
                j["rope_local_base_freq"] = c.localRopeBase ?? c.ropeBase
                if let every = c.globalLayerInterval { j["sliding_window_pattern"] = every }
                j["layer_types"] = (0..<c.layers).map { c.isGlobalLayer($0) ? "full_attention" : "sliding_attention" }
            } else {
                j["layer_types"] = [String](repeating: "full_attention", count: c.layers)
            }
        }
        return j
    }

    static func writeJSON(_ object: [String: Any], to url: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        do { try data.write(to: url, options: .atomic) } catch {
            throw HuggingFaceError(file: url.path, key: "file", problem: "cannot write (\(error.localizedDescription))")
        }
    }

    /// tokenizer.json and tokenizer_config.json objects for GGUF tokenizer metadata.
    static func tokenizerFiles(metadata: [String: GGUFValue], source: String) throws -> (tokenizer: [String: Any], config: [String: Any]) {
        let r = TokenizerMetadataReader(metadata: metadata, source: source)
        let model = try r.string("tokenizer.ggml.model")
        let tokens = try r.stringArray("tokenizer.ggml.tokens")
        let types = try r.tokenTypes(count: tokens.count)
        let bos = try r.tokenID("tokenizer.ggml.bos_token_id", count: tokens.count).map { tokens[Int($0)] }
        let eos = try r.tokenID("tokenizer.ggml.eos_token_id", count: tokens.count).map { tokens[Int($0)] }
        let unk = try r.tokenID("tokenizer.ggml.unknown_token_id", count: tokens.count).map { tokens[Int($0)] }
        let pad = try r.tokenID("tokenizer.ggml.padding_token_id", count: tokens.count).map { tokens[Int($0)] }

        // model.vocab holds every used token; control / user-defined / unknown ones are also
        // added tokens (special unless user-defined), as transformers' converters write them.
        var vocab: [String: Int] = [:]
        var added: [[String: Any]] = []
        for (i, t) in tokens.enumerated() where types[i] != .unused {
            if vocab[t] == nil { vocab[t] = i }
            switch types[i] {
            case .control, .userDefined, .unknown:
                added.append(["id": i, "content": t, "special": types[i] != .userDefined, "single_word": false,
                              "lstrip": false, "rstrip": false, "normalized": types[i] == .userDefined])
            default: break
            }
        }
        var tok: [String: Any] = ["version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added]
        var bpe: [String: Any] = ["type": "BPE", "dropout": NSNull(), "continuing_subword_prefix": NSNull(),
                                  "end_of_word_suffix": NSNull(), "vocab": vocab]
        var addsBOS: Bool
        switch model {
        case "gpt2":
            let preName = metadata["tokenizer.ggml.pre"]?.string ?? "default"
            guard let pre = TokenizerFactory.preTokenizer(forGGUFName: preName) else {
                throw TokenizerError.unsupported(source: source, key: "tokenizer.ggml.pre", value: preName)
            }
            let byteLevel: (Bool) -> [String: Any] = { regex in
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": regex]
            }
            switch pre {
            case .gpt2:
                tok["pre_tokenizer"] = byteLevel(true)
            case .smollm:
                tok["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel(true)]]
            case .qwen2, .llama3:
                guard let pattern = TokenizerFactory.knownSplitPatterns.first(where: { $0.value == pre })?.key else {
                    throw TokenizerError.unsupported(source: source, key: "tokenizer.ggml.pre", value: preName)
                }
                tok["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [
                    ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false], byteLevel(false)]]
            }
            tok["normalizer"] = pre == .qwen2 ? ["type": "NFC"] : NSNull()
            tok["decoder"] = byteLevel(true)
            tok["post_processor"] = byteLevel(true)
            bpe["merges"] = try r.stringArray("tokenizer.ggml.merges")
            bpe["ignore_merges"] = pre == .llama3
            bpe["byte_fallback"] = false
            bpe["fuse_unk"] = false
            bpe["unk_token"] = NSNull()
            addsBOS = r.bool("tokenizer.ggml.add_bos_token") ?? false
        case "llama":
            let scores = try r.floatArray("tokenizer.ggml.scores", count: tokens.count)
            let prefix = r.bool("tokenizer.ggml.add_space_prefix") ?? true
            let replace: [String: Any] = ["type": "Replace", "pattern": ["String": " "], "content": "\u{2581}"]
            tok["normalizer"] = prefix
                ? ["type": "Sequence", "normalizers": [["type": "Prepend", "prepend": "\u{2581}"], replace]] as [String: Any]
                : replace
            tok["pre_tokenizer"] = NSNull()
            var decoders: [[String: Any]] = [["type": "Replace", "pattern": ["String": "\u{2581}"], "content": " "],
                                             ["type": "ByteFallback"], ["type": "Fuse"]]
            if prefix { decoders.append(["type": "Strip", "content": " ", "start": 1, "stop": 0]) }
            tok["decoder"] = ["type": "Sequence", "decoders": decoders]
            bpe["merges"] = sentencePieceMerges(tokens: tokens, types: types, scores: scores)
            bpe["ignore_merges"] = false
            bpe["byte_fallback"] = true
            bpe["fuse_unk"] = true
            bpe["unk_token"] = unk ?? NSNull()
            addsBOS = r.bool("tokenizer.ggml.add_bos_token") ?? true
        default:
            throw TokenizerError.unsupported(source: source, key: "tokenizer.ggml.model", value: model)
        }
        if addsBOS, let bos, model == "llama" {
            let special: [String: Any] = [bos: ["id": bos, "ids": [vocab[bos]!], "tokens": [bos]]]
            tok["post_processor"] = [
                "type": "TemplateProcessing",
                "single": [["SpecialToken": ["id": bos, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                "pair": [["SpecialToken": ["id": bos, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
                         ["SpecialToken": ["id": bos, "type_id": 1]], ["Sequence": ["id": "B", "type_id": 1]]],
                "special_tokens": special,
            ] as [String: Any]
        }
        tok["model"] = bpe

        var config: [String: Any] = [
            "tokenizer_class": "PreTrainedTokenizerFast",
            "add_bos_token": addsBOS, "add_eos_token": r.bool("tokenizer.ggml.add_eos_token") ?? false,
            "bos_token": bos ?? NSNull(), "eos_token": eos ?? NSNull(), "unk_token": unk ?? NSNull(), "pad_token": pad ?? NSNull(),
            "clean_up_tokenization_spaces": false,
        ]
        if let template = metadata["tokenizer.chat_template"]?.string { config["chat_template"] = template }
        return (tok, config)
    }

    /// BPE merges equivalent to SentencePiece's score-driven merging: every split of a normal piece
    /// into two pieces of the vocabulary (as `[left, right]` pairs: pieces may hold spaces), ranked by the merged piece's score (highest first), then
    /// by its id and the left part's id — transformers' `SentencePieceExtractor` ordering.
    static func sentencePieceMerges(tokens: [String], types: [VocabTokenType], scores: [Float]) -> [[String]] {
        var idOf: [String: Int] = [:]
        for (i, t) in tokens.enumerated() where types[i] == .normal || types[i] == .userDefined {
            if idOf[t] == nil { idOf[t] = i }
        }
        var merges: [(merged: Int, left: Int, pair: [String])] = []
        for (i, t) in tokens.enumerated() where types[i] == .normal {
            let scalars = Array(t.unicodeScalars)
            guard scalars.count > 1 else { continue }
            for k in 1..<scalars.count {
                var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
                left.append(contentsOf: scalars[..<k]); right.append(contentsOf: scalars[k...])
                let l = String(left), r = String(right)
                guard let li = idOf[l], idOf[r] != nil else { continue }
                merges.append((i, li, [l, r]))
            }
        }
        merges.sort {
            let (a, b) = (scores.isEmpty ? 0 : scores[$0.merged], scores.isEmpty ? 0 : scores[$1.merged])
            if a != b { return a > b }
            if $0.merged != $1.merged { return $0.merged < $1.merged }
            return $0.left < $1.left
        }
        return merges.map(\.pair)
    }
}
