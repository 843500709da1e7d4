import Engine
import Experiments
import Foundation
import QueryLanguage
import Store

// `train …` and the training side of `resume run N`: Experiments trains, the store sink records,
// stderr shows progress; `then eval …` runs on the tuned model as a child run.
extension Session {
    /// Starts a training run (and its evaluation); returns the training run's id.
    @discardableResult
    public func runTrain(_ command: TrainCommand) throws -> Int64 {
        let modelPath = try ModelLocator(store: store).resolve(command.model).path
        let spec = try Self.trainSpec(command, modelPath: modelPath,
                                      checkpointRoot: ModelFetcher.defaultHome().appendingPathComponent("checkpoints").path)
        let extraEvals = try Self.extraEvalSpecs(command, modelPath: modelPath)
        if reuseFinishedRuns, let run = try store.finishedRun(specHash: spec.identityHash(), kind: .train), let id = run.id {
            let child = try spec.thenEval.flatMap { try childEvaluation(of: id, matching: $0) }
            if spec.thenEval == nil || child?.status == .done {
                emit("reusing " + Self.describeTraining(run) + (child.map { "reusing " + Self.describe($0) } ?? ""))
                try runChildEvaluations(extraEvals, of: id)
                return id
            }
        }
        if let id = try unfinishedRun(specHash: spec.identityHash(), kind: .train) {
            try resumeRun(id)
            try runChildEvaluations(extraEvals, of: id)
            return id
        }
        let estimate = try planTraining(spec)
        let sink = TrainStoreSink(store: store)
        sink.memoryEstimate = estimate
        let runner = try TrainRunner(spec: spec, dataDirectory: dataDirectory)
        runner.recomputeActivations = estimate.recompute
        try executeTraining(runner, sink: sink, resumeFrom: nil)
        guard let id = sink.runID else { throw ConsoleError("the training run was not recorded") }
        try evaluateAfterTraining(runner, trainRunID: id)
        try runChildEvaluations(extraEvals, of: id)
        return id
    }

    /// The spec a `train` command asks for; unset options keep `TrainSpec`'s defaults.
    static func trainSpec(_ c: TrainCommand, modelPath: String, checkpointRoot: String) throws -> TrainSpec {
        let method: TrainingMethod = c.method == .full ? .full : c.method == .lora ? .lora : .dora
        var spec = TrainSpec(model: c.model, modelPath: modelPath, task: c.task, split: c.split, method: method,
                             learningRate: c.lr, limit: c.limit, seed: UInt64(c.seed ?? 0))
        if let r = c.rank { spec.rank = r }
        if let a = c.alpha { spec.alpha = Float(a) }
        if let d = c.dropout { spec.dropout = Float(d) }
        if let names = c.targets {
            spec.targets = try names.map { name in
                guard let p = Projection(shortName: name) else {
                    throw ConsoleError("unknown target module `\(name)` (q, k, v, o, gate, up, down)")
                }
                return p
            }
        }
        spec.rsLoRA = c.rsLoRA
        spec.freezeEmbeddings = c.freezeEmbeddings
        if c.fp32 { spec.baseWeights = WeightPrecision.fp32.rawValue }
        spec.recompute = c.recompute
        if let n = c.checkpointEvery { spec.checkpointEvery = n }
        if let wd = c.weightDecay { spec.weightDecay = wd }
        if let w = c.warmup { spec.warmupSteps = w }
        if let s = c.schedule {
            guard let kind = LearningRateSchedule.Decay(rawValue: s) else { throw ConsoleError("unknown schedule `\(s)`") }
            spec.schedule = kind
        }
        if let e = c.epochs { spec.epochs = e }
        spec.maxSteps = c.steps
        if let b = c.batch { spec.batchSize = b }
        if let a = c.accum { spec.accumulation = a }
        if let s = c.seq { spec.maxSequenceLength = s }
        if let clip = c.clip { spec.maxGradNorm = clip }
        spec.outputDirectory = (checkpointRoot as NSString).appendingPathComponent(UUID().uuidString.lowercased())
        if let e = c.thenEval { spec.thenEval = try tunedEvalSpec(e, model: c.model, modelPath: modelPath) }
        return spec
    }

