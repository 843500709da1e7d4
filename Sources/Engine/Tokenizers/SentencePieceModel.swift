/// SentencePiece-style BPE driven by piece scores (GGUF `tokenizer.ggml.model` = "llama"; Gemma,
/// Llama 2), following llama.cpp's `llm_tokenizer_spm`: spaces become `▁`, the text starts as
/// single characters, and the adjacent pair whose concatenation is the highest-scoring piece is
/// merged until none is left (ties: leftmost). Characters that never formed a piece fall back to
/// `<0xNN>` byte tokens. As in SentencePiece itself, a literal `▁` in the input decodes as a space.
final class SentencePieceModel: TokenizerSegmentModel, @unchecked Sendable {
    static let spaceMark: [UInt8] = Array("\u{2581}".utf8)  // ▁

    /// Pieces a merge may produce: normal (and user-defined) ones — control tokens such as `<eos>`
    /// must never appear from plain text.
    private let index: SentencePieceIndex
    private let scores: [Float]
    /// UTF-8 length of each piece, to recognise stale heap entries without a second lookup.
    private let pieceLength: [Int]
    private let byteIDs: [Int32]
    private let unknownID: Int32?
    let addSpacePrefix: Bool

    init(vocab: TokenizerVocabulary, scores: [Float], unknownID: Int32?, addSpacePrefix: Bool) {
        let types = vocab.types
        index = SentencePieceIndex(tokens: vocab.tokens) { types[$0] == .normal || types[$0] == .userDefined || types[$0] == .undefined }
        self.scores = scores
        pieceLength = vocab.tokens.map { $0.utf8.count }
        byteIDs = SentencePieceModel.byteTokenIDs(vocab)
        self.unknownID = unknownID
        self.addSpacePrefix = addSpacePrefix
    }

    /// Ids of the `<0xNN>` tokens (-1 where missing).
    static func byteTokenIDs(_ vocab: TokenizerVocabulary) -> [Int32] {
        (0..<256).map { b in
            let hex = String(b, radix: 16, uppercase: true)
            return vocab.idByToken["<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"] ?? -1
        }
    }

    /// `text` with spaces replaced by `▁` (and one `▁` in front when requested).
    static func escape(_ bytes: UnsafeBufferPointer<UInt8>, prefix: Bool) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count + 8)
        if prefix { text += spaceMark }
        for b in bytes {
            if b == 0x20 { text += spaceMark } else { text.append(b) }
        }
        return text
    }

    func encode(_ bytes: UnsafeBufferPointer<UInt8>, atStart: Bool, into out: inout [Int32]) {
        let text = Self.escape(bytes, prefix: addSpacePrefix && atStart)
        text.withUnsafeBufferPointer { tokenize($0, into: &out) }
    }

    @inline(__always)
    private func lookup(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Int32? {
        index.find(text.baseAddress! + start, length)
    }

    /// Heap key ordering higher scores first, then lower left index.
    @inline(__always)
    private static func key(score: Float, left: Int) -> UInt64 {
        let b = score.bitPattern
        let ascending = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
        return UInt64(~ascending) << 32 | UInt64(left)
    }

    private func tokenize(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        // Symbols: one per UTF-8 character, as a linked list over byte spans.
        var start: [Int] = [], length: [Int] = []
        var i = 0
        while i < text.count {
            let b = text[i]
            let n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            start.append(i)
            length.append(min(n, text.count - i))
            i += n
        }
        let count = start.count
        guard count > 0 else { return }
        var next = (0..<count).map { $0 + 1 }
        next[count - 1] = -1
        var prev = (0..<count).map { $0 - 1 }
        var ids = (0..<count).map { lookup(text, start[$0], length[$0]) ?? -1 }

        var heap = BPEHeap(capacity: count)
        func tryAdd(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0 else { return }
            let size = length[left] + length[right]
            guard let id = lookup(text, start[left], size) else { return }
            heap.push(Self.key(score: scores[Int(id)], left: left), UInt64(right) << 32 | UInt64(UInt32(id)))
        }
        for k in 1..<max(count, 1) { tryAdd(k - 1, k) }

        while let top = heap.pop() {
            let left = Int(top.key & 0xFFFF_FFFF)
            let right = Int(top.payload >> 32)
            let id = Int32(truncatingIfNeeded: top.payload & 0xFFFF_FFFF)
            let size = pieceLength[Int(id)]
            // Stale when either side has since merged with something else.
            guard length[left] > 0, length[right] > 0, next[left] == right,
                  length[left] + length[right] == size else { continue }
            ids[left] = id
            length[left] = size
            length[right] = 0
            next[left] = next[right]
            if next[right] >= 0 { prev[next[right]] = left }
            tryAdd(prev[left], left)
            tryAdd(left, next[left])
        }

        var k = 0
        while k >= 0 {
            if ids[k] >= 0 {
                out.append(ids[k])
            } else {
                // Only single characters stay without an id (merges always form pieces).
                let span = start[k]..<(start[k] + length[k])
                if span.allSatisfy({ byteIDs[Int(text[$0])] >= 0 }) {
                    for j in span { out.append(byteIDs[Int(text[j])]) }
                } else if let u = unknownID {
                    out.append(u)
                }
            }
            k = next[k]
        }
    }
}
