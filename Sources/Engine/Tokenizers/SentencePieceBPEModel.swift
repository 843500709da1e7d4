/// Hugging Face's `BPE` model with `byte_fallback` over the `▁` alphabet (tokenizer.json of
/// Llama 2, Mistral, Gemma): characters start as their own pieces (or `<0xNN>` bytes when absent)
/// and merges follow the ranked merge list rather than piece scores.
final class SentencePieceBPEModel: TokenizerSegmentModel, @unchecked Sendable {
    private let merger: BPEMerger
    private let idByToken: [String: Int32]
    private let byteIDs: [Int32]
    private let unknownID: Int32?
    let addSpacePrefix: Bool
    /// Metaspace `split: true`: merge within words that each start at a `▁`.
    let splitWords: Bool

    init(vocab: TokenizerVocabulary, merges: [(String, String)], unknownID: Int32?,
         addSpacePrefix: Bool, splitWords: Bool) {
        idByToken = vocab.idByToken
        byteIDs = SentencePieceModel.byteTokenIDs(vocab)
        self.unknownID = unknownID
        self.addSpacePrefix = addSpacePrefix
        self.splitWords = splitWords
        var pairs: [(left: Int32, right: Int32, merged: Int32)] = []
        for (a, b) in merges {
            guard let l = vocab.idByToken[a], let r = vocab.idByToken[b], let m = vocab.idByToken[a + b] else { continue }
            pairs.append((l, r, m))
        }
        merger = BPEMerger(pairs: pairs)
    }

    func encode(_ bytes: UnsafeBufferPointer<UInt8>, atStart: Bool, into out: inout [Int32]) {
        let text = SentencePieceModel.escape(bytes, prefix: addSpacePrefix && atStart)
        text.withUnsafeBufferPointer { buf in
            guard splitWords else { return encodeWord(buf, 0..<buf.count, into: &out) }
            var wordStart = 0
            var i = 0
            while i < buf.count {
                // A `▁` (E2 96 81) starts a new word, except at the word's own start.
                if i > wordStart && buf[i] == 0xE2 && i + 2 < buf.count && buf[i + 1] == 0x96 && buf[i + 2] == 0x81 {
                    encodeWord(buf, wordStart..<i, into: &out)
                    wordStart = i
                }
                i += 1
            }
            if wordStart < buf.count { encodeWord(buf, wordStart..<buf.count, into: &out) }
        }
    }

    private func encodeWord(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into out: inout [Int32]) {
        var ids: [Int32] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let b = text[i]
            let n = min(b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4, range.upperBound - i)
            let char = UnsafeBufferPointer(rebasing: text[i..<(i + n)])
            if let id = idByToken[String(decoding: char, as: UTF8.self)] {
                ids.append(id)
            } else if char.allSatisfy({ byteIDs[Int($0)] >= 0 }) {
                ids += char.map { byteIDs[Int($0)] }
            } else if let u = unknownID {
                ids.append(u)
            }
            i += n
        }
        merger.merge(&ids)
        out += ids
    }
}
