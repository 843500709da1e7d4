/// Text ↔ token ids for one model's vocabulary.
///
/// Implementations are immutable after construction (apart from internal caches guarded by
/// locks), so one instance may be shared between threads.
public protocol Tokenizer: AnyObject, Sendable {
    /// Number of ids in the vocabulary (the embedding rows a model needs).
    var vocabularySize: Int { get }
    var bosID: Int32? { get }
    var eosID: Int32? { get }
    /// Whether `encode(_:addSpecialTokens: true)` prepends `bosID`.
    var addsBOS: Bool { get }
    /// Whether `encode(_:addSpecialTokens: true)` appends `eosID`.
    var addsEOS: Bool { get }
    /// Default for `encode(_:addSpecialTokens:)`: match control tokens such as `<|im_end|>` written
    /// verbatim in the text. True, as in Hugging Face tokenizers; chat templates need it.
    var parseSpecial: Bool { get }

    /// Token ids for `text`. With `parseSpecial` false, control tokens in the text are tokenized as
    /// plain characters (user-defined tokens such as Gemma's `"\n\n"` are still matched, as in
    /// llama.cpp, because the vocabulary relies on them).
    func encode(_ text: String, addSpecialTokens: Bool, parseSpecial: Bool) -> [Int32]
    /// The text of `ids`; control tokens are rendered verbatim unless `skipSpecialTokens`.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String
    /// The raw bytes one token contributes to decoded text (may be part of a UTF-8 sequence).
    func tokenBytes(_ id: Int32) -> [UInt8]
    /// One token's text on its own, for streaming; a token holding part of a multi-byte character
    /// yields U+FFFD here — use `TokenizerStreamDecoder` to stream exact text.
    func decodeToken(_ id: Int32) -> String
    /// The id of a special (control, user-defined or unknown) token by its exact text.
    func id(forSpecial text: String) -> Int32?
    /// Whether `id` is a control/unknown/unused token (what `skipSpecialTokens` drops).
    func isSpecial(_ id: Int32) -> Bool
    /// The vocabulary entry for `id` as stored (byte-level or `▁` form), nil when out of range.
    func piece(_ id: Int32) -> String?
}

extension Tokenizer {
    /// Token ids for `text`, matching special-token text when `self.parseSpecial` is true.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int32] {
        encode(text, addSpecialTokens: addSpecialTokens, parseSpecial: parseSpecial)
    }

    /// The text of `ids`, special tokens rendered.
    public func decode(_ ids: [Int32]) -> String {
        decode(ids, skipSpecialTokens: false)
    }
}

/// GGUF `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`).
public enum VocabTokenType: Int, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6

    /// Dropped by `decode(_:skipSpecialTokens: true)`.
    var isSkippable: Bool { self == .control || self == .unknown || self == .unused }
    /// Matched verbatim in input text before the model's algorithm runs.
    var isSpecialText: Bool { self == .control || self == .userDefined || self == .unknown }
}

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A required key is absent. `source` names the file (or "GGUF metadata").
    case missingKey(source: String, key: String)
    /// A key is present but its value is unusable.
    case invalidValue(source: String, key: String, reason: String)
    /// A recognised but unimplemented tokenizer variant.
    case unsupported(source: String, key: String, value: String)
    case unreadable(source: String, reason: String)

    public var description: String {
        switch self {
        case .missingKey(let s, let k): return "\(s): missing key '\(k)'"
        case .invalidValue(let s, let k, let r): return "\(s): invalid '\(k)': \(r)"
        case .unsupported(let s, let k, let v): return "\(s): unsupported \(k) = '\(v)'"
        case .unreadable(let s, let r): return "\(s): \(r)"
        }
    }
}

/// Turns a stream of token ids into text without splitting multi-byte characters: bytes are held
/// back until they form complete UTF-8 sequences.
public struct TokenizerStreamDecoder {
    private let tokenizer: any Tokenizer
    private let skipSpecialTokens: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: any Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// The text that `id` completes (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        if skipSpecialTokens && tokenizer.isSpecial(id) { return "" }
        pending += tokenizer.tokenBytes(id)
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Whatever is still held back (invalid or truncated bytes become U+FFFD).
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside an incomplete UTF-8 sequence.
    static func completePrefixLength(_ b: [UInt8]) -> Int {
        var i = b.count
        // Walk back over at most 3 continuation bytes to the last lead byte.
        var back = 0
        while i > 0 && back < 4 && (b[i - 1] & 0xC0) == 0x80 { i -= 1; back += 1 }
        guard i > 0 else { return b.count }  // only orphan continuation bytes: emit them
        let lead = b[i - 1]
        let need: Int
        if lead < 0x80 { need = 1 } else if lead >= 0xF0 { need = 4 } else if lead >= 0xE0 { need = 3 } else if lead >= 0xC0 { need = 2 } else { need = 1 }
        let have = b.count - (i - 1)
        return have >= need ? b.count : i - 1
    }
}
