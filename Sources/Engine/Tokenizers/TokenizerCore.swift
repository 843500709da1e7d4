import Foundation

/// The algorithm that turns one run of plain text (no special tokens in it) into ids.
protocol TokenizerSegmentModel: AnyObject, Sendable {
    /// `atStart`: the run begins the text or follows a special token (where SentencePiece's
    /// `add_space_prefix` inserts its `▁`).
    func encode(_ bytes: UnsafeBufferPointer<UInt8>, atStart: Bool, into out: inout [Int32])
}

/// Vocabulary entries and their types, with the text → id index every model needs.
struct TokenizerVocabulary: Sendable {
    let tokens: [String]
    let types: [VocabTokenType]
    let idByToken: [String: Int32]

    init(tokens: [String], types: [VocabTokenType]) {
        self.tokens = tokens
        self.types = types
        var index = [String: Int32](minimumCapacity: tokens.count)
        // First occurrence wins, so a duplicated string keeps its lowest id.
        for (i, t) in tokens.enumerated() where index[t] == nil { index[t] = Int32(i) }
        idByToken = index
    }
}

/// Everything `VocabTokenizer` needs besides the model; filled by `TokenizerFactory`.
struct TokenizerSettings {
    var bosID: Int32?
    var eosID: Int32?
    var unknownID: Int32?
    var addsBOS = false
    var addsEOS = false
    var parseSpecial = true
    var normalizeNFC = false
    /// Decoding drops the space `add_space_prefix` put before the first word.
    var stripLeadingSpace = false
}

/// A tokenizer over an explicit vocabulary: special-token splitting, BOS/EOS, NFC, decoding; the
/// per-run algorithm (byte-level BPE or SentencePiece) is the `model`.
public final class VocabTokenizer: Tokenizer, @unchecked Sendable {
    public enum Kind: String, Sendable { case byteLevelBPE, sentencePiece }

    public let kind: Kind
    /// The byte-level pre-tokenizer (nil for SentencePiece).
    public let preTokenizer: PreTokenizer?
    public let bosID: Int32?
    public let eosID: Int32?
    public let unknownID: Int32?
    public let addsBOS: Bool
    public let addsEOS: Bool
    public let parseSpecial: Bool

    let vocab: TokenizerVocabulary
    private let model: TokenizerSegmentModel
    private let settings: TokenizerSettings
    private let allSpecials: TokenizerSpecialMatcher
    private let alwaysSpecials: TokenizerSpecialMatcher
    /// Decoded bytes of every id, flattened: id i is `pieceBytes[pieceStart[i]..<pieceStart[i+1]]`.
    private let pieceBytes: [UInt8]
    private let pieceStart: [Int]

    init(kind: Kind, preTokenizer: PreTokenizer?, vocab: TokenizerVocabulary, model: TokenizerSegmentModel,
         settings: TokenizerSettings, decodePiece: (Int, String, VocabTokenType) -> [UInt8]) {
        self.kind = kind
        self.preTokenizer = preTokenizer
        self.vocab = vocab
        self.model = model
        self.settings = settings
        bosID = settings.bosID
        eosID = settings.eosID
        unknownID = settings.unknownID
        addsBOS = settings.addsBOS
        addsEOS = settings.addsEOS
        parseSpecial = settings.parseSpecial
        var all: [(String, Int32)] = [], always: [(String, Int32)] = []
        for (i, t) in vocab.tokens.enumerated() where vocab.types[i].isSpecialText {
            all.append((t, Int32(i)))
            if vocab.types[i] == .userDefined { always.append((t, Int32(i))) }
        }
        allSpecials = TokenizerSpecialMatcher(all)
        alwaysSpecials = TokenizerSpecialMatcher(always)
        var bytes: [UInt8] = [], start: [Int] = [0]
        bytes.reserveCapacity(vocab.tokens.count * 6)
        start.reserveCapacity(vocab.tokens.count + 1)
        for (i, t) in vocab.tokens.enumerated() {
            let type = vocab.types[i]
            bytes += type.isSpecialText && type != .userDefined ? Array(t.utf8) : decodePiece(i, t, type)
            start.append(bytes.count)
        }
        pieceBytes = bytes
        pieceStart = start
    }

    public var vocabularySize: Int { vocab.tokens.count }

    public func encode(_ text: String, addSpecialTokens: Bool, parseSpecial: Bool) -> [Int32] {
        let normalized = settings.normalizeNFC ? Self.nfc(text) : text
        var out: [Int32] = []
        out.reserveCapacity(normalized.utf8.count / 3 + 2)
        if addSpecialTokens && addsBOS, let b = bosID { out.append(b) }
        let bytes = Array(normalized.utf8)
        let matcher = parseSpecial ? allSpecials : alwaysSpecials
        bytes.withUnsafeBufferPointer { buf in
            var atStart = true
            for segment in matcher.segments(buf) {
                switch segment {
                case .special(let id):
                    out.append(id)
                    atStart = true
                case .text(let r):
                    model.encode(UnsafeBufferPointer(rebasing: buf[r]), atStart: atStart, into: &out)
                    atStart = false
                }
            }
        }
        if addSpecialTokens && addsEOS, let e = eosID { out.append(e) }
        return out
    }

    public func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        var first = true
        for id in ids {
            guard id >= 0, Int(id) < vocab.tokens.count else { continue }
            if skipSpecialTokens && vocab.types[Int(id)].isSkippable { continue }
            let piece = pieceBytes[pieceStart[Int(id)]..<pieceStart[Int(id) + 1]]
            if first && settings.stripLeadingSpace && piece.first == 0x20 && !vocab.types[Int(id)].isSpecialText {
                bytes += piece.dropFirst()
            } else {
                bytes += piece
            }
            if !vocab.types[Int(id)].isSkippable { first = false }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func tokenBytes(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocab.tokens.count else { return [] }
        return Array(pieceBytes[pieceStart[Int(id)]..<pieceStart[Int(id) + 1]])
    }

    public func decodeToken(_ id: Int32) -> String {
        String(decoding: tokenBytes(id), as: UTF8.self)
    }

    public func id(forSpecial text: String) -> Int32? {
        guard let id = vocab.idByToken[text], vocab.types[Int(id)].isSpecialText else { return nil }
        return id
    }

    public func isSpecial(_ id: Int32) -> Bool {
        id >= 0 && Int(id) < vocab.types.count && vocab.types[Int(id)].isSkippable
    }

    public func piece(_ id: Int32) -> String? {
        id >= 0 && Int(id) < vocab.tokens.count ? vocab.tokens[Int(id)] : nil
    }

    /// Any id by its exact vocabulary entry (byte-level / `▁` spelling).
    public func id(forPiece piece: String) -> Int32? { vocab.idByToken[piece] }

    public func tokenType(_ id: Int32) -> VocabTokenType? {
        id >= 0 && Int(id) < vocab.types.count ? vocab.types[Int(id)] : nil
    }

    /// Unicode NFC, as Qwen's HF normalizer applies; ASCII text is already NFC.
    static func nfc(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        return s.precomposedStringWithCanonicalMapping
    }
}
