import Foundation

/// Finds the example of an ftlab dataset that a document from another tool is about, by its
/// question text — not by position: another tool may read another copy or order of the data, and
/// ftlab's predictions are keyed by its own indices (which `compare` pairs runs on).
public struct ExampleMatcher: Sendable {
    private let dataset: Dataset
    /// Normalised question text → example indices (several when a dataset repeats a question).
    private var byText: [String: [Int]] = [:]

    public init(_ dataset: Dataset) {
        self.dataset = dataset
        for (position, example) in dataset.examples.enumerated() {
            byText[Self.normalized(example.question), default: []].append(position)
        }
    }

    /// White space runs become one space, ends trimmed: copies of a dataset differ in exactly this.
    public static func normalized(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The example whose question is one of the document's strings (or two of them joined, for
    /// sources that split body and question). Among equal questions, the one whose choices the
    /// document also holds, then the one at `position`, then the first not taken yet.
    public func match(strings: [String: String], position: Int, taken: Set<Int>) -> Example? {
        let values = strings.keys.sorted().map { Self.normalized(strings[$0]!) }
        var candidates: [Int] = []
        for v in values { candidates += byText[v] ?? [] }
        if candidates.isEmpty {
            for a in values { for b in values where a != b { candidates += byText[a + " " + b] ?? [] } }
        }
        guard !candidates.isEmpty else { return nil }
        let present = Set(values)
        let withChoices = candidates.filter { i in
            guard let choices = dataset.examples[i].choices else { return true }
            return choices.allSatisfy { present.contains(Self.normalized($0)) }
        }
        let pool = withChoices.isEmpty ? candidates : withChoices
        let index = pool.first { dataset.examples[$0].index == position && !taken.contains(dataset.examples[$0].index) }
            ?? pool.first { !taken.contains(dataset.examples[$0].index) }
        return index.map { dataset.examples[$0] }
    }
}
