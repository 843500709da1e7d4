import Engine
import Foundation

/// Everything that determines an evaluation's outputs. Stored verbatim as a run's `spec_json`,
/// so `resume run N` can rebuild the exact same run; same spec → same predictions.
public struct ExperimentSpec: Codable, Equatable, Sendable {
    /// As the user typed it: a catalog key or a path to a .gguf file.
    public var model: String
    /// The resolved file the weights were read from.
    public var modelPath: String
    public var task: String
    /// nil: the task's evaluation split.
    public var split: String?
    public var shots: Int
    /// Same k shots for every question (a shared prefix kept in the KV cache).
    public var fixed: Bool
    /// Prompt through the model's chat template.
    public var chat: Bool
    /// Evaluate only the first `limit` examples of the split.
    public var limit: Int?
    public var seed: UInt64
    public var maxNewTokens: Int
    /// The rule `correct`/`extracted`/accuracy use (every rule is stored anyway).
    public var primaryRule: String
    /// Rows decoded at once (the continuous-batching width).
    public var batchSize: Int
    /// "fp32" to run on dequantized fp32 weights (the reference path); nil — the default, and
    /// absent from the JSON so older specs hash the same — runs on the GGUF's quantized blocks.
    public var weights: String?
    /// A PEFT adapter directory merged into `modelPath`'s weights (a model registered with
    /// `models add ADAPTER-DIR`); nil — and absent from the JSON, so other specs hash as before —
    /// for a plain model.
    public var adapter: String?

    /// Width `eval` uses when the statement gives none: the best end-to-end width `ftlab bench`
    /// measured on the 2-core reference machine for the study's models.
    public static let defaultBatchSize = 32

    public init(model: String, modelPath: String? = nil, task: String, split: String? = nil, shots: Int = 0,
                fixed: Bool = false, chat: Bool = false, limit: Int? = nil, seed: UInt64 = 0,
                maxNewTokens: Int = 256, primaryRule: ExtractionRule = .flexible, batchSize: Int = ExperimentSpec.defaultBatchSize) {
        self.model = model
        self.modelPath = modelPath ?? ExperimentSpec.resolveModelPath(model)
        self.task = task
        self.split = split
        self.shots = shots
        self.fixed = fixed
        self.chat = chat
        self.limit = limit
        self.seed = seed
        self.maxNewTokens = maxNewTokens
        self.primaryRule = primaryRule.rawValue
        self.batchSize = batchSize
    }

    public var precision: WeightPrecision { weights == "fp32" ? .fp32 : .quantized }

    public var promptFormat: PromptFormat { chat ? .chat : .questionAnswer }
    public var rule: ExtractionRule { ExtractionRule(rawValue: primaryRule) ?? .flexible }

    /// The model's key in the results database: the catalog key, or the file name without `.gguf`.
    public var modelKey: String {
        guard model.hasSuffix(".gguf") || model.contains("/") else { return model }
        let name = (modelPath as NSString).lastPathComponent
        return name.hasSuffix(".gguf") ? String(name.dropLast(5)) : name
    }

    /// Canonical JSON (sorted keys): what `spec_json` holds and `spec_hash` hashes.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// What identifies the run's outcome, hashed into `spec_hash`: the spec with its decoding
    /// width set to the default, since greedy outputs do not depend on it (tested); a run at
    /// width 16 and one at 32 are the same experiment. (A spec at the default width hashes as
    /// its plain JSON always did.)
    public func identityHash() -> String {
        var s = self
        s.batchSize = Self.defaultBatchSize
        return SHA256.hex(s.json())
    }

    public static func fromJSON(_ text: String) throws -> ExperimentSpec {
        try JSONDecoder().decode(ExperimentSpec.self, from: Data(text.utf8))
    }

    /// A path (contains `/` or ends `.gguf`) is taken as is; a key is
    /// `$FTLAB_HOME/models/KEY.gguf`, `FTLAB_HOME` defaulting to `~/.cache/ftlab`.
    public static func resolveModelPath(_ model: String,
                                        environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if model.contains("/") || model.hasSuffix(".gguf") { return (model as NSString).expandingTildeInPath }
        return (ftlabHome(environment) as NSString).appendingPathComponent("models/\(model).gguf")
    }

    public static func ftlabHome(_ environment: [String: String]) -> String {
        ModelFetcher.defaultHome(environment: environment).path
    }
}
