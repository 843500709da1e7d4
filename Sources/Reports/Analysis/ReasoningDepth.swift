/// How accuracy depends on how many reasoning steps a question takes.
///
/// The finding the study checks says DoRA does better on multi-step problems and LoRA on
/// pattern-like ones. A question's depth is the number of steps of its reference solution
/// (`PredictionOutcome.reasoningSteps`, one GSM8K solution line a step), binned so that each bin
/// holds about a quarter of the GSM8K test: 326, 371, 297 and 325 of its 1,319 questions.
public enum DepthBin: Int, CaseIterable, Comparable, Sendable {
    case twoOrFewer, three, four, fiveOrMore

    public init(steps: Int) {
        switch steps {
        case ...2: self = .twoOrFewer
        case 3: self = .three
        case 4: self = .four
        default: self = .fiveOrMore
        }
    }

    public var label: String {
        switch self {
        case .twoOrFewer: return "≤ 2"
        case .three: return "3"
        case .four: return "4"
        case .fiveOrMore: return "≥ 5"
        }
    }

    /// The label in CSV files: "<=2", "3", "4", ">=5".
    public var asciiLabel: String {
        switch self {
        case .twoOrFewer: return "<=2"
        case .fiveOrMore: return ">=5"
        default: return label
        }
    }

    public static func < (a: DepthBin, b: DepthBin) -> Bool { a.rawValue < b.rawValue }
}

/// Two runs on the examples both scored, in one depth bin (or all of them): one table of counts
/// a seed, pooled for accuracy and Δ, the largest p reported (as for Δ).
public struct DepthPair: Equatable, Sendable {
    /// One entry a seed's pair of runs.
    public private(set) var seeds: [PairedCounts] = []

    public init() {}

    private var pooled: PairedCounts { seeds.reduce(PairedCounts(), +) }
    public var n: Int { pooled.n }
    public var bothRight: Int { pooled.bothRight }
    /// Right in the first run only.
    public var firstOnly: Int { pooled.firstOnly }
    /// Right in the second run only.
    public var secondOnly: Int { pooled.secondOnly }
    public var firstAccuracy: Double? { n == 0 ? nil : Double(pooled.firstCorrect) / Double(n) }
    public var secondAccuracy: Double? { n == 0 ? nil : Double(pooled.secondCorrect) / Double(n) }
    /// Second minus first.
    public var delta: Double? { pooled.delta }
    public var pValue: Double? { seeds.map(\.pValue).max() }
    /// The Δ table's mark (`SignificanceMark`): every seed in the pooled direction, largest p.
    public var mark: String {
        guard let delta else { return "" }
        return SignificanceMark.mark(delta: delta, seeds: seeds.compactMap { s in s.delta.map { ($0, s.pValue) } })
    }

    /// Adds one seed's pairs.
    mutating func add(_ pairs: [(first: Bool, second: Bool)]) {
        let counts = PairedCounts(pairs)
        if counts.n > 0 { seeds.append(counts) }
    }
}

/// A method of one model against another run set (its zero-shot runs, or LoRA against DoRA),
/// split by depth bin, with the total over every bin.
public struct DepthComparison: Equatable, Sendable {
    public let model: String
    public let dataset: DatasetKey
    /// Labels of the two sides (`zero_shot` / `lora`, or `lora` / `dora`).
    public let first: String
    public let second: String
    public let byBin: [DepthBin: DepthPair]
    public let all: DepthPair

    /// Pairs `firsts[k]` with `seconds[k]` (one pair of runs a seed); examples without a depth are
    /// left out. nil when no pair shares an example with a depth.
    init?(model: String, dataset: DatasetKey, first: String, second: String, pairs: [(ReportRun, ReportRun)]) {
        var bins: [DepthBin: DepthPair] = [:]
        var all = DepthPair()
        for (x, y) in pairs {
            let paired = PairedComparison.pairedOutcomes(x, y).compactMap { a, b -> (DepthBin, Bool, Bool)? in
                guard let steps = a.reasoningSteps ?? b.reasoningSteps else { return nil }
                return (DepthBin(steps: steps), a.correct, b.correct)
            }
            for bin in DepthBin.allCases {
                let rows = paired.filter { $0.0 == bin }.map { (first: $0.1, second: $0.2) }
                if !rows.isEmpty { bins[bin, default: DepthPair()].add(rows) }
            }
            all.add(paired.map { (first: $0.1, second: $0.2) })
        }
        guard all.n > 0 else { return nil }
        self.model = model; self.dataset = dataset; self.first = first; self.second = second
        byBin = bins
        self.all = all
    }
}

extension Study {
    /// Whether any run on `dataset` knows its examples' depths.
    public func hasDepths(in dataset: DatasetKey) -> Bool {
        runs.contains { $0.dataset == dataset && $0.outcomes.contains { $0.reasoningSteps != nil } }
    }

    /// Accuracy per depth bin of every summary on `dataset` (pooled over its runs; `questions`
    /// counts distinct examples, once however many seeds scored them), in summary order. A zero-shot summary counts only the examples its model's other methods scored, when
    /// they scored any (the Qwen models' zero-shot run covers the whole test, their other runs
    /// its first 500), so a model's rows compare the same questions.
    public func depthTallies(in dataset: DatasetKey)
        -> [(summary: MethodSummary, bins: [DepthBin: (n: Int, correct: Int)], questions: [DepthBin: Int])] {
        let inDataset = summaries.filter { $0.dataset == dataset }
        return inDataset.map { s in
            var keep: Set<Int>?
            if s.method == Methods.baseline {
                let others = inDataset.filter { $0.model == s.model && $0.method != Methods.baseline }
                let indices = Set(others.flatMap(\.runs).flatMap(\.outcomes).map(\.exampleIndex))
                if !indices.isEmpty { keep = indices }
            }
            var bins: [DepthBin: (n: Int, correct: Int)] = [:]
            var questions: [DepthBin: Set<Int>] = [:]
            for o in s.runs.flatMap(\.outcomes) {
                guard let steps = o.reasoningSteps, keep?.contains(o.exampleIndex) ?? true else { continue }
                let bin = DepthBin(steps: steps)
                bins[bin, default: (0, 0)].n += 1
                if o.correct { bins[bin, default: (0, 0)].correct += 1 }
                questions[bin, default: []].insert(o.exampleIndex)
            }
            return (s, bins, questions.mapValues(\.count))
        }
    }

    /// Every method against its zero-shot partners (the pairs Δ is computed on), by depth.
    public func depthTransfers(in dataset: DatasetKey) -> [DepthComparison] {
        transfers.filter { $0.summary.dataset == dataset }.compactMap { t in
            DepthComparison(model: t.summary.model, dataset: dataset, first: Methods.baseline,
                            second: t.summary.method, pairs: pairedRuns(of: t).map { ($0.before, $0.after) })
        }
    }

    /// LoRA against DoRA for each model that has both on `dataset`, run paired with run of the
    /// same seed — the direct test of "DoRA on multi-step problems, LoRA on pattern-like ones".
    public func adapterDepth(in dataset: DatasetKey) -> [DepthComparison] {
        models(in: dataset).compactMap { m in
            guard let lora = summary(model: m.model, dataset: dataset, method: "lora"),
                  let dora = summary(model: m.model, dataset: dataset, method: "dora") else { return nil }
            let pairs = lora.runs.compactMap { l in dora.runs.first { $0.seed == l.seed }.map { (l, $0) } }
            return DepthComparison(model: m.model, dataset: dataset, first: "lora", second: "dora", pairs: pairs)
        }
    }
}
