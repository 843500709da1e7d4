import Foundation

extension TokenizerFactory {
    /// The three split patterns HF tokenizer.json files spell out in `Split` pre-tokenizers.
    static let knownSplitPatterns: [String: PreTokenizer] = [
        #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#: .gpt2,
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .qwen2,
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#: .llama3,
    ]

    /// A tokenizer from a Hugging Face `tokenizer.json`: a `BPE` model that is either byte-level
    /// (`ByteLevel` pre-tokenizer, optionally after `Digits` or a known `Split` regex) or
    /// SentencePiece-like (`byte_fallback`, `▁` via `Metaspace` or `Replace`/`Prepend` normalizers).
    /// BOS/EOS come from a sibling `tokenizer_config.json` when present, else from the
    /// post-processor template. Unigram, WordPiece and WordLevel models are rejected.
    public static func fromTokenizerJSON(url: URL) throws -> any Tokenizer {
        let source = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(source: source, reason: "cannot read file (\(error.localizedDescription))")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TokenizerError.unreadable(source: source, reason: "not a JSON object")
        }
        let configURL = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        let config = (try? Data(contentsOf: configURL)).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]
        return try TokenizerJSONLoader(root: root, config: config, source: source).load()
    }
}

/// The parsing half of `fromTokenizerJSON`, kept apart so every error can name file and key.
struct TokenizerJSONLoader {
    let root: [String: Any]
    let config: [String: Any]?
    let source: String

    func fail(_ key: String, _ reason: String) -> TokenizerError {
        .invalidValue(source: source, key: key, reason: reason)
    }

    func load() throws -> any Tokenizer {
        guard let model = root["model"] as? [String: Any] else { throw TokenizerError.missingKey(source: source, key: "model") }
        let type = model["type"] as? String ?? "BPE"
        guard type == "BPE" else { throw TokenizerError.unsupported(source: source, key: "model.type", value: type) }
        guard let vocabDict = model["vocab"] as? [String: Any] else { throw TokenizerError.missingKey(source: source, key: "model.vocab") }

        // Vocabulary: model.vocab plus added_tokens (which may extend it), gaps marked unused.
        var byID: [Int: (String, VocabTokenType)] = [:]
        for (text, value) in vocabDict {
            guard let id = (value as? NSNumber)?.intValue, id >= 0 else { throw fail("model.vocab", "id of '\(text)' is not a non-negative integer") }
            byID[id] = (text, .normal)
        }
        for (i, entry) in ((root["added_tokens"] as? [[String: Any]]) ?? []).enumerated() {
            guard let id = (entry["id"] as? NSNumber)?.intValue, let content = entry["content"] as? String else {
                throw fail("added_tokens[\(i)]", "needs integer 'id' and string 'content'")
            }
            byID[id] = (content, (entry["special"] as? Bool) == true ? .control : .userDefined)
        }
        let count = (byID.keys.max() ?? -1) + 1
        guard count > 0 else { throw fail("model.vocab", "empty") }
        let byteFallback = model["byte_fallback"] as? Bool ?? false
        var tokens = [String](repeating: "", count: count)
        var types = [VocabTokenType](repeating: .unused, count: count)
        for (id, entry) in byID {
            tokens[id] = entry.0
            types[id] = entry.1 == .normal && byteFallback && TokenizerFactory.byteTokenValue(entry.0) != nil ? .byte : entry.1
        }
        let vocab = TokenizerVocabulary(tokens: tokens, types: types)
        let merges = try parseMerges(model["merges"])
        var settings = try specialSettings(vocab)
        settings.unknownID = (model["unk_token"] as? String).flatMap { vocab.idByToken[$0] }

        let pre = flatten(root["pre_tokenizer"], list: "pretokenizers")
        let norm = flatten(root["normalizer"], list: "normalizers")
        let dec = flatten(root["decoder"], list: "decoders")
        let isByteLevel = (pre + dec).contains { $0["type"] as? String == "ByteLevel" }
        for n in norm {
            let t = n["type"] as? String ?? "?"
            switch t {
            case "NFC": settings.normalizeNFC = true
            case "Prepend" where !isByteLevel, "Replace" where !isByteLevel: break  // the ▁ handling below covers them
            default: throw TokenizerError.unsupported(source: source, key: "normalizer.type", value: t)
            }
        }
        if isByteLevel {
            let split = try byteLevelSplit(pre)
            let bpe = BPEModel(vocab: vocab, merges: merges, preTokenizer: split, unknownID: settings.unknownID,
                               ignoreMerges: model["ignore_merges"] as? Bool ?? false)
            return VocabTokenizer(kind: .byteLevelBPE, preTokenizer: split, vocab: vocab, model: bpe,
                                  settings: settings) { _, piece, _ in BPEByteMap.decode(piece) }
        }
        // SentencePiece-like: a leading ▁ comes from `Prepend` or Metaspace's prepend scheme.
        let meta = pre.first { $0["type"] as? String == "Metaspace" }
        var prefix = norm.contains { $0["type"] as? String == "Prepend" }
        if let meta {
            let scheme = meta["prepend_scheme"] as? String ?? ((meta["add_prefix_space"] as? Bool ?? true) ? "always" : "never")
            prefix = prefix || scheme != "never"
        }
        settings.stripLeadingSpace = prefix
        let spm = SentencePieceBPEModel(vocab: vocab, merges: merges, unknownID: settings.unknownID, addSpacePrefix: prefix,
                                        splitWords: meta?["split"] as? Bool ?? false)
        return VocabTokenizer(kind: .sentencePiece, preTokenizer: nil, vocab: vocab, model: spm,
                              settings: settings, decodePiece: TokenizerFactory.sentencePieceBytes)
    }

