/// One problem of a task, whatever file format it came from.
///
/// `answer` is the gold answer the scorer compares with: canonical number text for generation
/// tasks (`"1000"`, `"0.5"`, `"-3"`; see `NumberText.canonical`) and a choice letter (`"A"`…) for
/// multiple-choice tasks, where `choices[i]` is the text of letter `i`.
public struct Example: Equatable, Sendable {
    /// Position in its split, from 0. Predictions are keyed by it.
    public var index: Int
    /// The full problem text as it is put into a prompt.
    public var question: String
    /// A worked solution when the source has one (GSM8K's answer text, AQuA's rationale).
    public var solution: String?
    public var answer: String
    public var choices: [String]?
    /// Source text that is already part of `question` but is kept apart for analysis
    /// (SVAMP's and ASDiv's `Body`). Prompt builders never read it.
    public var context: String?

    public init(index: Int, question: String, solution: String? = nil, answer: String,
                choices: [String]? = nil, context: String? = nil) {
        self.index = index
        self.question = question
        self.solution = solution
        self.answer = answer
        self.choices = choices
        self.context = context
    }

    /// Every text of the example a model may read or be trained on, in a fixed order: question,
    /// solution, answer, choices. The tokenizer parity fixture and its test both take texts from
    /// here, so the two sides check the same strings.
    public var texts: [String] {
        [question] + (solution.map { [$0] } ?? []) + [answer] + (choices ?? [])
    }

    /// Index of the gold choice for multiple-choice examples (`"B"` → 1).
    public var goldChoiceIndex: Int? {
        guard let choices, answer.count == 1, let letter = answer.unicodeScalars.first,
              letter.value >= 65 else { return nil }
        let i = Int(letter.value) - 65
        return i < choices.count ? i : nil
    }

    /// Reasoning steps of the worked solution: its non-empty lines before the `####` answer
    /// line (GSM8K writes one step a line). nil without a solution.
    public var reasoningSteps: Int? {
        guard let solution else { return nil }
        let body = solution.components(separatedBy: "\n").prefix { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("####") }
        return body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
    }

    /// The letter of choice `i` (0 → "A").
    public static func choiceLetter(_ i: Int) -> String {
        String(UnicodeScalar(UInt8(65 + i)))
    }
}

/// A loaded split of a task.
public struct Dataset: Equatable, Sendable {
    public var task: String
    public var split: String
    public var examples: [Example]
    /// SHA-256 (lower-case hex) of the source bytes: the file, or the files concatenated in the
    /// order the loader reads them; for built-in tasks, of their GSM8K-style JSON Lines text.
    public var sha256: String
    /// The main source file; nil for built-in tasks.
    public var path: String?

    public init(task: String, split: String, examples: [Example], sha256: String, path: String?) {
        self.task = task
        self.split = split
        self.examples = examples
        self.sha256 = sha256
        self.path = path
    }

    public var count: Int { examples.count }
}
