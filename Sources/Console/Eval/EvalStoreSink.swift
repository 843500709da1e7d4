import Engine
import Experiments
import Foundation
import Store

/// Writes an evaluation into the results database: the model and dataset rows and the run on
/// `.started`, each batch's predictions in one transaction on `.batchCompleted`, and the summary
/// (over every stored prediction of the run, so a resumed run's summary covers all sessions) when
/// it ends.
final class EvalStoreSink: EvalSink {
    let store: ResultsStore
    private(set) var runID: Int64?
    /// The run being resumed (nil for a new run).
    private let resuming: RunRecord?
    private var pending: [PredictionRecord] = []
    private var spec: ExperimentSpec?
    private var sharedPrefixTokens = 0
    /// Examples written by this session (to tell earlier sessions' rows apart).
    private var sessionIndices: Set<Int> = []
    /// The run's memory plan, recorded with its measured peak RSS.
    var memoryEstimate: MemoryEstimate?

    /// The training run this evaluation evaluates, and its method (nil: zero- or few-shot).
    private let parentRunID: Int64?
    private let method: RunMethod?

    init(store: ResultsStore, resuming: RunRecord? = nil, parentRunID: Int64? = nil, method: RunMethod? = nil) {
        self.store = store
        self.resuming = resuming
        self.parentRunID = parentRunID
        self.method = method
        runID = resuming?.id
    }

    func handle(_ event: EvalEvent) throws {
        switch event {
        case .started(let start):
            spec = start.spec
            sharedPrefixTokens = start.sharedPrefixTokens
            if let run = resuming {
                try RunRows.reopen(run, store: store)
            } else {
                runID = try insertRun(start)
            }
        case .prediction(let p):
            guard let runID else { throw ConsoleError("prediction before the run was recorded") }
            sessionIndices.insert(p.exampleIndex)
            pending.append(PredictionRecord(runID: runID, exampleIndex: p.exampleIndex, prompt: p.prompt, output: p.output,
                                            extracted: p.extracted, gold: p.gold, correct: p.correct,
                                            scoresJSON: p.scoresJSON, promptTokens: p.promptTokens,
                                            outputTokens: p.outputTokens, seconds: p.seconds))
        case .batchCompleted:
            try store.insertPredictions(pending)
            pending.removeAll()
        case .finished(let totals):
            try finish(.done, totals: totals)
        case .interrupted(let totals):
            try finish(.interrupted, totals: totals)
        case .failed(let message):
            guard let runID else { return }
            try store.finishRun(id: runID, status: .failed, summary: RunSummary(peakRSSBytes: ProcessProbe.peakRSSBytes()),
                                error: message)
        }
    }

    private func insertRun(_ start: EvalStart) throws -> Int64 {
        let spec = start.spec
        let (modelID, datasetID) = try RunRows.modelAndDataset(start.model, start.dataset, store: store)
        let json = spec.json()
        // The evaluation of a tuned model is a different experiment from the same evaluation of
        // the base model: its identity includes the training run's.
        var specHash = spec.identityHash()
        var sweepID: Int64?
        if let parentRunID, let parent = try store.run(id: parentRunID) {
            specHash = RunRows.childEvalHash(parentSpecHash: parent.specHash, spec: spec)
            sweepID = parent.sweepID   // a sweep's training run's evaluation belongs to the sweep too
        }
        // Exclusive: a second process starting this spec at the same moment is refused here.
        return try store.insertRunExclusively(RunRecord(
            specHash: specHash, parentRunID: parentRunID, modelID: modelID, datasetID: datasetID,
            method: method ?? (spec.shots > 0 ? .fewShot : .zeroShot), kind: .eval, promptFormat: spec.promptFormat.rawValue,
            shots: spec.shots, batchSize: spec.batchSize, seed: Int64(bitPattern: spec.seed), specJSON: json,
            engineVersion: EvalModel.engineVersion, host: ProcessProbe.host, pid: ProcessProbe.pid,
            threads: Parallel.cores, sweepID: sweepID), isAlive: ProcessProbe.isAlive)
    }

