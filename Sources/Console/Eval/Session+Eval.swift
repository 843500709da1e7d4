import Engine
import Experiments
import Foundation
import QueryLanguage
import Store

// `eval …` and `resume run N`: Experiments runs, the store sink records, stderr shows progress.
extension Session {
    /// Starts a new evaluation run; returns its id.
    @discardableResult
    public func runEval(_ command: EvalCommand) throws -> Int64 {
        // A catalog key, a key registered with `models add`, or a path; a clear error otherwise.
        // A registered adapter runs as its base with the adapter merged (`spec.adapter`).
        let (modelPath, adapter) = try ModelLocator(store: store).resolveWithAdapter(command.model)
        var spec = try Self.evalSpec(command, modelPath: modelPath)
        spec.adapter = adapter
        // Merged weights are fp32 (the base's blocks dequantized): say so, for the memory plan too.
        if adapter != nil { spec.weights = WeightPrecision.fp32.rawValue }
        if reuseFinishedRuns, let run = try store.finishedRun(specHash: spec.identityHash(), kind: .eval),
           let id = run.id {
            emit("reusing " + Self.describe(run))
            return id
        }
        if let id = try unfinishedRun(specHash: spec.identityHash(), kind: .eval) {
            try resumeRun(id)
            return id
        }
        let sink = EvalStoreSink(store: store)
        try execute(spec: spec, sink: sink, skipping: [])
        guard let id = sink.runID else { throw ConsoleError("the run was not recorded") }
        return id
    }

    /// A run with this spec that is not finished: one being executed by a live process is an
    /// error naming it (the same spec never runs twice at once in one database); an interrupted
    /// one is returned, to be resumed instead of started again from scratch (said on stderr).
    /// Stale runs (their process gone on this host) count as interrupted.
    func unfinishedRun(specHash: String, kind: RunKind) throws -> Int64? {
        _ = try store.markStaleRunsInterrupted(host: ProcessProbe.host, isAlive: ProcessProbe.isAlive)
        guard let run = try store.latestRun(specHash: specHash, kind: kind), let id = run.id, run.parentRunID == nil else { return nil }
        switch run.status {
        case .running:
            throw StoreError.alreadyRunning(id: id, pid: run.pid, host: run.host)
        case .interrupted:
            errors.write("resuming interrupted run \(id), which has this spec (instead of starting it again)\n")
            return id
        case .cancelled:
            // Asking for a cancelled run's spec by hand runs it after all, keeping any work it has.
            errors.write("running cancelled run \(id), which has this spec\n")
            return id
        case .queued, .done, .failed:
            return nil
        }
    }

    /// Continues an interrupted run from the examples it has not stored yet.
    public func resumeRun(_ id: Int64) throws {
        // A run left `running` by a process that is gone (killed, crashed) is interrupted.
        try store.markStaleRunsInterrupted(host: ProcessProbe.host, isAlive: ProcessProbe.isAlive)
        guard let run = try store.run(id: id) else { throw ConsoleError("no run with id \(id)") }
        switch run.status {
        case .running:
            // A sweep worker claims a run by marking it running for itself, then runs it here.
            guard run.pid == ProcessProbe.pid && run.host == ProcessProbe.host else {
                throw ConsoleError("run \(id) is still running (pid \(run.pid.map(String.init) ?? "?") on \(run.host))")
            }
        case .done: throw ConsoleError("run \(id) is already done")
        case .queued, .interrupted, .failed, .cancelled: break
        }
        if run.kind == .train { return try resumeTraining(run) }
        // Before its training finishes, a training run's newest checkpoint is a model part-way
        // through training: scored as the tuned model it would be a wrong result, recorded as right.
        if let parentID = run.parentRunID, let parent = try store.run(id: parentID), parent.kind == .train, parent.status != .done {
            throw ConsoleError("run \(id) evaluates training run \(parentID), which is \(parent.status.rawValue), not done: "
                               + "its last checkpoint is not the tuned model — `resume run \(parentID)` trains it to the end, "
                               + "then runs its evaluations")
        }
        let spec = try ExperimentSpec.fromJSON(run.specJSON)
        let done = try store.existingExampleIndices(runID: id)
        // The evaluation of a training run runs on the tuned model, rebuilt from the parent's
        // final checkpoint.
        var model: EvalModel?
        if let parentID = run.parentRunID, let parent = try store.run(id: parentID), parent.kind == .train {
            guard let checkpoint = try store.checkpoints(runID: parentID).max(by: { $0.step < $1.step }) else {
                throw ConsoleError("run \(id) evaluates training run \(parentID), which has no checkpoint")
            }
            let runner = try TrainRunner(spec: try TrainSpec.fromJSON(parent.specJSON), dataDirectory: dataDirectory)
            try runner.restore(from: checkpoint.path)
            model = try runner.tunedModel()
        }
        try execute(spec: spec, model: model, sink: EvalStoreSink(store: store, resuming: run), skipping: done)
    }

    func execute(spec: ExperimentSpec, model: EvalModel? = nil, sink: EvalStoreSink, skipping: Set<Int>) throws {
        // A tuned model is already in memory (its training planned for this evaluation). Otherwise
        // a first check before the model loads, the printed one once the prompts are tokenized.
        if model == nil { _ = try planEvaluation(spec, quiet: true) }
        let runner = try Evaluation.make(spec: spec, model: model, dataDirectory: dataDirectory)
        if model == nil { sink.memoryEstimate = try planEvaluation(spec, prompts: runner.promptStatistics) }
        let summary = EvalSummaryCollector()
        let printer = EvalProgressPrinter(out: errors, tty: progressOnTerminal)
        try runInterruptibly(runID: { sink.runID }, failure: { summary.failure }, notStarted: "the run did not start",
                             describe: Self.describe) { stop in
            runner.run(skipping: skipping, sink: EvalSinkChain([sink, printer, summary]), shouldStop: stop)
        }
    }

    static func describe(_ run: RunRecord) -> String {
        let id = run.id ?? 0
        var text = "run \(id): \(run.status.rawValue), \(run.n ?? 0) examples"
        if let accuracy = run.accuracy, let correct = run.correct {
            text += String(format: ", accuracy %.3f (%d correct)", accuracy, correct)
        }
        if let json = run.metricsJSON, let m = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
           let rules = m["accuracy"] as? [String: Double] {
            text += "; " + rules.keys.sorted().map { String(format: "%@ %.3f", $0, rules[$0]!) }.joined(separator: ", ")
            if let rate = m["session_tokens_per_second"] as? Double { text += String(format: "; %.0f tok/s", rate) }
        }
        if let wall = run.wallSeconds { text += String(format: "; %.1f s", wall) }
        if run.status == .interrupted { text += " — `resume run \(id)` to finish" }
        return text + "\n"
    }
}

/// Remembers a failure message for when the run never reached the database.
final class EvalSummaryCollector: EvalSink {
    var failure: String?
    func handle(_ event: EvalEvent) throws {
        if case .failed(let m) = event { failure = m }
    }
}
