/// How a multiple-choice question is put to a model scored by log-likelihood.
public enum MultipleChoiceStyle: String, Sendable, CaseIterable {
    /// Harness `piqa`: `Question: {q}\nAnswer:`; continuations are ` {choice text}`.
    case optionText
    /// Harness `commonsense_qa`: options listed as `A. …` in the context; continuations ` A`…
    case letters
}

/// A context and one continuation per choice; the scorer picks the likeliest continuation.
public struct MultipleChoicePrompt: Equatable, Sendable {
    public var context: String
    public var continuations: [String]
    /// Index of the gold continuation.
    public var gold: Int

    /// - Parameter shots: solved examples placed before the question, each with its gold
    ///   continuation, separated by blank lines.
    public init(_ example: Example, style: MultipleChoiceStyle, shots: [Example] = []) throws {
        let (context, continuations, gold) = try Self.parts(example, style)
        var prefix = ""
        for shot in shots {
            let (c, options, g) = try Self.parts(shot, style)
            prefix += c + options[g] + "\n\n"
        }
        self.context = prefix + context
        self.continuations = continuations
        self.gold = gold
    }

    private static func parts(_ e: Example, _ style: MultipleChoiceStyle) throws -> (String, [String], Int) {
        guard let choices = e.choices, !choices.isEmpty else {
            throw PromptError.invalid("example \(e.index) has no choices")
        }
        guard let gold = e.goldChoiceIndex else {
            throw PromptError.invalid("example \(e.index): answer \"\(e.answer)\" is not one of its choice letters")
        }
        switch style {
        case .optionText:
            return ("Question: \(e.question)\nAnswer:", choices.map { " " + $0 }, gold)
        case .letters:
            let letters = choices.indices.map(Example.choiceLetter)
            let listed = zip(letters, choices).map { "\n\($0). \($1)" }.joined()
            return ("Question: \(e.question.trimmingWhitespace())\(listed)\nAnswer:", letters.map { " " + $0 }, gold)
        }
    }
}
