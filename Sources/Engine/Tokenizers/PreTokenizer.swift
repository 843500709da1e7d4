/// How byte-level BPE text is cut into words before merging. Each case is a hand-written matcher
/// equivalent to the model family's regex (no regex engine in the hot path).
public enum PreTokenizer: String, Sendable, CaseIterable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// SmolLM / StarCoder: every `\p{N}` isolated first, then the GPT-2 pattern on the runs between
    /// (HF: `Digits(individual_digits) + ByteLevel`; llama.cpp: `"\p{N}"` then GPT-2).
    case smollm
    /// Qwen2: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case qwen2
    /// Llama 3: the Qwen2 pattern with `\p{N}{1,3}`.
    case llama3

    /// The words of `text`, for tests and inspection.
    public func split(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buf in
            var words: [String] = []
            var scratch = PreTokenizerScratch()
            forEachWord(buf, scratch: &scratch) { r in
                words.append(String(decoding: UnsafeBufferPointer(rebasing: buf[r]), as: UTF8.self))
            }
            return words
        }
    }

    /// Calls `body` with the byte range of each word of the UTF-8 text `bytes`, in order.
    func forEachWord(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout PreTokenizerScratch,
                     _ body: (Range<Int>) -> Void) {
        scratch.load(bytes)
        let n = scratch.count
        scratch.withBuffers { sc, cls, off in
            var i = 0
            switch self {
            case .gpt2:
                while i < n { let e = PreTokenizerPatterns.gpt2Word(sc, cls, i, n); body(off[i]..<off[e]); i = e }
            case .qwen2, .llama3:
                let maxDigits = self == .qwen2 ? 1 : 3
                while i < n { let e = PreTokenizerPatterns.qwen2Word(sc, cls, i, n, maxDigits); body(off[i]..<off[e]); i = e }
            case .smollm:
                while i < n {
                    if cls[i] & PreTokenizerCharClass.number != 0 { body(off[i]..<off[i + 1]); i += 1; continue }
                    var end = i + 1
                    while end < n && cls[end] & PreTokenizerCharClass.number == 0 { end += 1 }
                    while i < end { let e = PreTokenizerPatterns.gpt2Word(sc, cls, i, end); body(off[i]..<off[e]); i = e }
                }
            }
        }
    }
}

/// Character classes as bit flags; a character with none of them is "other" (`[^\s\p{L}\p{N}]`).
enum PreTokenizerCharClass {
    static let letter: UInt8 = 1, number: UInt8 = 2, space: UInt8 = 4, newline: UInt8 = 8

    private static let ascii: [UInt8] = (0..<128).map { v -> UInt8 in
        switch v {
        case 0x0A, 0x0D: return space | newline
        case 0x09, 0x0B, 0x0C, 0x20: return space
        case 0x30...0x39: return number
        case 0x41...0x5A, 0x61...0x7A: return letter
        default: return 0
        }
    }

    @inline(__always)
    static func of(_ s: Unicode.Scalar) -> UInt8 {
        if s.value < 128 { return ascii[Int(s.value)] }
        let p = s.properties
        // `\s` in the HF (Oniguruma) patterns is Unicode White_Space.
        if p.isWhitespace { return space }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return number
        default:
            return 0
        }
    }
}

/// Reused per-call buffers: scalars, their classes and UTF-8 offsets (count + 1 entries).
struct PreTokenizerScratch {
    var scalars: [UInt32] = []
    var classes: [UInt8] = []
    var offsets: [Int] = []
    var count: Int { scalars.count }

    mutating func load(_ bytes: UnsafeBufferPointer<UInt8>) {
        scalars.removeAll(keepingCapacity: true)
        classes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = UInt32(bytes[i])
            var v: UInt32
            var len: Int
            // Input comes from a Swift String, so it is valid UTF-8.
            if b0 < 0x80 { v = b0; len = 1 }
            else if b0 < 0xE0 { v = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F); len = 2 }
            else if b0 < 0xF0 {
                v = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F); len = 3
            } else {
                v = (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                    | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F); len = 4
            }
            scalars.append(v)
            classes.append(PreTokenizerCharClass.of(Unicode.Scalar(v) ?? "\u{FFFD}"))
            offsets.append(i)
            i += len
        }
        offsets.append(n)
    }

    func withBuffers<R>(_ body: (UnsafeBufferPointer<UInt32>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int>) -> R) -> R {
        scalars.withUnsafeBufferPointer { s in
            classes.withUnsafeBufferPointer { c in
                offsets.withUnsafeBufferPointer { o in body(s, c, o) }
            }
        }
    }
}
