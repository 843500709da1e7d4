import Experiments
import Foundation
import Reports
import Store

/// Where a report finds its examples' reasoning depths (`PredictionOutcome.reasoningSteps`):
/// nowhere, or the task's data files (the database keeps gold answers, not worked solutions).
enum ReasoningDepthSource: Equatable {
    case off
    /// The data directory (nil: `DataDirectory.resolve`, as evaluations do).
    case data(directory: String?)
}

extension ReportLoader {
    /// The tasks whose worked solutions the depth bins are made for.
    static let depthTasks: Set<String> = ["gsm8k"]

    /// Reasoning steps of every example, by dataset id, for the datasets of `ids` whose task is in
    /// `depthTasks`, read from the data files — only a file whose SHA-256 is the one the runs
    /// recorded (another file's lines need not be the same questions). A note says why a dataset
    /// has none.
    func reasoningSteps(datasets ids: Set<Int64>, records: [Int64: DatasetRecord]) -> (steps: [Int64: [Int: Int]], notes: [String]) {
        guard case .data(let directory) = depthSource else { return ([:], []) }
        var steps: [Int64: [Int: Int]] = [:]
        var notes: [String] = []
        for id in ids.sorted() {
            guard let record = records[id], Self.depthTasks.contains(record.task) else { continue }
            let what = "\(record.task) (\(record.split))"
            do {
                let dataset = try TaskCatalog.load(task: record.task, split: record.split, dataDirectory: directory)
                guard dataset.sha256 == record.sha256 else {
                    notes.append("Reasoning depth on \(what) left out: \(dataset.path ?? "the data") is not the file these runs scored "
                                 + "(SHA-256 \(dataset.sha256.prefix(12))…, the runs recorded \(record.sha256.prefix(12))…).")
                    continue
                }
                steps[id] = Dictionary(uniqueKeysWithValues: dataset.examples.compactMap { e in e.reasoningSteps.map { (e.index, $0) } })
            } catch {
                notes.append("Reasoning depth on \(what) left out: its worked solutions are read from the data files — \(error)")
            }
        }
        return (steps, notes)
    }
}
