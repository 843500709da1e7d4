/// `eval MODEL on TASK [split S] [shots K] [fixed] [chat] [limit N] [seed S] [max-tokens T]`.
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

    public init(model: String, task: String, split: String? = nil, shots: Int = 0, fixed: Bool = false,
                chat: Bool = false, limit: Int? = nil, seed: Int? = nil, maxTokens: Int? = nil) {
        self.model = model; self.task = task; self.split = split; self.shots = shots; self.fixed = fixed
        self.chat = chat; self.limit = limit; self.seed = seed; self.maxTokens = maxTokens
    }
}
