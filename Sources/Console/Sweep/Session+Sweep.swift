import Engine
import Experiments
import Foundation
import QueryLanguage
import Store

// `sweep …`: every point of the grid is built into the spec its `train`/`eval` statement would
// run and checked against the database (a run with the same identity is reused or left alone);
// only when every point has validated are the new ones queued. Workers (`ftlab work`) or a Slurm
// job array (`emit slurm DIR`) run them.
extension Session {
    /// One planned run of a sweep.
    struct PlannedRun {
        var record: RunRecord
        var label: String
        var seconds: Double
        /// Extra evaluations of a planned training (`then eval …` after the first), queued as its
        /// children once it has an id.
        var extraEvals: [ExperimentSpec] = []
    }

    @discardableResult
    public func runSweep(_ command: SweepCommand, statement: String) throws -> Int64 {
        var planned: [PlannedRun] = []
        var reused: [Int64] = [], pending: [Int64] = [], cancelled: [Int64] = []
        var datasets: [String: Dataset] = [:]
        func dataset(_ task: String, _ split: String?) throws -> Dataset {
            let key = "\(task)/\(split ?? "")"
            if let d = datasets[key] { return d }
            let d = try TaskCatalog.load(task: task, split: split, dataDirectory: dataDirectory)
            datasets[key] = d
            return d
        }
        var adopt: [Int64] = []
        // Extra evaluations the sweep asks of trainings the database already has.
        var childrenOfExisting: [(train: RunRecord, specs: [ExperimentSpec])] = []
        func note(_ run: RunRecord) {
            switch run.status {
            case .done: reused.append(run.id!)
            // A cancelled point stays cancelled: typing the sweep again does not undo `cancel`.
            case .cancelled: cancelled.append(run.id!)
            default: pending.append(run.id!)
            }
            // An interrupted run started on its own joins the sweep, so its workers resume it.
            if run.status == .interrupted && run.sweepID == nil { adopt.append(run.id!) }
        }
        for point in command.points {
            var record: RunRecord
            let model: EvalModelInfo, data: Dataset, label: String, seconds: Double
            switch point {
            case .train(let t):
                let modelPath = try ModelLocator(store: store).resolve(t.model).path
                let spec = try Self.trainSpec(t, modelPath: modelPath,
                                              checkpointRoot: ModelFetcher.defaultHome().appendingPathComponent("checkpoints").path)
                let extraEvals = try Self.extraEvalSpecs(t, modelPath: modelPath)
                if !extraEvals.isEmpty && command.slurmDirectory != nil {
                    // A child evaluation needs its training's checkpoint, which a Slurm task's
                    // shard does not share with another task.
                    throw ConsoleError("a second `then eval` is run by `ftlab work`, not by Slurm tasks: queue the sweep without `emit slurm`")
                }
                if let run = try store.latestRun(specHash: spec.identityHash(), kind: .train), run.status != .failed {
                    note(run)
                    // A cancelled training will not make a tuned model to evaluate.
                    let missing = run.status == .cancelled ? []
                        : try extraEvals.filter { try childEvaluation(of: run.id!, matching: $0) == nil }
                    if !missing.isEmpty { childrenOfExisting.append((run, missing)) }
                    continue
                }
                model = try Self.modelInfo(key: spec.modelKey, path: modelPath)
                data = try dataset(spec.task, spec.split ?? "train")
                record = RunRows.queuedTraining(spec, totalSteps: spec.maxSteps)
                label = "train \(spec.modelKey) \(spec.method.rawValue) lr \(spec.learningRate) seed \(spec.seed)"
                var s = SweepTimeEstimate.training(spec, parameters: model.parameters)
                for e in [spec.thenEval].compactMap({ $0 }) + extraEvals {
                    s += SweepTimeEstimate.evaluation(e, examples: try dataset(e.task, e.split).count, parameters: model.parameters)
                }
                seconds = s
                (record.modelID, record.datasetID) = try RunRows.modelAndDataset(model, data, store: store)
                planned.append(PlannedRun(record: record, label: label, seconds: seconds, extraEvals: extraEvals))
                continue
            case .eval(let e):
                let modelPath = try ModelLocator(store: store).resolve(e.model).path
                let spec = try Self.evalSpec(e, modelPath: modelPath)
                if let run = try store.latestRun(specHash: spec.identityHash(), kind: .eval), run.status != .failed,
                   run.parentRunID == nil {
                    note(run)
                    continue
                }
                model = try Self.modelInfo(key: spec.modelKey, path: modelPath)
                data = try dataset(spec.task, spec.split)
                record = RunRows.queuedEvaluation(spec)
                label = "eval \(spec.modelKey) \(spec.shots)-shot\(spec.fixed ? " fixed" : "") on \(spec.task)"
                    + (spec.limit.map { " limit \($0)" } ?? "")
                seconds = SweepTimeEstimate.evaluation(spec, examples: data.count, parameters: model.parameters)
            default:
                throw ConsoleError("a sweep holds only `train` and `eval` runs")
            }
            (record.modelID, record.datasetID) = try RunRows.modelAndDataset(model, data, store: store)
            planned.append(PlannedRun(record: record, label: label, seconds: seconds))
        }
        guard !planned.isEmpty || !adopt.isEmpty || !childrenOfExisting.isEmpty else {
            // Nothing new: no sweep is recorded (typing a sweep again must not pile up empty ones).
            emit("sweep: \(command.points.count) runs — nothing to queue"
                 + (reused.isEmpty ? "" : ", \(reused.count) already done (runs \(Self.idList(reused)))")
                 + (pending.isEmpty ? "" : ", \(pending.count) already queued or unfinished (runs \(Self.idList(pending)))")
                 + Self.cancelledNote(cancelled) + "\n")
            return 0
        }
        let sweepID = try store.insertSweep(name: command.name, statement: statement)
        for id in adopt { try store.assignSweep(runID: id, sweepID: sweepID) }
        var queued: [RunRecord] = []
        var children: [(RunRecord, String)] = []
        for var p in planned {
            p.record.sweepID = sweepID
            p.record.id = try store.insertRun(p.record)
            queued.append(p.record)
            children += try queueChildEvaluations(p.extraEvals, of: p.record, sweepID: sweepID)
        }
        for (train, specs) in childrenOfExisting {
            children += try queueChildEvaluations(specs, of: train, sweepID: sweepID)
        }
        let total = planned.reduce(0) { $0 + $1.seconds }
        var text = "sweep \(sweepID)\(command.name.map { " (\($0))" } ?? ""): \(command.points.count) runs — "
            + "\(planned.count) queued" + (children.isEmpty ? "" : ", \(children.count) evaluations of tuned models queued")
        if !reused.isEmpty { text += ", \(reused.count) already done (runs \(Self.idList(reused)))" }
        if !pending.isEmpty { text += ", \(pending.count) already queued or unfinished (runs \(Self.idList(pending)))" }
        text += Self.cancelledNote(cancelled) + "\n"
        if !planned.isEmpty {
            text += "estimated compute: \(SweepTimeEstimate.describe(total)) on this machine (rough, from its measured rates)\n"
        }
        for (run, p) in zip(queued, planned) { text += "  run \(run.id ?? 0): \(p.label)\n" }
        for (run, label) in children { text += "  run \(run.id ?? 0): \(label)\n" }
        if command.slurmDirectory == nil {
            let refusals = queued.compactMap { run in memoryRefusal(of: run).map { (run.id ?? 0, $0) } }
            for (id, reason) in refusals {
                text += "note: run \(id) will be refused on this machine: \(reason). It stays queued so that `work` records "
                    + "the refusal as its result; `cancel run \(id) because '…'` takes it off the queue\n"
            }
        }
        if let directory = command.slurmDirectory {
            // The tasks run elsewhere (another working directory): pin the data folder as resolved here.
            let script = try SlurmEmitter.write(runs: queued, sweepID: sweepID, directory: directory,
                                                dataDirectory: try? DataDirectory.resolve(explicit: dataDirectory), estimatedSeconds: planned.map(\.seconds),
                                                memoryBytes: try queued.map { try Self.plannedMemory($0) })
            text += "Slurm job array: \(script) — submit with `sbatch \(script)`, then "
                + "`ftlab merge \(directory)/shards/*.sqlite --into \(databasePath)`\n"
        } else if !planned.isEmpty {
            text += "run them with `ftlab work --db \(databasePath)` (-j N for N workers); `sweep status \(sweepID)` shows progress\n"
        }
        emit(text)
        return sweepID
    }

