/// `eval MODEL on TASK [split S] [shots K] [fixed] [chat] [limit N] [seed S] [max-tokens T] [batch W] [fp32]`.
/// Pure data: Console turns it into an experiment spec. Options may come in any order, each once.
public struct EvalCommand: Equatable, Sendable {
    /// A catalog key or a path to a .gguf file, as typed.
    public var model: String
    public var task: String
    public var split: String?
    public var shots: Int
    public var fixed: Bool
    public var chat: Bool
    public var limit: Int?
    public var seed: Int?
    public var maxTokens: Int?
    /// Rows decoded at once (continuous batching width).
    public var batch: Int?
    /// Run on fp32 weights (the reference path) instead of the GGUF's quantized blocks.
    public var fp32: Bool

    public init(model: String, task: String, split: String? = nil, shots: Int = 0, fixed: Bool = false,
                chat: Bool = false, limit: Int? = nil, seed: Int? = nil, maxTokens: Int? = nil,
                batch: Int? = nil, fp32: Bool = false) {
        self.model = model; self.task = task; self.split = split; self.shots = shots; self.fixed = fixed
        self.chat = chat; self.limit = limit; self.seed = seed; self.maxTokens = maxTokens
        self.batch = batch; self.fp32 = fp32
    }
}
