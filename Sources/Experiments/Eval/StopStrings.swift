import Engine

/// Watches each row's decoded text as tokens arrive and says when a stop string has appeared.
/// Decodes incrementally (one token per call), so checking costs O(1) per token, not O(length).
final class StopStringWatcher {
    private let tokenizer: any Tokenizer
    private let stops: [String]
    private let window: Int
    private var decoders: [TokenizerStreamDecoder]
    private var tails: [String]

    init(tokenizer: any Tokenizer, rows: Int, stops: [String]) {
        self.tokenizer = tokenizer
        self.stops = stops.filter { !$0.isEmpty }
        window = (self.stops.map(\.count).max() ?? 0) + 16
        decoders = Array(repeating: TokenizerStreamDecoder(tokenizer: tokenizer), count: rows)
        tails = Array(repeating: "", count: rows)
    }

    /// For `generate(…stopCondition:)`: `generated` is the row's output so far; only its last
    /// token is new.
    func shouldStop(row: Int, generated: [Int32]) -> Bool {
        guard let last = generated.last else { return false }
        tails[row] += decoders[row].append(last)
        // Keep only as much text as the longest stop string could straddle.
        if tails[row].count > 2 * window { tails[row] = String(tails[row].suffix(window)) }
        return stops.contains { tails[row].contains($0) }
    }
}