    static func cancelledNote(_ ids: [Int64]) -> String {
        ids.isEmpty ? "" : ", \(ids.count) cancelled (runs \(idList(ids)); `resume run N` runs one)"
    }

    static func idList(_ ids: [Int64]) -> String {
        ids.count <= 12 ? ids.map(String.init).joined(separator: ", ") : ids.prefix(12).map(String.init).joined(separator: ", ") + ", …"
    }

    static func modelInfo(key: String, path: String) throws -> EvalModelInfo {
        let shape = try MemoryPlanner.shape(path: path)
        return EvalModelInfo(key: key, family: shape.config.family.rawValue, parameters: shape.config.parameterCount, path: path)
    }

    /// Why `work` would refuse a queued run on this machine (the memory plan it will apply, with
    /// the memory available now), or nil when it fits or cannot be planned here.
    func memoryRefusal(of run: RunRecord) -> String? {
        do {
            if run.kind == .train {
                _ = try planTraining(try TrainSpec.fromJSON(run.specJSON), quiet: true)
            } else {
                _ = try planEvaluation(try ExperimentSpec.fromJSON(run.specJSON), quiet: true)
            }
        } catch let refusal as RunRefused {
            // The refusal as `work` will record it, less its "not started": nothing has been yet.
            return refusal.description.replacingOccurrences(of: " — not started", with: "")
        } catch {
            return nil
        }
        return nil
    }

