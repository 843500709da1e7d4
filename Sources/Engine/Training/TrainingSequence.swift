/// One causal-LM training sequence: position t predicts tokens[t+1], and that prediction counts
/// in the loss iff t+1 >= promptTokens (the prompt is masked, the answer is learned).
public struct TrainingSequence {
    public var tokens: [Int32]
    public var promptTokens: Int

    // Public structs get no public memberwise initialiser; the data pipeline lives in another module.
    public init(tokens: [Int32], promptTokens: Int) {
        self.tokens = tokens
        self.promptTokens = promptTokens
    }
}