    /// Summary over all stored predictions of the run.
    private func finish(_ status: RunStatus, totals: EvalTotals) throws {
        guard let runID, let spec else { return }
        let stored = try store.predictions(runID: runID)
        var perRule: [String: Int] = [:]
        // Generation rules, or whichever rules the stored scores name (multiple choice: acc, acc_norm).
        var ruleNames = Set<String>()
        for p in stored {
            guard let json = p.scoresJSON,
                  let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]] else { continue }
            ruleNames.formUnion(object.keys)
            for (rule, score) in object where (score["correct"] as? Bool) == true { perRule[rule, default: 0] += 1 }
        }
        if ruleNames.isEmpty { ruleNames = Set(ExtractionRule.allCases.map(\.rawValue)) }
        let n = stored.count
        let correct = stored.filter(\.correct).count
        // Earlier sessions: their recorded wall time, or (killed runs record none) their
        // predictions' generation time.
        let earlierWall = resuming.map { run in
            run.wallSeconds ?? stored.filter { !sessionIndices.contains($0.exampleIndex) }.compactMap(\.seconds).reduce(0, +)
        } ?? 0
        let wall = earlierWall + totals.wallSeconds
        let tokens = stored.compactMap(\.outputTokens).reduce(0, +)
        func ratio(_ a: Int) -> Double { n == 0 ? 0 : Double(a) / Double(n) }
        var metrics: [String: Any] = [
            "primary_rule": spec.primaryRule,
            "accuracy": Dictionary(uniqueKeysWithValues: ruleNames.map { ($0, ratio(perRule[$0] ?? 0)) }),
            "correct": Dictionary(uniqueKeysWithValues: ruleNames.map { ($0, perRule[$0] ?? 0) }),
            "session_seconds": totals.wallSeconds,
            "session_tokens": totals.tokensGenerated,
            "session_tokens_per_second": totals.wallSeconds > 0 ? Double(totals.tokensGenerated) / totals.wallSeconds : 0,
            "tokens_per_second": wall > 0 ? Double(tokens) / wall : 0,
            "threads": Parallel.cores,
            "shared_prefix_tokens": sharedPrefixTokens,
            "engine_version": EvalModel.engineVersion,
            "host": ProcessProbe.host,
            "pid": Int(ProcessProbe.pid),
        ]
        if let memory = totals.memory {
            metrics["weight_bytes"] = memory.weightBytes
            metrics["kv_cache_peak_bytes"] = memory.kvCachePeakBytes
            if let rss = ProcessProbe.peakRSSBytes() {
                metrics["other_peak_bytes"] = max(0, Int(rss) - memory.weightBytes - memory.kvCachePeakBytes)
            }
        }
        if let e = memoryEstimate {
            metrics["memory_estimate_bytes"] = e.totalBytes
            metrics["memory_estimate"] = e.summary
        }
        if let previous = resuming?.metricsJSON { metrics["previous_session"] = previous }
        let metricsJSON = String(decoding: try JSONSerialization.data(withJSONObject: metrics, options: [.sortedKeys]), as: UTF8.self)
        try store.finishRun(id: runID, status: status, summary: RunSummary(
            n: n, correct: correct, accuracy: ratio(correct), wallSeconds: wall, tokensGenerated: Int64(tokens),
            peakRSSBytes: ProcessProbe.peakRSSBytes(), metricsJSON: metricsJSON))
    }
}

/// Passes every event to each sink in order.
final class EvalSinkChain: EvalSink {
    let sinks: [EvalSink]
    init(_ sinks: [EvalSink]) { self.sinks = sinks }
    /// Every sink sees every event, even when an earlier one failed (a full disk must not hide
    /// the failure from the sinks that report it); the first error is rethrown.
    func handle(_ event: EvalEvent) throws {
        var first: Error?
        for sink in sinks {
            do { try sink.handle(event) } catch { if first == nil { first = error } }
        }
        if let first { throw first }
    }
}
