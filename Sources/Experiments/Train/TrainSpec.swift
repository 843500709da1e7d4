import Engine
import Foundation

/// Everything that determines a training run. Stored verbatim as the run's `spec_json` (so
/// `resume run N` rebuilds the same run) and hashed into `spec_hash`.
public struct TrainSpec: Codable, Equatable, Sendable {
    /// As typed: a catalog key or a path.
    public var model: String
    public var modelPath: String
    public var task: String
    /// nil: the task's training split.
    public var split: String?
    public var method: TrainingMethod
    // Adapters (LoRA / DoRA).
    public var rank: Int
    public var alpha: Float
    public var dropout: Float
    public var targets: [Projection]
    public var rsLoRA: Bool
    // Full fine-tuning.
    public var freezeEmbeddings: Bool
    // Optimisation.
    public var learningRate: Double
    public var weightDecay: Double
    public var warmupSteps: Int
    public var schedule: LearningRateSchedule.Decay
    public var epochs: Int
    /// Optimizer steps; when set it wins over `epochs` (the data cycles as often as needed).
    public var maxSteps: Int?
    public var batchSize: Int
    public var accumulation: Int
    public var maxSequenceLength: Int
    public var maxGradNorm: Double
    /// Train on the first `limit` examples of the split.
    public var limit: Int?
    public var seed: UInt64
    /// Append the end-of-sequence token to each answer, so the tuned model learns to stop.
    public var appendEOS: Bool
    /// Save a resumable checkpoint every this many optimizer steps (and at the end, and on Ctrl-C).
    public var checkpointEvery: Int
    /// Where checkpoints go (Console picks `$FTLAB_HOME/checkpoints/<run uuid>`).
    public var outputDirectory: String
    /// The evaluation that follows training (`then eval …`), run on the tuned model.
    public var thenEval: ExperimentSpec?
    /// LoRA/DoRA: "fp32" trains on the dequantized base (the OpenBLAS reference path); nil keeps
    /// the base in the GGUF's quantized blocks. Full fine-tuning always trains fp32 weights.
    public var baseWeights: String?
    /// Activation recomputation (gradient checkpointing): nil lets the memory estimate decide.
    /// Not part of the run's identity: it changes memory and time, not one bit of the result.
    public var recompute: Bool?

    /// The precision the model is loaded with for training.
    public var basePrecision: WeightPrecision {
        method == .full || baseWeights == WeightPrecision.fp32.rawValue ? .fp32 : .quantized
    }

    public init(model: String, modelPath: String? = nil, task: String, split: String? = nil,
                method: TrainingMethod, rank: Int = 16, alpha: Float = 32, dropout: Float = 0.05,
                targets: [Projection] = Projection.allCases, rsLoRA: Bool = false, freezeEmbeddings: Bool = false,
                learningRate: Double? = nil, weightDecay: Double = 0, warmupSteps: Int = 10,
                schedule: LearningRateSchedule.Decay = .cosine, epochs: Int = 1, maxSteps: Int? = nil,
                batchSize: Int = 8, accumulation: Int = 1, maxSequenceLength: Int = 512, maxGradNorm: Double = 1,
                limit: Int? = nil, seed: UInt64 = 0, appendEOS: Bool = true, checkpointEvery: Int = 100,
                outputDirectory: String = "", thenEval: ExperimentSpec? = nil) {
        self.model = model
        self.modelPath = modelPath ?? ExperimentSpec.resolveModelPath(model)
        self.task = task; self.split = split; self.method = method
        self.rank = rank; self.alpha = alpha; self.dropout = dropout; self.targets = targets; self.rsLoRA = rsLoRA
        self.freezeEmbeddings = freezeEmbeddings
        // Full fine-tuning moves every weight: a learning rate ten times smaller than the adapters'.
        self.learningRate = learningRate ?? (method == .full ? 2e-5 : 2e-4)
        self.weightDecay = weightDecay; self.warmupSteps = warmupSteps; self.schedule = schedule
        self.epochs = epochs; self.maxSteps = maxSteps; self.batchSize = batchSize; self.accumulation = accumulation
        self.maxSequenceLength = maxSequenceLength; self.maxGradNorm = maxGradNorm; self.limit = limit
        self.seed = seed; self.appendEOS = appendEOS; self.checkpointEvery = checkpointEvery
        self.outputDirectory = outputDirectory; self.thenEval = thenEval
    }

    /// LoRA/DoRA settings for the engine (nil for full fine-tuning).
    public var adapterConfig: AdapterConfig? {
        switch method {
        case .full: return nil
        case .lora, .dora:
            return AdapterConfig(method: method == .lora ? .lora : .dora, rank: rank, alpha: alpha, dropout: dropout,
                                 targets: targets, rsLoRA: rsLoRA)
        }
    }

    public var modelKey: String {
        ExperimentSpec(model: model, modelPath: modelPath, task: task).modelKey
    }

    /// Canonical JSON (sorted keys): what `spec_json` holds and `spec_hash` hashes.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// What identifies the run's outcome: the spec without its checkpoint folder (a fresh
    /// folder per run), hashed into `spec_hash` so the same study finds its finished runs.
    public func identityHash() -> String {
        var s = self
        s.outputDirectory = ""
        s.recompute = nil
        return SHA256.hex(s.json())
    }

    public static func fromJSON(_ text: String) throws -> TrainSpec {
        try JSONDecoder().decode(TrainSpec.self, from: Data(text.utf8))
    }
}
