/// Builds tokenizers from GGUF metadata or a Hugging Face `tokenizer.json`.
public enum TokenizerFactory {
    /// A tokenizer from GGUF `tokenizer.ggml.*` metadata: `model` "gpt2" (byte-level BPE, pre-tokenizer
    /// from `pre`) or "llama" (SentencePiece with scores and byte fallback). `source` names the file
    /// in errors.
    public static func fromGGUF(metadata: [String: GGUFValue], source: String = "GGUF metadata") throws -> any Tokenizer {
        let r = TokenizerMetadataReader(metadata: metadata, source: source)
        let model = try r.string("tokenizer.ggml.model")
        let tokens = try r.stringArray("tokenizer.ggml.tokens")
        guard !tokens.isEmpty else { throw TokenizerError.invalidValue(source: source, key: "tokenizer.ggml.tokens", reason: "empty") }
        let types = try r.tokenTypes(count: tokens.count)
        let vocab = TokenizerVocabulary(tokens: tokens, types: types)
        var settings = TokenizerSettings()
        settings.bosID = try r.tokenID("tokenizer.ggml.bos_token_id", count: tokens.count)
        settings.eosID = try r.tokenID("tokenizer.ggml.eos_token_id", count: tokens.count)
        settings.unknownID = try r.tokenID("tokenizer.ggml.unknown_token_id", count: tokens.count)
        settings.addsEOS = r.bool("tokenizer.ggml.add_eos_token") ?? false

        switch model {
        case "gpt2":
            let merges = try r.merges("tokenizer.ggml.merges")
            let preName = metadata["tokenizer.ggml.pre"]?.string ?? "default"
            guard let pre = preTokenizer(forGGUFName: preName) else {
                throw TokenizerError.unsupported(source: source, key: "tokenizer.ggml.pre", value: preName)
            }
            settings.addsBOS = r.bool("tokenizer.ggml.add_bos_token") ?? false
            // Qwen's HF tokenizer normalizes to NFC before splitting; the reference ids come from it.
            settings.normalizeNFC = pre == .qwen2
            let bpe = BPEModel(vocab: vocab, merges: merges, preTokenizer: pre,
                               unknownID: settings.unknownID, ignoreMerges: pre == .llama3)
            return VocabTokenizer(kind: .byteLevelBPE, preTokenizer: pre, vocab: vocab, model: bpe,
                                  settings: settings) { _, piece, _ in BPEByteMap.decode(piece) }
        case "llama":
            var scores = try r.floatArray("tokenizer.ggml.scores", count: tokens.count)
            if scores.isEmpty { scores = [Float](repeating: 0, count: tokens.count) }
            // llama.cpp's defaults for SentencePiece vocabularies.
            settings.addsBOS = r.bool("tokenizer.ggml.add_bos_token") ?? true
            let prefix = r.bool("tokenizer.ggml.add_space_prefix") ?? true
            settings.stripLeadingSpace = prefix
            let spm = SentencePieceModel(vocab: vocab, scores: scores, unknownID: settings.unknownID, addSpacePrefix: prefix)
            return VocabTokenizer(kind: .sentencePiece, preTokenizer: nil, vocab: vocab, model: spm,
                                  settings: settings, decodePiece: sentencePieceBytes)
        default:
            throw TokenizerError.unsupported(source: source, key: "tokenizer.ggml.model", value: model)
        }
    }

    /// The tokenizer of an opened GGUF file (errors name the file).
    public static func fromGGUF(file: GGUFFile) throws -> any Tokenizer {
        try fromGGUF(metadata: file.metadata, source: file.name)
    }

    /// llama.cpp's `tokenizer.ggml.pre` names, grouped by the split they use.
    static func preTokenizer(forGGUFName name: String) -> PreTokenizer? {
        switch name {
        case "default", "gpt2", "gpt-2", "mpt", "olmo", "jais": return .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva": return .smollm
        case "qwen2", "deepseek-r1-qwen", "megrez": return .qwen2
        case "llama-bpe", "llama3", "falcon3", "smaug-bpe", "dbrx": return .llama3
        default: return nil
        }
    }

