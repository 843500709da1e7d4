import Foundation

/// One `results_<timestamp>.json` of lm-evaluation-harness 0.4.x: what one invocation measured.
/// Only the parts an import needs are read; anything else in the file is ignored.
public struct LMEvalResultsFile: Sendable {
    /// One task of the invocation.
    public struct Task: Sendable {
        public var name: String
        /// `generate_until`, `multiple_choice`, `loglikelihood`, … (from `configs`).
        public var outputType: String?
        public var numFewshot: Int
        /// The task's version (`versions`, else `configs[task].metadata.version`).
        public var version: String?
        /// The split the harness evaluated (`test_split`, else `validation_split`).
        public var split: String?
        /// `"metric,filter"` → value, exactly as in `results[task]` (stderrs and aliases left out).
        public var metrics: [String: Double]
    }

    public var path: String
    /// SHA-256 of the file's bytes: part of an imported run's identity.
    public var sha256: String
    /// `<timestamp>` of `results_<timestamp>.json`; the task's samples files carry the same one.
    public var timestamp: String
    /// `lm_eval_version` when the harness recorded it (0.4.3 and later).
    public var harnessVersion: String?
    /// `config.model` (`hf`, `vllm`, …) and `config.model_args` as text.
    public var model: String?
    public var modelArgs: String?
    /// `model_name` (0.4.3 and later): the `pretrained=` value for hf models.
    public var modelName: String?
    /// Unix time of the invocation (`date`), and its whole duration in seconds.
    public var date: Double?
    public var totalSeconds: Double?
    public var tasks: [Task]

    /// Parses the file; a file that is not JSON, or lacks `results`, is an error naming it.
    public init(path: String) throws {
        let source = try SourceFile(path)
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: source.data) } catch {
            throw DatasetError.malformed(file: path, at: .whole, message: "not valid JSON (\(error)); is this an lm-evaluation-harness results file?")
        }
        guard case .object(let top) = value else {
            throw DatasetError.malformed(file: path, at: .whole, message: "expected a JSON object, found \(value.typeName)")
        }
        guard case .object(let results)? = top["results"] else {
            throw DatasetError.malformed(file: path, at: .whole, message: "no \"results\" object: not an lm-evaluation-harness results file")
        }
        self.path = path
        sha256 = SHA256.hex(source.data)
        let name = (path as NSString).lastPathComponent
        timestamp = String(name.dropFirst("results_".count).dropLast(".json".count))
        harnessVersion = top["lm_eval_version"]?.text
        let config = top["config"]?.object ?? [:]
        model = config["model"]?.text
        modelArgs = config["model_args"].map(Self.argsText)
        modelName = top["model_name"]?.text
        date = top["date"]?.number
        totalSeconds = top["total_evaluation_time_seconds"]?.number
        let configs = top["configs"]?.object ?? [:]
        let nShot = top["n-shot"]?.object ?? [:]
        let versions = top["versions"]?.object ?? [:]
        tasks = results.keys.sorted().map { task in
            let taskConfig = configs[task]?.object ?? [:]
            var metrics: [String: Double] = [:]
            for (key, v) in results[task]?.object ?? [:] where key.contains(",") && !key.contains("_stderr,") {
                if let x = v.number { metrics[key] = x }
            }
            let shots = nShot[task]?.number ?? taskConfig["num_fewshot"]?.number ?? 0
            let metadataVersion = taskConfig["metadata"]?.object?["version"]
            return Task(name: task, outputType: taskConfig["output_type"]?.text, numFewshot: Int(shots),
                        version: (versions[task] ?? metadataVersion)?.text,
                        split: taskConfig["test_split"]?.text ?? taskConfig["validation_split"]?.text,
                        metrics: metrics)
        }
    }

    /// `model_args` is a `k=v,…` string in most versions and a dictionary in some.
    static func argsText(_ v: JSONValue) -> String {
        if let s = v.text { return s }
        guard case .object(let o) = v else { return "" }
        return o.keys.sorted().map { "\($0)=\(o[$0]?.text ?? "")" }.joined(separator: ",")
    }

    /// `model_args` as key → value (`pretrained=/m,gguf_file=x.gguf` → two entries).
    public var modelArguments: [String: String] {
        var out: [String: String] = [:]
        for part in (modelArgs ?? "").split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { out[kv[0].trimmingWhitespace()] = kv[1].trimmingWhitespace() }
        }
        return out
    }
}

extension JSONValue {
    /// Strings as they are, numbers and booleans as text (a version `3.0` may be either).
    var text: String? {
        switch self {
        case .string(let s): return s
        case .number(let d): return "\(d)"
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    var number: Double? {
        switch self {
        case .number(let d): return d
        case .string(let s): return Double(s)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var object: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}