    /// The memory estimate of a queued run (Slurm's --mem).
    static func plannedMemory(_ run: RunRecord) throws -> Int? {
        if run.kind == .train {
            let spec = try TrainSpec.fromJSON(run.specJSON)
            let shape = try MemoryPlanner.shape(path: spec.modelPath)
            return MemoryPlanner.training(spec, shape: shape, recompute: spec.recompute ?? false).totalBytes
        }
        let spec = try ExperimentSpec.fromJSON(run.specJSON)
        return MemoryPlanner.evaluation(spec, shape: try MemoryPlanner.shape(path: spec.modelPath)).totalBytes
    }

    /// The worker filter of `ftlab work --sweep … --model … --seed …`, checked against this
    /// database: an unknown sweep or model is an error naming what there is, not an idle worker.
    public func workFilter(sweeps: [String], models: [String], seeds: [Int]) throws -> SweepWorkFilter {
        var ids: [Int64] = [], ranks: [Int] = []
        for (rank, name) in sweeps.enumerated() {
            let found = try store.sweepIDs(named: name)
            guard !found.isEmpty else {
                let known = try store.sweepNames()
                throw ConsoleError("no sweep '\(name)' in \(databasePath)" + (known.isEmpty ? " (it has no sweeps)" : " (sweeps: \(known.joined(separator: ", ")))"))
            }
            let new = found.filter { !ids.contains($0) }
            ids += new
            ranks += Array(repeating: rank, count: new.count)
        }
        for model in models where ModelCatalog.model(model) == nil {
            throw ConsoleError("unknown model '\(model)' (models: \(ModelCatalog.models.map(\.key).joined(separator: ", ")))")
        }
        return SweepWorkFilter(sweepIDs: ids, models: models, seeds: seeds.map(Int64.init), sweepRanks: ranks)
    }

