import Engine
/// How a generation prompt is written. Raw values are what runs record as `prompt_format`.
public enum PromptFormat: String, Sendable, CaseIterable {
    /// lm-evaluation-harness `gsm8k`: `Question: {q}\nAnswer:`, target ` {solution}`, shots
    /// separated by a blank line.
    case questionAnswer = "qa"
    /// Zero-shot chain of thought: `Question: {q}\nAnswer: Let's think step by step.`
    case zeroShotCoT = "cot"
    /// Chat messages; shots are earlier user/assistant turns. The engine applies the model's
    /// chat template.
    case chat
}

/// How k shots are chosen.
public enum ShotSelection: String, Sendable, CaseIterable {
    /// Drawn for each question from SplitMix64(seed, stream: question index), as the harness
    /// samples shots per document.
    case perQuestion = "sampled"
    /// The same k shots for every question, so their text is one shared prefix an engine can
    /// keep in its KV cache.
    case fixed
}

public struct PromptConfig: Equatable, Sendable {
    public var format: PromptFormat
    public var shots: Int
    public var seed: UInt64
    public var selection: ShotSelection
    /// Drop GSM8K's `<<a*b=c>>` annotations from shot solutions and targets (the harness keeps them).
    public var stripCalculatorAnnotations: Bool

    public init(format: PromptFormat = .questionAnswer, shots: Int = 0, seed: UInt64 = 0,
                selection: ShotSelection = .perQuestion, stripCalculatorAnnotations: Bool = false) {
        self.format = format
        self.shots = shots
        self.seed = seed
        self.selection = selection
        self.stripCalculatorAnnotations = stripCalculatorAnnotations
    }
}

public struct ChatMessage: Equatable, Sendable {
    public enum Role: String, Sendable { case system, user, assistant }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// One question's prompt.
public struct Prompt: Equatable, Sendable {
    /// The completion prompt (empty for `.chat`).
    public var text: String
    /// The leading part of `text` made of the shots and their separator; in fixed mode it is
    /// the same string for every question. Empty for zero-shot and for `.chat`.
    public var prefix: String
    /// Chat turns (empty unless `.chat`).
    public var messages: [ChatMessage]
    /// The gold continuation: what training learns and what a perfect model would generate.
    public var target: String
    /// `Example.index` of each shot in the pool, in prompt order.
    public var shots: [Int]
}

public enum PromptError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case tooFewShots(needed: Int, available: Int)
    case questionAmongShots(index: Int)

    public var description: String {
        switch self {
        case let .invalid(m): return m
        case let .tooFewShots(needed, available):
            return "need \(needed) shots but the pool has only \(available) usable examples"
        case let .questionAmongShots(index):
            return "example \(index) is one of the fixed shots; pass the evaluated examples as `evaluating`"
        }
    }
}
