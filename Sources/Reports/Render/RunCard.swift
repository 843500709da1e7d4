/// `report run N` as terminal text: who the run is, how well it did (with an interval), how each
/// scoring rule rated it, and where it sits in the train → eval chain.
public struct RunCard: Sendable {
    /// A run the card links to (parent training run, or evaluation children).
    public struct Link: Sendable, Equatable {
        public let id: Int64
        public let method: String
        public let kind: String
        public let status: String
        public let accuracy: Double?
        public init(id: Int64, method: String, kind: String, status: String, accuracy: Double?) {
            self.id = id; self.method = method; self.kind = kind; self.status = status; self.accuracy = accuracy
        }
    }

    public var id: Int64
    public var model: String
    public var params: Int64
    public var task: String
    public var split: String
    public var method: String
    public var kind: String
    public var status: String
    public var seed: Int64
    public var config: String
    public var engineVersion: String
    public var startedAt: String
    public var finishedAt: String?
    /// From the predictions; nil for a run without any (e.g. a training run).
    public var correct: Int?
    public var n: Int?
    /// Accuracy by scoring rule, from the run's metrics (e.g. `numeric`, `acc_norm`), name order.
    public var rules: [(name: String, accuracy: Double)]
    public var parent: Link?
    public var children: [Link]

    public init(id: Int64, model: String, params: Int64, task: String, split: String, method: String, kind: String,
                status: String, seed: Int64, config: String, engineVersion: String, startedAt: String,
                finishedAt: String?, correct: Int?, n: Int?, rules: [(name: String, accuracy: Double)],
                parent: Link?, children: [Link]) {
        self.id = id; self.model = model; self.params = params; self.task = task; self.split = split
        self.method = method; self.kind = kind; self.status = status; self.seed = seed; self.config = config
        self.engineVersion = engineVersion; self.startedAt = startedAt; self.finishedAt = finishedAt
        self.correct = correct; self.n = n; self.rules = rules; self.parent = parent; self.children = children
    }

    public func render() -> String {
        var out = "run \(id): \(model) (\(Format.params(params))) · \(method) · \(kind) · \(task) (\(split)) · seed \(seed) · \(status)\n"
        if !config.isEmpty { out += "config     \(config)\n" }
        out += "engine     \(engineVersion)\n"
        out += "started    \(startedAt)" + (finishedAt.map { "   finished \($0)" } ?? "") + "\n"
        if let correct, let n, n > 0 {
            let i = Wilson.interval(correct: correct, n: n)
            out += "accuracy   \(Format.fixed(Double(correct) / Double(n)))  (\(correct)/\(n))  Wilson 95 % \(Format.interval(i))\n"
        } else {
            out += "accuracy   none (no scored predictions)\n"
        }
        if !rules.isEmpty {
            out += "rules      " + rules.map { "\($0.name) \(Format.fixed($0.accuracy))" }.joined(separator: ", ") + "\n"
        }
        if let parent { out += "parent     " + Self.describe(parent) + "\n" }
        for child in children { out += "child      " + Self.describe(child) + "\n" }
        return out
    }

    static func describe(_ l: Link) -> String {
        "run \(l.id) (\(l.method) \(l.kind), \(l.status)" + (l.accuracy.map { ", accuracy \(Format.fixed($0))" } ?? "") + ")"
    }
}
