/// The causal mask with an optional sliding window, shared by inference and training attention:
/// a query at position p sees keys max(0, p − window + 1) … p.
enum AttentionMask {
    /// The first key position a query at `position` sees.
    @inline(__always)
    static func firstVisibleKey(position: Int, window: Int?) -> Int {
        window.map { max(0, position - $0 + 1) } ?? 0
    }

    /// Softmax over row[a ..< end], the visible keys; the rest of row[0 ..< width] is zeroed so
    /// that the row can be multiplied with all `width` values.
    @inline(__always)
    static func softmaxVisible(_ row: UnsafeMutablePointer<Float>, from a: Int, to end: Int, width: Int) {
        if a > 0 { row.update(repeating: 0, count: a) }
        Activation.softmax(row + a, end - a)
        if end < width { (row + end).update(repeating: 0, count: width - end) }
    }
}
