import Engine
import Experiments
import Foundation
import Store

/// Writes a training run into the results database: the run row on `.started`, every step into
/// `train_steps` (in batches, and always before a checkpoint row, so a checkpoint never points past
/// the stored curve), checkpoints into `checkpoints`, and the summary when it ends.
final class TrainStoreSink: TrainSink {
    let store: ResultsStore
    private(set) var runID: Int64?
    private(set) var runUUID: String?
    private let resuming: RunRecord?
    private var pending: [TrainStepRecord] = []
    private var spec: TrainSpec?
    private var start: TrainStart?
    /// Steps are flushed at least this often (a killed process loses at most this many rows;
    /// the checkpoint it resumes from is never newer than the stored steps).
    private let flushEvery = 10
    /// The run's memory plan, recorded with its measured peak RSS.
    var memoryEstimate: MemoryEstimate?

    init(store: ResultsStore, resuming: RunRecord? = nil) {
        self.store = store
        self.resuming = resuming
        runID = resuming?.id
        runUUID = resuming?.uuid
    }

    func handle(_ event: TrainEvent) throws {
        switch event {
        case .started(let s):
            spec = s.spec
            start = s
            if let run = resuming {
                try RunRows.reopen(run, store: store)
            } else {
                try insertRun(s)
            }
        case .step(let info):
            guard let runID else { throw ConsoleError("training step before the run was recorded") }
            pending.append(TrainStepRecord(runID: runID, step: info.step, loss: info.loss, lr: info.learningRate,
                                           gradNorm: info.gradNorm, tokens: info.tokens, seconds: info.seconds))
            if pending.count >= flushEvery { try flush() }
        case .checkpoint(let c):
            guard let runID else { return }
            try flush()
            _ = try store.insertCheckpoint(CheckpointRecord(runID: runID, step: c.step, path: c.directory,
                                                            kind: c.kind == .adapter ? .adapter : .full))
        case .finished(let totals):
            try flush()
            try finish(.done, totals: totals)
        case .interrupted(let totals):
            try flush()
            try finish(.interrupted, totals: totals)
        case .failed(let message):
            try? flush()
            guard let runID else { return }
            try store.finishRun(id: runID, status: .failed, summary: RunSummary(peakRSSBytes: ProcessProbe.peakRSSBytes()),
                                error: message)
        }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        try store.insertTrainSteps(pending)
        pending.removeAll()
    }

    private func insertRun(_ s: TrainStart) throws {
        let spec = s.spec
        let (modelID, datasetID) = try RunRows.modelAndDataset(s.model, s.dataset, store: store)
        let json = spec.json()
        let method: RunMethod = spec.method == .full ? .full : spec.method == .lora ? .lora : .dora
        var run = RunRecord(
            specHash: spec.identityHash(), modelID: modelID, datasetID: datasetID, method: method, kind: .train,
            promptFormat: PromptFormat.questionAnswer.rawValue, lr: spec.learningRate,
            rank: spec.method == .full ? nil : spec.rank, alpha: spec.method == .full ? nil : Double(spec.alpha),
            epochs: spec.maxSteps == nil ? Double(spec.epochs) : nil, steps: s.totalSteps,
            batchSize: spec.batchSize, seed: Int64(bitPattern: spec.seed), specJSON: json,
            engineVersion: EvalModel.engineVersion, host: ProcessProbe.host, pid: ProcessProbe.pid,
            threads: Parallel.cores)
        // The spec's checkpoint folder is named after the run's uuid, fixed before the insert.
        if let uuid = UUID(uuidString: (spec.outputDirectory as NSString).lastPathComponent) {
            run.uuid = uuid.uuidString.lowercased()
        }
        runID = try store.insertRunExclusively(run, isAlive: ProcessProbe.isAlive)
        runUUID = run.uuid
    }

    /// Summary over every stored step of the run (a resumed run's summary covers all sessions).
    private func finish(_ status: RunStatus, totals: TrainTotals) throws {
        guard let runID else { return }
        let steps = try store.trainSteps(runID: runID)
        let losses = steps.map(\.loss)
        func mean(_ xs: ArraySlice<Double>) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        let tokens = steps.compactMap(\.tokens).reduce(0, +)
        let stepSeconds = steps.compactMap(\.seconds).reduce(0, +)
        let earlierWall = resuming?.wallSeconds ?? 0
        let wall = earlierWall + totals.wallSeconds
        var metrics: [String: Any] = [
            "steps_done": steps.count,
            "train_tokens": tokens,
            "train_tokens_per_second": stepSeconds > 0 ? Double(tokens) / stepSeconds : 0,
            "session_seconds": totals.wallSeconds,
            "session_tokens": totals.tokens,
            "threads": Parallel.cores,
            "engine_version": EvalModel.engineVersion,
            "host": ProcessProbe.host,
        ]
        if let e = memoryEstimate {
            metrics["memory_estimate_bytes"] = e.totalBytes
            metrics["memory_estimate"] = e.summary
            metrics["recompute_activations"] = e.recompute
        }
        if let m = mean(losses.prefix(10)) { metrics["loss_first10_mean"] = m }
        if let m = mean(losses.suffix(10)) { metrics["loss_last10_mean"] = m }
        if let s = start {
            metrics["truncated"] = s.truncated
            metrics["dropped"] = s.dropped
            metrics["sequences"] = s.sequences
            metrics["trainable_parameters"] = s.trainableParameters
        }
        let metricsJSON = String(decoding: try JSONSerialization.data(withJSONObject: metrics, options: [.sortedKeys]), as: UTF8.self)
        try store.finishRun(id: runID, status: status, summary: RunSummary(
            wallSeconds: wall, tokensGenerated: nil, peakRSSBytes: ProcessProbe.peakRSSBytes(), metricsJSON: metricsJSON))
    }
}

/// Passes every event to each sink in order.
final class TrainSinkChain: TrainSink {
    let sinks: [TrainSink]
    init(_ sinks: [TrainSink]) { self.sinks = sinks }
    /// Every sink sees every event, even when an earlier one failed (a full disk must not hide
    /// the failure from the sinks that report it); the first error is rethrown.
    func handle(_ event: TrainEvent) throws {
        var first: Error?
        for sink in sinks {
            do { try sink.handle(event) } catch { if first == nil { first = error } }
        }
        if let first { throw first }
    }
}
