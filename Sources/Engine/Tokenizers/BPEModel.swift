import Foundation

/// Byte-level BPE (GPT-2, SmolLM, Qwen): pre-tokenize into words, spell each word's bytes with
/// the byte-level alphabet, then apply ranked merges. Words repeat a lot in real text, so results
/// are cached per word.
final class BPEModel: TokenizerSegmentModel, @unchecked Sendable {
    let preTokenizer: PreTokenizer
    let merger: BPEMerger
    /// Vocabulary id of the single-character token for each byte; -1 when the vocabulary lacks it.
    let byteIDs: [Int32]
    let unknownID: Int32?
    /// HF `ignore_merges` (Llama 3): a word that is itself a vocabulary entry is emitted whole.
    let ignoreMerges: Bool
    private let idByToken: [String: Int32]

    private let lock = NSLock()
    private var cache: [String: [Int32]] = [:]
    /// Bounds memory on long runs over varied text; a full reset is cheap and rare.
    private let cacheLimit = 100_000

    init(vocab: TokenizerVocabulary, merges: [(String, String)], preTokenizer: PreTokenizer,
         unknownID: Int32?, ignoreMerges: Bool) {
        self.preTokenizer = preTokenizer
        self.unknownID = unknownID
        self.ignoreMerges = ignoreMerges
        idByToken = vocab.idByToken
        byteIDs = BPEByteMap.byteToScalar.map { vocab.idByToken[String($0)] ?? -1 }
        var pairs: [(left: Int32, right: Int32, merged: Int32)] = []
        pairs.reserveCapacity(merges.count)
        for (a, b) in merges {
            // A merge whose parts or result are not in the vocabulary can never apply.
            guard let l = vocab.idByToken[a], let r = vocab.idByToken[b], let m = vocab.idByToken[a + b] else { continue }
            pairs.append((l, r, m))
        }
        merger = BPEMerger(pairs: pairs)
    }

    func encode(_ bytes: UnsafeBufferPointer<UInt8>, atStart: Bool, into out: inout [Int32]) {
        var scratch = PreTokenizerScratch()
        preTokenizer.forEachWord(bytes, scratch: &scratch) { r in
            encodeWord(UnsafeBufferPointer(rebasing: bytes[r]), into: &out)
        }
    }

    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        if word.count == 1 {
            append(byteIDs[Int(word[0])], to: &out)
            return
        }
        let key = String(decoding: word, as: UTF8.self)
        lock.lock()
        let hit = cache[key]
        lock.unlock()
        if let hit { out += hit; return }

        var ids = word.map { byteIDs[Int($0)] }
        if ignoreMerges, let whole = idByToken[BPEByteMap.encode(word)] {
            ids = [whole]
        } else {
            merger.merge(&ids)
        }
        if ids.contains(where: { $0 < 0 }) {
            ids = ids.compactMap { $0 >= 0 ? $0 : unknownID }
        }
        lock.lock()
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[key] = ids
        lock.unlock()
        out += ids
    }

    @inline(__always)
    private func append(_ id: Int32, to out: inout [Int32]) {
        if id >= 0 { out.append(id) } else if let u = unknownID { out.append(u) }
    }
}
