/// `train MODEL on TASK with full|lora|dora [options] [then eval on TASK [eval options]]`.
/// Pure data: Console turns it into a training spec. Unset options keep the engine's defaults
/// (nil here), so the spec, not the parser, owns the numbers.
public struct TrainCommand: Equatable, Sendable {
    public enum Method: String, Equatable, Sendable, CaseIterable { case full, lora, dora }

    public var model: String
    public var task: String
    public var method: Method
    public var split: String?
    public var rank: Int?
    public var alpha: Double?
    public var dropout: Double?
    /// Short or PEFT names as typed (`q`, `k_proj`, …); validated by the engine.
    public var targets: [String]?
    public var rsLoRA: Bool
    public var lr: Double?
    public var weightDecay: Double?
    public var warmup: Int?
    public var schedule: String?
    public var epochs: Int?
    public var steps: Int?
    public var batch: Int?
    public var accum: Int?
    public var seq: Int?
    public var limit: Int?
    public var seed: Int?
    public var clip: Double?
    public var freezeEmbeddings: Bool
    /// LoRA/DoRA on the fp32 base instead of the GGUF's quantized blocks.
    public var fp32 = false
    /// Activation recomputation forced on or off (nil: the memory plan decides).
    public var recompute: Bool?
    /// Steps between checkpoints (nil: the spec's default, 100; a checkpoint is also written at
    /// least every 10 minutes of training).
    public var checkpointEvery: Int?
    /// `then eval on TASK …`: the evaluation that follows, its `model` left empty (the trained one).
    public var thenEval: EvalCommand?
    /// Further `then eval on TASK …` clauses: more evaluations of the same tuned model.
    public var moreEvals: [EvalCommand] = []

    public init(model: String, task: String, method: Method, split: String? = nil, rank: Int? = nil,
                alpha: Double? = nil, dropout: Double? = nil, targets: [String]? = nil, rsLoRA: Bool = false,
                lr: Double? = nil, weightDecay: Double? = nil, warmup: Int? = nil, schedule: String? = nil,
                epochs: Int? = nil, steps: Int? = nil, batch: Int? = nil, accum: Int? = nil, seq: Int? = nil,
                limit: Int? = nil, seed: Int? = nil, clip: Double? = nil, freezeEmbeddings: Bool = false,
                thenEval: EvalCommand? = nil) {
        self.model = model; self.task = task; self.method = method; self.split = split
        self.rank = rank; self.alpha = alpha; self.dropout = dropout; self.targets = targets
        self.rsLoRA = rsLoRA; self.lr = lr; self.weightDecay = weightDecay; self.warmup = warmup
        self.schedule = schedule; self.epochs = epochs; self.steps = steps; self.batch = batch
        self.accum = accum; self.seq = seq; self.limit = limit; self.seed = seed; self.clip = clip
        self.freezeEmbeddings = freezeEmbeddings; self.thenEval = thenEval
    }
}
