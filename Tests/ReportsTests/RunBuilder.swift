import Reports

/// Hand-built runs for analysis tests: outcomes as a string of 1/0, one per example index.
enum RunBuilder {
    static func run(_ id: Int64, model: String = "m", params: Int64 = 100_000_000, method: String,
                    seed: Int64 = 1, task: String = "gsm8k", split: String = "test", outcomes: String,
                    firstIndex: Int = 0, tokens: [Int]? = nil, maxNewTokens: Int? = nil, steps: [Int]? = nil) -> ReportRun {
        let items = outcomes.enumerated().map { i, ch in
            PredictionOutcome(exampleIndex: firstIndex + i, correct: ch == "1", prompt: "Q\(firstIndex + i)?",
                              output: "\(method) says \(ch == "1" ? "right" : "wrong")", gold: "42",
                              outputTokens: tokens?[i], reasoningSteps: steps?[i])
        }
        return ReportRun(id: id, model: model, family: "llama", params: params, modelHash: "hash-\(model)",
                         task: task, split: split, datasetHash: "data", method: method, seed: seed,
                         config: "", engineVersion: "test", startedAt: "2026-01-01T00:00:00Z",
                         maxNewTokens: maxNewTokens, outcomes: items)
    }
}
