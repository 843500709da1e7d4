import Engine
import Foundation

/// One end-to-end evaluation timed for `ftlab bench`: zero-shot GSM8K test, the first `questions`
/// questions, through the same runner as `eval` (continuous batching, stop strings, scoring) but
/// with no database, and its memory in three parts.
public struct EvalBenchmarkResult: Codable, Sendable {
    public var model: String
    public var questions: Int
    public var width: Int
    public var wallSeconds: Double
    public var generatedTokens: Int
    public var tokensPerSecond: Double
    /// Flexible-rule accuracy (a sanity check that the run did real work).
    public var accuracy: Double
    public var peakRSSBytes: Int?
    public var weightBytes: Int
    public var kvCachePeakBytes: Int
    /// Peak RSS minus weights and KV cache: activations, logits, tokenizer, dataset, runtime.
    public var otherBytes: Int?
    /// Share of the wall time spent inside forward passes, and each phase's share of that time.
    public var forwardShareOfWall: Double
    public var profile: [String: Double]
}

public enum EvalBenchmark {
    /// Loads the model (quantized) and runs the evaluation; peak RSS is reset first so that it is
    /// this model's alone.
    public static func run(modelKey: String, modelPath: String, questions: Int = 128, width: Int,
                           dataDirectory: String? = nil) throws -> EvalBenchmarkResult {
        TrainingBenchmark.resetPeakRSS()
        let spec = ExperimentSpec(model: modelKey, modelPath: modelPath, task: "gsm8k", limit: questions, batchSize: width)
        let runner = try EvalRunner.make(spec: spec, dataDirectory: dataDirectory)
        let sink = CountingSink()
        var totals = EvalTotals(n: 0, correct: [:], wallSeconds: 0, tokensGenerated: 0)
        let profile = EngineBenchmark.profile { totals = runner.run(sink: sink) }
        let forward = EngineBenchmark.profiledSeconds()
        if let failure = sink.failure { throw EvalError.invalid("bench evaluation failed: \(failure)") }
        let memory = totals.memory ?? EvalMemory(weightBytes: 0, kvCachePeakBytes: 0)
        let rss = EngineBenchmark.peakRSSBytes()
        return EvalBenchmarkResult(
            model: modelKey, questions: totals.n, width: width, wallSeconds: totals.wallSeconds,
            generatedTokens: totals.tokensGenerated,
            tokensPerSecond: totals.wallSeconds > 0 ? Double(totals.tokensGenerated) / totals.wallSeconds : 0,
            accuracy: totals.n > 0 ? Double(totals.correct[ExtractionRule.flexible.rawValue] ?? 0) / Double(totals.n) : 0,
            peakRSSBytes: rss, weightBytes: memory.weightBytes, kvCachePeakBytes: memory.kvCachePeakBytes,
            otherBytes: rss.map { max(0, $0 - memory.weightBytes - memory.kvCachePeakBytes) },
            forwardShareOfWall: totals.wallSeconds > 0 ? forward / totals.wallSeconds : 0, profile: profile)
    }

    /// Keeps nothing but a failure message.
    private final class CountingSink: EvalSink {
        var failure: String?
        func handle(_ event: EvalEvent) throws {
            if case .failed(let message) = event { failure = message }
        }
    }
}