    /// The compute left in the runs `filter` selects (`ftlab work --estimate`).
    public func queueEstimate(filter: SweepWorkFilter) throws -> QueueEstimate {
        try QueueEstimate.make(pending: try store.unfinishedSweepRuns(filter: filter), store: store)
    }

    /// `ftlab work --estimate`: the compute left per sweep, as a table.
    public func estimateTable(filter: SweepWorkFilter) throws -> String {
        try queueEstimate(filter: filter).table()
    }

    /// The spec an `eval` statement runs (shared by `eval` and `sweep`).
    static func evalSpec(_ command: EvalCommand, modelPath: String) throws -> ExperimentSpec {
        var spec = ExperimentSpec(model: command.model, modelPath: modelPath, task: command.task, split: command.split,
                                  shots: command.shots, fixed: command.fixed, chat: command.chat, limit: command.limit,
                                  seed: UInt64(command.seed ?? 0))
        if let t = command.maxTokens { spec.maxNewTokens = t }
        if let w = command.batch { spec.batchSize = w }
        if command.fp32 { spec.weights = WeightPrecision.fp32.rawValue }
        // Multiple-choice tasks are scored by log-likelihood; `acc` is their primary rule.
        if try TaskCatalog.spec(command.task).kind == .multipleChoice { spec.primaryRule = ChoiceRule.acc.rawValue }
        return spec
    }

    /// `ftlab work`: claims queued (or interrupted) sweep runs one at a time and runs each to the
    /// end, until none (matching `filter`) is left or Ctrl-C. Returns (runs finished, runs failed).
    /// `announceQueue`: log the queue's size and compute left first (the parent of `-j N`
    /// workers does it once for all of them).
    /// `timeLimit` (`--for`): seconds this worker may take. A training is started only if this
    /// database's rates say it (and its evaluation) finish in the time left — its checkpoints are
    /// local to this machine — while an evaluation, which keeps every answer, is always started;
    /// at the limit the running run stops as after Ctrl-C, resumable, and the worker ends.
    public func work(filter: SweepWorkFilter = SweepWorkFilter(), timeLimit: Double? = nil, announceQueue: Bool = true,
                     log: (String) -> Void = { _ in }) throws -> (done: Int, failed: Int) {
        var done = 0, failed = 0
        if announceQueue, let estimate = try? queueEstimate(filter: filter) { log(estimate.summary) }
        let deadline = timeLimit.map { WorkDeadline(Date().addingTimeInterval($0)) }
        defer { deadline?.cancel() }
        var tooLong: [Int64] = []
        // `interrupted` is reset when each run ends; `stopRequested` stays set, so Ctrl-C stops
        // the loop after the run it interrupted (which the next worker resumes).
        while !SignalHandling.stopRequested {
            var claimable = filter
            if let deadline {
                if deadline.passed { break }
                let left = deadline.secondsLeft
                for (id, seconds) in try queueEstimate(filter: filter).trainingSeconds.sorted(by: { $0.key < $1.key })
                where seconds > left && !tooLong.contains(id) {
                    tooLong.append(id)
                    log("worker \(ProcessProbe.pid): not starting run \(id) (training, \(SweepTimeEstimate.describe(seconds)) by this "
                        + "database's rates): it would not finish in the \(SweepTimeEstimate.describe(left)) left")
                }
                claimable.excludedRunIDs = tooLong
            }
            guard let run = try store.claimNextSweepRun(host: ProcessProbe.host, pid: ProcessProbe.pid, filter: claimable,
                                                        isAlive: ProcessProbe.isAlive), let id = run.id else { break }
            log("worker \(ProcessProbe.pid): run \(id) (\(run.kind.rawValue), sweep \(run.sweepID ?? 0))")
            do {
                try resumeRun(id)
                if try store.run(id: id)?.status == .done { done += 1 }
            } catch {
                if SignalHandling.stopRequested || deadline?.passed == true { break }
                failed += 1
                errors.write("run \(id): \(Self.describe(error))\n")
                // Refused before it started: that is the run's result on this machine. Left
                // `running`, it would read as a dead worker's and be claimed (and refused) again.
                if error is RunRefused, try store.run(id: id)?.status == .running {
                    try store.finishRun(id: id, status: .failed, error: Self.describe(error))
                }
            }
        }
        if deadline?.passed == true {
            log("worker \(ProcessProbe.pid): time limit reached; what is left stays queued or interrupted, resumable")
        }
        return (done, failed)
    }
}

