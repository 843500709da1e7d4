// "Did you mean …?" suggestions for misspelt fields, sources and enum values.

enum Suggestions {
    /// The candidate nearest to `input`: the smallest Levenshtein distance if it is at most 2,
    /// otherwise the first candidate that `input` is a prefix of (someone typing `acc` means
    /// `accuracy`). Case-insensitive; ties go to the earlier candidate, so catalog order decides.
    static func nearest(to input: String, among candidates: [String]) -> String? {
        let needle = input.lowercased()
        guard !needle.isEmpty else { return nil }
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = levenshtein(needle, candidate.lowercased())
            if d <= 2, d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        if let best { return best.name }
        return candidates.first { $0.lowercased().hasPrefix(needle) }
    }

    /// Classic two-row dynamic programme over Characters.
    static func levenshtein(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// " (did you mean `x`?)" or "".
    static func hint(_ input: String, among candidates: [String]) -> String {
        nearest(to: input, among: candidates).map { " (did you mean `\($0)`?)" } ?? ""
    }
}
