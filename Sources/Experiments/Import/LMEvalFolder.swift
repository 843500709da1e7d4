import Foundation

/// An lm-evaluation-harness `--output_path` folder: `results_<timestamp>.json` files (one per
/// invocation, usually in a sub-folder per model) with `samples_<task>_<timestamp>.jsonl` beside
/// them. Finding and pairing the files; reading them is `LMEvalResultsFile` / `LMEvalSamplesFile`.
public enum LMEvalFolder {
    /// The results files under `path` (or `path` itself when it is one), in path order.
    public static func resultsFiles(under path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.unreadable(file: path, reason: "no such file or folder")
        }
        if !isDirectory.boolValue {
            guard isResultsFile(path) else {
                throw DatasetError.invalidArgument("\(path): not an lm-evaluation-harness results file (results_<timestamp>.json) or output folder")
            }
            return [path]
        }
        var found: [String] = []
        let root = URL(fileURLWithPath: path)
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where isResultsFile(url.path) { found.append(url.path) }
        }
        guard !found.isEmpty else {
            throw DatasetError.invalidArgument("\(path): no lm-evaluation-harness results file (results_*.json) in this folder or below; "
                                               + "lm_eval writes one per run under its --output_path")
        }
        return found.sorted()
    }

    static func isResultsFile(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return name.hasPrefix("results_") && name.hasSuffix(".json")
    }

    /// `samples_<task>_<timestamp>.jsonl` beside the results file; an error when the run was made
    /// without `--log_samples` (an import stores every sample, so it needs them).
    public static func samplesFile(for results: LMEvalResultsFile, task: String) throws -> String {
        let directory = (results.path as NSString).deletingLastPathComponent
        let name = "samples_\(task)_\(results.timestamp).jsonl"
        let path = (directory as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.unreadable(file: path, reason: "missing: the samples of task \(task) (run lm_eval with --log_samples; "
                                          + "an import stores every sample)")
        }
        return path
    }

    /// The ftlab task a harness task is about: the same name, or a known task its name begins
    /// with (`gsm8k_cot_zeroshot` → gsm8k), nil when ftlab has no such task.
    public static func ftlabTask(for harnessTask: String) -> String? {
        var name = harnessTask.lowercased()
        // The harness spells one of ftlab's tasks differently.
        if name.hasPrefix("commonsense_qa") { name = "commonsenseqa" + name.dropFirst("commonsense_qa".count) }
        let known = TaskCatalog.tasks.filter { !$0.isBuiltIn }.map(\.name)
        if known.contains(name) { return name }
        return known.filter { name.hasPrefix($0 + "_") || name.hasPrefix($0 + "-") }.max(by: { $0.count < $1.count })
    }
}
