import Experiments
import Foundation
import QueryLanguage
import Store

// `import lm-eval PATH [as MODEL]` (also `ftlab import lm-eval PATH`): every (model, task) of an
// lm-evaluation-harness output folder becomes a finished `eval` run whose predictions are the
// harness's samples, scored as the harness scored them. Everything is read and matched before
// anything is written, so a malformed file leaves the database as it was.
extension Session {
    /// What an import did, one line per run; returned for tests, printed for people.
    @discardableResult
    public func runImport(_ command: ImportCommand) throws -> [LMEvalImportOutcome] {
        let plans = try planImport(command)
        var outcomes: [LMEvalImportOutcome] = []
        for plan in plans.imports {
            let datasetID = try store.upsertDataset(DatasetRecord(
                task: plan.dataset.task, split: plan.dataset.split, size: plan.dataset.count,
                sha256: plan.dataset.sha256, path: plan.dataset.path))
            let (run, predictions) = LMEvalRunRows.rows(plan.task, modelID: plan.modelID, datasetID: datasetID)
            let outcome = try store.importRun(run, predictions: predictions)
            let result = LMEvalImportOutcome(import: plan.task, modelKey: plan.modelKey, outcome: outcome)
            emit(result.description + "\n")
            outcomes.append(result)
        }
        for refused in plans.refused { errors.write("not imported: \(refused)\n") }
        return outcomes
    }

    struct ImportPlans {
        struct Plan {
            let task: LMEvalTaskImport
            let dataset: Dataset
            let modelID: Int64
            let modelKey: String
        }
        var imports: [Plan] = []
        /// Tasks ftlab does not know, each with why.
        var refused: [String] = []
    }

    private func planImport(_ command: ImportCommand) throws -> ImportPlans {
        var plans = ImportPlans()
        var datasets: [String: Dataset] = [:]
        for resultsPath in try LMEvalFolder.resultsFiles(under: command.path) {
            let results = try LMEvalResultsFile(path: resultsPath)
            for task in results.tasks {
                // An unknown task is refused, not imported under its own name: its documents
                // could not be matched to any ftlab dataset, so its run could never be paired
                // with a native one — and the datasets table would hold a split ftlab cannot load.
                guard let ftlabTask = LMEvalFolder.ftlabTask(for: task.name) else {
                    let known = TaskCatalog.tasks.filter { !$0.isBuiltIn }.map(\.name).joined(separator: ", ")
                    plans.refused.append("task \(task.name) of \(resultsPath): ftlab has no such task to match its documents "
                                         + "against (known: \(known); a harness task named TASK or TASK_… is matched to TASK)")
                    continue
                }
                let spec = try TaskCatalog.spec(ftlabTask)
                let split = task.split.flatMap { spec.splits.contains($0) ? $0 : nil } ?? spec.evalSplit
                let key = "\(ftlabTask)/\(split)"
                let dataset = try datasets[key] ?? TaskCatalog.load(task: ftlabTask, split: split, dataDirectory: dataDirectory)
                datasets[key] = dataset
                let samples = try LMEvalSamplesFile(path: try LMEvalFolder.samplesFile(for: results, task: task.name))
                let imported = try LMEvalTaskImport(results: results, task: task, samples: samples, dataset: dataset)
                guard imported.n > 0 else {
                    throw ConsoleError("\(samples.path): none of its \(imported.unmatched.count) documents is in ftlab's \(ftlabTask) \(split) "
                                       + "(matched by question text); is it the same dataset?")
                }
                let model = try importedModel(results, explicit: command.model)
                plans.imports.append(.init(task: imported, dataset: dataset, modelID: model.id, modelKey: model.key))
            }
        }
        if plans.imports.isEmpty && !plans.refused.isEmpty {
            throw ConsoleError("nothing imported from \(command.path): " + plans.refused.joined(separator: "; "))
        }
        return plans
    }

    /// The ftlab model the harness ran: `as MODEL` when given, else the first of the names in its
    /// model arguments (the gguf_file's stem, the last component of `pretrained`, `model_name`)
    /// that is a registered key or a catalog key (registered on the way when its file is here).
    private func importedModel(_ results: LMEvalResultsFile, explicit: String?) throws -> (id: Int64, key: String) {
        let args = results.modelArguments
        var names: [String] = []
        if let explicit { names = [explicit] } else {
            if let gguf = args["gguf_file"] { names.append(((gguf as NSString).lastPathComponent as NSString).deletingPathExtension) }
            for value in [args["pretrained"], args["model"], results.modelName].compactMap({ $0 }) {
                names.append((value as NSString).lastPathComponent)
                names.append(value)
            }
        }
        let registered = try store.models()
        for name in names {
            if let m = registered.first(where: { $0.key.lowercased() == name.lowercased() }), let id = m.id { return (id, m.key) }
            if let catalog = ModelCatalog.model(name.lowercased()) {
                let fetcher = ModelFetcher(home: ModelFetcher.defaultHome())
                guard fetcher.isPresent(catalog) else {
                    throw ConsoleError("the harness ran \(catalog.key), which is not registered here nor on this machine; "
                                       + "`ftlab models pull \(catalog.key)` first (the run points at the model's row)")
                }
                let record = try ModelRegistration.registerGGUF(at: fetcher.modelPath(catalog.key), key: catalog.key,
                                                                sha256: catalog.sha256, in: store)
                let id = try store.models().first { $0.key == record.key }?.id
                if let id { return (id, record.key) }
            }
        }
        if let explicit {
            throw ConsoleError("unknown model '\(explicit)' after `as`: not a registered key (models add PATH) nor a catalog key")
        }
        throw ConsoleError("cannot tell which ftlab model the harness ran (model \(results.model ?? "?"), model_args "
                           + "\(results.modelArgs ?? "none")) in \(results.path); name it: `import lm-eval PATH as KEY` "
                           + "with a catalog key or a model registered with `models add`")
    }
}

/// One imported run, as said to the user.
public struct LMEvalImportOutcome: CustomStringConvertible {
    public let `import`: LMEvalTaskImport
    public let modelKey: String
    public let outcome: ImportOutcome

    public var runID: Int64 {
        switch outcome { case .added(let id, _), .alreadyPresent(let id): return id }
    }

    public var description: String {
        let t = self.import
        let head = "\(t.task.name) (\(t.task.numFewshot)-shot) of \(modelKey) → \(t.ftlabTask) \(t.split)"
        if case .alreadyPresent(let id) = outcome { return "already imported as run \(id): \(head) (same files)" }
        let rules = t.rules.map { rule -> String in
            let mine = String(format: "%@ %.4f", rule, t.accuracy[rule] ?? 0)
            guard let harness = t.harnessAccuracy[rule] else { return mine + " (harness: not reported)" }
            return mine + (harness == t.accuracy[rule] ? "" : String(format: " (harness: %.4f)", harness))
        }.joined(separator: ", ")
        var text = "run \(runID): \(head): \(t.n) predictions; \(rules)"
        if t.disagreements.isEmpty && !t.harnessAccuracy.isEmpty { text += " — equal to the harness's results" }
        if !t.unmatched.isEmpty {
            let named = t.unmatched.prefix(5).map { "doc \($0.docID) \"\($0.text)\"" }.joined(separator: ", ")
            text += "\n  \(t.unmatched.count) documents not in ftlab's \(t.ftlabTask) \(t.split), not imported: \(named)"
                + (t.unmatched.count > 5 ? ", …" : "")
        }
        return text
    }
}
