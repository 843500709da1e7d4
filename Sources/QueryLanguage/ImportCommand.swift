/// `import lm-eval PATH [as MODEL]`: bring the runs of an lm-evaluation-harness output folder
/// (results_*.json + samples_*.jsonl) into the database. `as MODEL` names the ftlab model the
/// harness ran when its model arguments do not say it (a catalog or registered key).
public struct ImportCommand: Equatable {
    public enum Source: String, Equatable, CaseIterable { case lmEval = "lm-eval" }

    public var source: Source
    public var path: String
    public var model: String?

    public init(source: Source = .lmEval, path: String, model: String? = nil) {
        self.source = source; self.path = path; self.model = model
    }
}
