import Engine
import Store

/// A small, deterministic results database: 3 models × 5 methods × 2 seeds of gsm8k/test
/// evaluation runs with 20 predictions each. Correctness is drawn from a seeded SplitMix64 with
/// a different success probability per (model, method), so accuracies differ between groups
/// and reports have something to find (full fine-tuning below zero-shot: negative transfer).
public enum SeedData {
    public struct Model: Sendable {
        public let key: String
        public let family: String
        public let params: Int64
        /// Zero-shot success probability; methods shift it.
        public let base: Double
    }

    public static let models: [Model] = [
        Model(key: "tiny-135m", family: "llama", params: 134_515_008, base: 0.20),
        Model(key: "mid-270m", family: "gemma3", params: 268_098_176, base: 0.32),
        Model(key: "big-500m", family: "qwen2", params: 494_032_768, base: 0.45),
    ]
    public static let methods: [RunMethod] = [.zeroShot, .fewShot, .full, .lora, .dora]
    public static let seeds: [Int64] = [1, 2]
    public static let examplesPerRun = 20
    public static let task = "gsm8k"
    public static let split = "test"
    public static let host = "seed-host"

    /// Shift of the success probability by method (and, for full, by model size: the smaller
    /// the model, the more full fine-tuning hurts).
    static func probability(_ model: Model, _ method: RunMethod, modelIndex: Int) -> Double {
        let shift: Double
        switch method {
        case .zeroShot: shift = 0
        case .fewShot: shift = 0.12
        case .full: shift = -0.15 + 0.08 * Double(modelIndex)
        case .lora: shift = 0.15
        case .dora: shift = 0.20
        }
        return min(0.95, max(0.02, model.base + shift))
    }

    /// Gold answer of an example: the same for every run, as one dataset would give.
    static func gold(_ index: Int) -> String { String(17 * index + 3) }

    @discardableResult
    /// `datasetSHA256` replaces the dataset's random hash (for a test that pairs the database with
    /// a data file of its own).
    public static func populate(_ store: ResultsStore, seed: UInt64 = 42, datasetSHA256: String? = nil) throws -> SeedSummary {
        var rng = SplitMix64(seed: seed)
        let randomHash = rng.hex(64)
        let datasetID = try store.upsertDataset(DatasetRecord(
            task: task, split: split, size: examplesPerRun, sha256: datasetSHA256 ?? randomHash))
        var modelIDs: [String: Int64] = [:]
        for model in models {
            modelIDs[model.key] = try store.upsertModel(ModelRecord(
                key: model.key, family: model.family, params: model.params,
                path: "/models/\(model.key).gguf", format: "gguf", sha256: rng.hex(64)))
        }

        var runs: [SeedSummary.Run] = []
        for (modelIndex, model) in models.enumerated() {
            for method in methods {
                let p = probability(model, method, modelIndex: modelIndex)
                for runSeed in seeds {
                    runs.append(try insertRun(store, &rng, model: model, modelID: modelIDs[model.key]!,
                                              datasetID: datasetID, method: method, seed: runSeed, p: p))
                }
            }
        }
        return SeedSummary(datasetID: datasetID, modelIDs: modelIDs, runs: runs)
    }

    /// One run the way a runner writes it: insert as running, a batch of predictions, finish.
    static func insertRun(_ store: ResultsStore, _ rng: inout SplitMix64, model: Model, modelID: Int64,
                          datasetID: Int64, method: RunMethod, seed: Int64, p: Double) throws -> SeedSummary.Run {
        let shots = method == .fewShot ? 5 : 0
        let lr: Double? = switch method {
            case .full: 1e-5
            case .lora, .dora: 2e-4
            default: nil
        }
        let adapter = method == .lora || method == .dora
        let rank: Int? = adapter ? (seed == 1 ? 8 : 16) : nil
        let alpha: Double? = rank.map { Double($0 * 2) }
        let spec = "{\"model\":\"\(model.key)\",\"method\":\"\(method.rawValue)\",\"seed\":\(seed)}"

        let runID = try store.insertRun(RunRecord(
            uuid: rng.uuidString(), specHash: rng.hex(16), modelID: modelID, datasetID: datasetID,
            method: method, promptFormat: "plain", shots: shots, lr: lr, rank: rank, alpha: alpha,
            epochs: lr == nil ? nil : 1, seed: seed, specJSON: spec, engineVersion: "0.0.0-seed",
            host: host, pid: 4242, threads: 2))

        var outcomes: [Bool] = []
        var predictions: [PredictionRecord] = []
        for index in 0..<examplesPerRun {
            let correct = rng.nextDouble() < p
            let gold = gold(index)
            let extracted = correct ? gold : String(17 * index + 4 + Int(rng.next() % 5))
            outcomes.append(correct)
            predictions.append(PredictionRecord(
                runID: runID, exampleIndex: index, prompt: "Question \(index)?",
                output: "Reasoning... The answer is \(extracted).", extracted: extracted, gold: gold,
                correct: correct, promptTokens: 40 + index, outputTokens: 12, seconds: 0.05))
        }
        try store.insertPredictions(predictions)

        let correctCount = outcomes.filter { $0 }.count
        let accuracy = Double(correctCount) / Double(examplesPerRun)
        try store.finishRun(id: runID, status: .done, summary: RunSummary(
            n: examplesPerRun, correct: correctCount, accuracy: accuracy, wallSeconds: 1.0,
            tokensGenerated: Int64(12 * examplesPerRun)))

        return SeedSummary.Run(
            id: runID, modelKey: model.key, family: model.family, params: model.params, method: method,
            seed: seed, shots: shots, lr: lr, rank: rank, alpha: alpha, n: examplesPerRun,
            correct: correctCount, accuracy: accuracy, outcomes: outcomes)
    }
}
