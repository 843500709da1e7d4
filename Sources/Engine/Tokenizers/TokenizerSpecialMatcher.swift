/// Finds special-token text (`<|im_end|>`, Gemma's `"\n\n"`) in UTF-8 input, leftmost-longest,
/// as Hugging Face's added-vocabulary split does, so the model algorithm only sees plain runs.
struct TokenizerSpecialMatcher: Sendable {
    /// Byte trie: node 0 is the root. Children are few per node, so a small dictionary is enough.
    private var children: [[UInt8: Int32]] = [[:]]
    private var terminal: [Int32] = [-1]
    /// Bytes that can start a special token: lets the scan skip most positions with one load.
    private var startsToken = [Bool](repeating: false, count: 256)

    var isEmpty: Bool { children[0].isEmpty }

    init(_ entries: [(text: String, id: Int32)]) {
        for (text, id) in entries where !text.isEmpty {
            var node = 0
            for b in text.utf8 {
                if let next = children[node][b] {
                    node = Int(next)
                } else {
                    children.append([:])
                    terminal.append(-1)
                    let next = Int32(children.count - 1)
                    children[node][b] = next
                    node = Int(next)
                }
            }
            if terminal[node] < 0 { terminal[node] = id }  // first id wins on duplicate text
            startsToken[Int(text.utf8.first!)] = true
        }
    }

    /// Longest special token starting at `i`: (id, byte length).
    @inline(__always)
    func match(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (id: Int32, length: Int)? {
        guard startsToken[Int(bytes[i])] else { return nil }
        var node = 0
        var best: (Int32, Int)? = nil
        var j = i
        while j < bytes.count, let next = children[node][bytes[j]] {
            node = Int(next)
            j += 1
            if terminal[node] >= 0 { best = (terminal[node], j - i) }
        }
        return best
    }

    enum Segment: Equatable { case text(Range<Int>), special(Int32) }

    /// Splits `bytes` into plain-text runs and special tokens, in order.
    func segments(_ bytes: UnsafeBufferPointer<UInt8>) -> [Segment] {
        if isEmpty { return bytes.isEmpty ? [] : [.text(0..<bytes.count)] }
        var out: [Segment] = []
        var runStart = 0
        var i = 0
        while i < bytes.count {
            if let m = match(bytes, at: i) {
                if runStart < i { out.append(.text(runStart..<i)) }
                out.append(.special(m.id))
                i += m.length
                runStart = i
            } else {
                i += 1
            }
        }
        if runStart < bytes.count { out.append(.text(runStart..<bytes.count)) }
        return out
    }
}