    /// A component and, for `Sequence`, its members, as a flat list.
    func flatten(_ any: Any?, list: String) -> [[String: Any]] {
        guard let d = any as? [String: Any] else { return [] }
        if d["type"] as? String == "Sequence" {
            return ((d[list] as? [Any]) ?? []).flatMap { flatten($0, list: list) }
        }
        return [d]
    }

    func parseMerges(_ any: Any?) throws -> [(String, String)] {
        guard let list = any as? [Any] else { throw TokenizerError.missingKey(source: source, key: "model.merges") }
        return try list.enumerated().map { i, m in
            if let s = m as? String, let pair = TokenizerMetadataReader.splitMerge(s) { return pair }
            if let a = m as? [String], a.count == 2 { return (a[0], a[1]) }
            throw fail("model.merges[\(i)]", "expected \"a b\" or [\"a\", \"b\"]")
        }
    }

    /// Which hand-written split matches the byte-level pre-tokenizer chain.
    func byteLevelSplit(_ pre: [[String: Any]]) throws -> PreTokenizer {
        var result: PreTokenizer? = nil
        var digits = false
        for p in pre {
            switch p["type"] as? String ?? "?" {
            case "ByteLevel":
                if p["add_prefix_space"] as? Bool == true {
                    throw TokenizerError.unsupported(source: source, key: "pre_tokenizer.add_prefix_space", value: "true")
                }
                if p["use_regex"] as? Bool ?? true { result = result ?? .gpt2 }
            case "Digits":
                guard p["individual_digits"] as? Bool == true else {
                    throw TokenizerError.unsupported(source: source, key: "pre_tokenizer.Digits.individual_digits", value: "false")
                }
                digits = true
            case "Split":
                let pattern = ((p["pattern"] as? [String: Any])?["Regex"] as? String) ?? ""
                guard let known = TokenizerFactory.knownSplitPatterns[pattern] else {
                    throw TokenizerError.unsupported(source: source, key: "pre_tokenizer.pattern", value: pattern)
                }
                result = known
            case let t:
                throw TokenizerError.unsupported(source: source, key: "pre_tokenizer.type", value: t)
            }
        }
        let split = result ?? .gpt2
        if digits {
            guard split == .gpt2 else { throw TokenizerError.unsupported(source: source, key: "pre_tokenizer", value: "Digits with \(split)") }
            return .smollm
        }
        return split
    }

    /// BOS/EOS and whether they are added: tokenizer_config.json first, else the post-processor.
    func specialSettings(_ vocab: TokenizerVocabulary) throws -> TokenizerSettings {
        var s = TokenizerSettings()
        func tokenText(_ v: Any?) -> String? { (v as? String) ?? ((v as? [String: Any])?["content"] as? String) }
        func lookup(_ text: String?, _ key: String) throws -> Int32? {
            guard let text else { return nil }
            guard let id = vocab.idByToken[text] else { throw fail(key, "'\(text)' is not in the vocabulary") }
            return id
        }
        // The template's special tokens before / after sequence "A".
        let single = ((root["post_processor"] as? [String: Any])?["single"] as? [[String: Any]]) ?? []
        func special(_ item: [String: Any]?) -> String? { (item?["SpecialToken"] as? [String: Any])?["id"] as? String }
        let leading = special(single.first), trailing = single.count > 1 ? special(single.last) : nil
        if let config {
            s.bosID = try lookup(tokenText(config["bos_token"]), "tokenizer_config.json: bos_token")
            s.eosID = try lookup(tokenText(config["eos_token"]), "tokenizer_config.json: eos_token")
            s.addsBOS = config["add_bos_token"] as? Bool ?? (leading != nil && leading == tokenText(config["bos_token"]))
            s.addsEOS = config["add_eos_token"] as? Bool ?? false
        } else {
            s.bosID = try lookup(leading, "post_processor.single")
            s.addsBOS = s.bosID != nil
            s.eosID = try lookup(trailing, "post_processor.single")
            s.addsEOS = s.eosID != nil
            if s.eosID == nil {
                s.eosID = ["</s>", "<eos>", "<|endoftext|>", "<|end_of_text|>"].lazy.compactMap { vocab.idByToken[$0] }.first
            }
        }
        return s
    }
}
