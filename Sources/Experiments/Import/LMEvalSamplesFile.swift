import Foundation

/// One `samples_<task>_<timestamp>.jsonl` of lm-evaluation-harness 0.4.x (`--log_samples`): a
/// line per (document, filter), each with the document, the model's responses, the filtered
/// responses and the metric values the harness gave them.
public struct LMEvalSamplesFile: Sendable {
    /// One line of the file.
    public struct Line: Sendable {
        /// 1-based line number, for messages.
        public var number: Int
        public var docID: Int
        /// The document's fields: every string among them is a candidate question text.
        public var docStrings: [String: String]
        /// Raw responses: generated text for `generate_until`; per choice the log-likelihood for
        /// log-likelihood tasks.
        public var generated: String?
        public var logLikelihoods: [Double]?
        /// The filtered response (`filtered_resps[0]` for generation: the extracted answer).
        public var filteredText: String?
        public var filter: String
        /// Metric name → value, for the names in `metrics`.
        public var metrics: [String: Double]
        /// The prompt the harness built (first argument of the first request).
        public var prompt: String?
        /// Continuations scored (multiple choice), from the requests' arguments.
        public var continuations: [String]
        /// `target`: the gold answer text, or the gold choice index.
        public var target: String?
    }

    public var path: String
    public var sha256: String
    public var lines: [Line]

    /// Parses every non-blank line. A line that is not a JSON object with the fields an import
    /// reads is an error naming the file and the line (a truncated file stops at its last line).
    public init(path: String) throws {
        let source = try SourceFile(path)
        self.path = path
        sha256 = SHA256.hex(source.data)
        let decoder = JSONDecoder()
        lines = try source.lines().map { raw in
            func fail(_ message: String) -> DatasetError { .malformed(file: path, at: .line(raw.number), message: message) }
            let value: JSONValue
            do { value = try decoder.decode(JSONValue.self, from: raw.bytes) } catch {
                throw fail("not a complete JSON object (truncated or corrupt line)")
            }
            guard case .object(let o) = value else { throw fail("expected a JSON object, found \(value.typeName)") }
            return try Self.line(o, number: raw.number, fail: fail)
        }
    }

    static func line(_ o: [String: JSONValue], number: Int, fail: (String) -> DatasetError) throws -> Line {
        guard let docID = o["doc_id"]?.number, docID >= 0, docID == docID.rounded() else { throw fail("missing or invalid \"doc_id\"") }
        guard let doc = o["doc"]?.object else { throw fail("missing \"doc\" object") }
        guard let filter = o["filter"]?.text else { throw fail("missing \"filter\"") }
        guard let resps = o["resps"]?.array else { throw fail("missing \"resps\" array") }
        var docStrings: [String: String] = [:]
        for (k, v) in doc { if case .string(let s) = v { docStrings[k] = s } }
        var metrics: [String: Double] = [:]
        let names = o["metrics"]?.array?.compactMap(\.text) ?? []
        for name in names {
            guard let x = o[name]?.number else { throw fail("metric \"\(name)\" is listed but has no numeric value") }
            metrics[name] = x
        }
        // generate_until: resps = [[text]], filtered_resps = [text].
        // loglikelihood: resps = [[[ll, is_greedy]], …] per choice, filtered_resps = [[ll, is_greedy], …].
        var generated: String?
        var lls: [Double]?
        if case .string(let s)? = resps.first?.array?.first {
            generated = s
        } else if !resps.isEmpty {
            lls = try resps.map { r -> Double in
                guard let pair = r.array?.first?.array ?? r.array, let ll = pair.first?.number else {
                    throw fail("\"resps\" is neither generated text nor log-likelihoods")
                }
                return ll
            }
        }
        let filtered = o["filtered_resps"]?.array?.first
        let (prompt, continuations) = arguments(o["arguments"])
        return Line(number: number, docID: Int(docID), docStrings: docStrings, generated: generated,
                    logLikelihoods: lls, filteredText: filtered?.text, filter: filter, metrics: metrics,
                    prompt: prompt, continuations: continuations, target: o["target"]?.text)
    }

    /// Requests' arguments: `[[context, continuation], …]` (0.4.0–0.4.4) or
    /// `{"gen_args_0": {"arg_0": context, "arg_1": …}, …}` (later 0.4.x).
    static func arguments(_ v: JSONValue?) -> (prompt: String?, continuations: [String]) {
        var requests: [[JSONValue]] = []
        if let list = v?.array {
            requests = list.compactMap(\.array)
        } else if let dict = v?.object {
            let keys = dict.keys.sorted { (Int($0.split(separator: "_").last ?? "") ?? 0) < (Int($1.split(separator: "_").last ?? "") ?? 0) }
            requests = keys.compactMap { key in
                guard let args = dict[key]?.object else { return nil }
                return args.keys.sorted().compactMap { args[$0] }
            }
        }
        let prompt = requests.first?.first?.text
        let continuations = requests.compactMap { $0.count > 1 ? $0[1].text : nil }
        return (prompt, continuations)
    }
}