/// Rough compute time of a planned run from the rates measured on the 2-core reference machine
/// (README): evaluation ≈ 1.4 ms per question per million parameters, training ≈ parameters /
/// 40 000 seconds per token (SmolLM2-135M LoRA ~300 tok/s, gemma3-270m ~130 tok/s).
enum SweepTimeEstimate {
    static func evaluation(_ spec: ExperimentSpec, examples: Int, parameters: Int) -> Double {
        let n = min(examples, spec.limit ?? examples)
        return Double(n) * 0.0014 * Double(parameters) / 1e6 * (spec.shots > 0 ? 1.5 : 1)
    }

    static func training(_ spec: TrainSpec, parameters: Int) -> Double {
        let steps = spec.maxSteps ?? 100
        // GSM8K training sequences average ~200 tokens; never more than seq.
        let tokens = Double(steps * spec.batchSize * spec.accumulation * min(spec.maxSequenceLength, 200))
        return tokens * Double(parameters) / 40_000 / 1e6 * (spec.method == .full ? 1.2 : 1)
    }

    static func describe(_ seconds: Double) -> String {
        if seconds < 90 { return String(format: "≈ %.0f s", seconds) }
        if seconds < 5400 { return String(format: "≈ %.0f min", seconds / 60) }
        return String(format: "≈ %.1f h", seconds / 3600)
    }
}

extension Session {
    /// `ftlab run-task FILE`: one queued run of an emitted sweep (a Slurm array task's), run in
    /// this database (the task's shard) under the run's own uuid. Run again — a requeued or
    /// resubmitted task — it resumes an unfinished run and leaves a finished one alone.
    public func runTask(file: String) throws {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw ConsoleError("cannot read the task file \(file)")
        }
        var run: RunRecord
        do { run = try JSONDecoder().decode(RunRecord.self, from: bytes) } catch {
            throw ConsoleError("\(file) is not a task written by `sweep … emit slurm`")
        }
        // (resumeRun marks stale claims interrupted before it decides.)
        if let existing = try store.run(uuid: run.uuid), let id = existing.id {
            if existing.status == .done {
                emit("run \(id) (\(run.uuid)) is already done\n")
                return
            }
            return try resumeRun(id)
        }
        let model: EvalModelInfo, data: Dataset
        if run.kind == .train {
            let spec = try TrainSpec.fromJSON(run.specJSON)
            model = try Self.modelInfo(key: spec.modelKey, path: spec.modelPath)
            data = try TaskCatalog.load(task: spec.task, split: spec.split ?? "train", dataDirectory: dataDirectory)
        } else {
            let spec = try ExperimentSpec.fromJSON(run.specJSON)
            model = try Self.modelInfo(key: spec.modelKey, path: spec.modelPath)
            data = try TaskCatalog.load(task: spec.task, split: spec.split, dataDirectory: dataDirectory)
        }
        run.id = nil
        run.parentRunID = nil
        run.sweepID = nil
        run.status = .queued
        run.host = ProcessProbe.host
        (run.modelID, run.datasetID) = try RunRows.modelAndDataset(model, data, store: store)
        try resumeRun(try store.insertRun(run))
    }
}
