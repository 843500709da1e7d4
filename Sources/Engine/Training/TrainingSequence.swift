/// One training example: `tokens`, of which the first `promptTokens` are prompt. Position t predicts
/// tokens[t + 1]; that prediction counts in the loss (an "answer token") iff t + 1 ≥ promptTokens.
public struct TrainingSequence: Sendable, Equatable {
    public var tokens: [Int32]
    public var promptTokens: Int

    public init(tokens: [Int32], promptTokens: Int) {
        self.tokens = tokens
        self.promptTokens = promptTokens
    }

    /// The first position whose prediction is an answer token.
    var firstAnswerPosition: Int { max(promptTokens - 1, 0) }
}

/// What a `TrainingGraph` trains: every weight, or LoRA / DoRA adapters on a frozen model.
public enum TrainingMethod: String, Codable, Sendable {
    case full, lora, dora
}