    /// Decoded bytes of a SentencePiece piece: `▁` → space, `<0xNN>` byte tokens → that byte.
    static func sentencePieceBytes(_ id: Int, _ piece: String, _ type: VocabTokenType) -> [UInt8] {
        if type == .byte, let b = byteTokenValue(piece) { return [b] }
        var out: [UInt8] = []
        let u = Array(piece.utf8)
        var i = 0
        while i < u.count {
            if u[i] == 0xE2 && i + 2 < u.count && u[i + 1] == 0x96 && u[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return out
    }

    /// The byte of a `<0xNN>` piece.
    static func byteTokenValue(_ piece: String) -> UInt8? {
        let u = Array(piece.utf8)
        guard u.count == 6, piece.hasPrefix("<0x"), u[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }
}

/// Typed access to GGUF metadata with errors that name the source and key.
struct TokenizerMetadataReader {
    let metadata: [String: GGUFValue]
    let source: String

    func string(_ key: String) throws -> String {
        guard let v = metadata[key] else { throw TokenizerError.missingKey(source: source, key: key) }
        guard let s = v.string else { throw TokenizerError.invalidValue(source: source, key: key, reason: "expected a string") }
        return s
    }

    func stringArray(_ key: String) throws -> [String] {
        guard let v = metadata[key] else { throw TokenizerError.missingKey(source: source, key: key) }
        guard let a = v.array, let s = v.stringArray, s.count == a.count else {
            throw TokenizerError.invalidValue(source: source, key: key, reason: "expected an array of strings")
        }
        return s
    }

    func bool(_ key: String) -> Bool? {
        guard let v = metadata[key] else { return nil }
        if case .bool(let b) = v { return b }
        return v.int.map { $0 != 0 }
    }

    /// An optional token id; present but out of range is an error.
    func tokenID(_ key: String, count: Int) throws -> Int32? {
        guard let v = metadata[key] else { return nil }
        guard let i = v.int, i >= 0, i < count else {
            throw TokenizerError.invalidValue(source: source, key: key, reason: "not a token id below \(count)")
        }
        return Int32(i)
    }

    /// `tokenizer.ggml.token_type`, all normal when absent.
    func tokenTypes(count: Int) throws -> [VocabTokenType] {
        let key = "tokenizer.ggml.token_type"
        guard let v = metadata[key] else { return [VocabTokenType](repeating: .normal, count: count) }
        guard let ints = v.intArray, ints.count == count else {
            throw TokenizerError.invalidValue(source: source, key: key, reason: "expected \(count) integers")
        }
        return ints.map { VocabTokenType(rawValue: $0) ?? .normal }
    }

    /// A float array of exactly `count` entries, or empty when absent.
    func floatArray(_ key: String, count: Int) throws -> [Float] {
        guard let v = metadata[key] else { return [] }
        guard let f = v.floatArray, f.count == count else {
            throw TokenizerError.invalidValue(source: source, key: key, reason: "expected \(count) numbers")
        }
        return f
    }

    func merges(_ key: String) throws -> [(String, String)] {
        let lines = try stringArray(key)
        var out: [(String, String)] = []
        out.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            guard let pair = Self.splitMerge(line) else {
                throw TokenizerError.invalidValue(source: source, key: key, reason: "entry \(i) '\(line)' is not 'left right'")
            }
            out.append(pair)
        }
        return out
    }

    /// "a b" → ("a", "b"). The separator is the first space after the first byte, as in llama.cpp,
    /// so a left part that is itself a space still parses.
    static func splitMerge(_ line: String) -> (String, String)? {
        let u = line.utf8
        guard u.count >= 3, let sp = u.dropFirst().firstIndex(of: 0x20) else { return nil }
        let left = String(line[..<sp]), right = String(line[line.utf8.index(after: sp)...])
        return right.isEmpty ? nil : (left, right)
    }
}