    /// Continues an interrupted training run from its latest checkpoint, then its evaluation.
    func resumeTraining(_ run: RunRecord) throws {
        guard let id = run.id else { return }
        let spec = try TrainSpec.fromJSON(run.specJSON)
        let checkpoint = try store.checkpoints(runID: id).max { $0.step < $1.step }
        let estimate = try planTraining(spec)
        let runner = try TrainRunner(spec: spec, dataDirectory: dataDirectory)
        runner.recomputeActivations = estimate.recompute
        // Steps after the checkpoint are redone (deterministically); their old rows go.
        try store.deleteTrainSteps(runID: id, after: checkpoint?.step ?? 0)
        let sink = TrainStoreSink(store: store, resuming: run)
        sink.memoryEstimate = estimate
        try executeTraining(runner, sink: sink, resumeFrom: checkpoint?.path)
        try evaluateAfterTraining(runner, trainRunID: id)
    }

    private func executeTraining(_ runner: TrainRunner, sink: TrainStoreSink, resumeFrom: String?) throws {
        let failure = TrainFailureCollector()
        let printer = TrainProgressPrinter(out: errors, tty: progressOnTerminal)
        let run = try runInterruptibly(runID: { sink.runID }, failure: { failure.message }, notStarted: "the training run did not start",
                                       describe: Self.describeTraining) { stop in
            runner.run(resumeFrom: resumeFrom, sink: TrainSinkChain([sink, printer, failure]), shouldStop: stop)
        }
        if run.status == .interrupted {
            throw ConsoleError("training interrupted — `resume run \(run.id ?? 0)` continues from the last checkpoint")
        }
    }

    /// `then eval …`: the tuned model (adapters merged) evaluated as a child run.
    private func evaluateAfterTraining(_ runner: TrainRunner, trainRunID: Int64) throws {
        guard var evalSpec = runner.spec.thenEval else { return }
        if try TaskCatalog.spec(evalSpec.task).kind == .multipleChoice { evalSpec.primaryRule = ChoiceRule.acc.rawValue }
        let method: RunMethod = runner.spec.method == .full ? .full : runner.spec.method == .lora ? .lora : .dora
        let model = try runner.tunedModel()
        let existing = try childEvaluation(of: trainRunID, matching: evalSpec)
        if let child = existing, child.status == .done { return }
        let sink = EvalStoreSink(store: store, resuming: existing, parentRunID: trainRunID, method: method)
        let done = try existing.flatMap { $0.id }.map { try store.existingExampleIndices(runID: $0) } ?? []
        try execute(spec: evalSpec, model: model, sink: sink, skipping: done)
    }

    static func describeTraining(_ run: RunRecord) -> String {
        let id = run.id ?? 0
        var text = "run \(id): \(run.method.rawValue) training \(run.status.rawValue)"
        if let json = run.metricsJSON, let m = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] {
            if let steps = m["steps_done"] as? Int { text += ", \(steps) steps" }
            if let a = m["loss_first10_mean"] as? Double, let b = m["loss_last10_mean"] as? Double {
                text += String(format: ", loss %.4f → %.4f (first/last 10-step means)", a, b)
            }
            if let rate = m["train_tokens_per_second"] as? Double { text += String(format: ", %.0f tok/s", rate) }
        }
        if let wall = run.wallSeconds { text += String(format: "; %.1f s", wall) }
        return text + "\n"
    }
}

/// Remembers a failure message for when the run never reached the database.
final class TrainFailureCollector: TrainSink {
    var message: String?
    func handle(_ event: TrainEvent) throws {
        if case .failed(let m) = event { message = m }
    }
}
