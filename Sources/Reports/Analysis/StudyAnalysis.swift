/// Everything a report says, computed once from the runs.
public struct Study: Equatable, Sendable {
    public let runs: [ReportRun]
    /// Per (dataset, model, method); datasets sorted, models by size, methods canonical.
    public let summaries: [MethodSummary]
    /// Every non-zero-shot summary that has a zero-shot partner.
    public let transfers: [TransferResult]
    /// Per (dataset, method ≠ zero_shot) with at least two models.
    public let thresholds: [ThresholdResult]
    public let recommendations: [Recommendation]
    /// Things the reader must know, e.g. a model without a zero-shot run.
    public let notes: [String]
    public let bootstrap: PairedBootstrap
    /// Conditions planned but without a finished run, one per cell (queued wins over cancelled).
    public var pending: [PendingCondition] = []

    public var datasets: [DatasetKey] { Array(Set(summaries.map(\.dataset))).sorted() }

    /// Models of a dataset, smallest first (name breaks ties).
    public func models(in dataset: DatasetKey) -> [(model: String, params: Int64)] {
        var seen: [String: Int64] = [:]
        for s in summaries where s.dataset == dataset { seen[s.model] = s.params }
        return seen.map { ($0.key, $0.value) }.sorted { ($0.params, $0.model) < ($1.params, $1.model) }
    }

    public func methods(in dataset: DatasetKey) -> [String] {
        Methods.sorted(summaries.filter { $0.dataset == dataset }.map(\.method))
    }

    public func summary(model: String, dataset: DatasetKey, method: String) -> MethodSummary? {
        summaries.first { $0.model == model && $0.dataset == dataset && $0.method == method }
    }

    public func transfer(model: String, dataset: DatasetKey, method: String) -> TransferResult? {
        transfers.first { $0.summary.model == model && $0.summary.dataset == dataset && $0.summary.method == method }
    }

    /// The (zero-shot, method) runs behind each of a transfer's per-seed comparisons, in its
    /// order: what the depth and budget analyses split further.
    public func pairedRuns(of transfer: TransferResult) -> [(before: ReportRun, after: ReportRun)] {
        transfer.comparisons.compactMap { c in
            guard let before = run(id: c.beforeRunID), let after = run(id: c.afterRunID) else { return nil }
            return (before, after)
        }
    }

    func run(id: Int64) -> ReportRun? { runs.first { $0.id == id } }
}

public enum StudyAnalysis {
    /// Groups scored runs and compares every method with its model's zero-shot runs.
    ///
    /// Pairing: a method's run is paired with the zero-shot run of the same model and task split
    /// that scored the most of its examples; among equals, the one with the same seed, else the
    /// lowest seed (greedy zero-shot decoding does not depend on the seed, so one zero-shot run
    /// usually serves every seed). Δ is averaged over the method's seeds.
    /// `notes` come first in the study's notes (e.g. what the loader left out).
    public static func analyze(_ runs: [ReportRun], bootstrap: PairedBootstrap = PairedBootstrap(),
                               notes loaderNotes: [String] = [], pending: [PendingCondition] = []) throws -> Study {
        let scored = runs.filter { $0.n > 0 }
        guard !scored.isEmpty else {
            throw ReportError(runs.isEmpty ? "no runs to report on" : "none of the selected runs has scored predictions")
        }
        var notes = loaderNotes
        let skipped = runs.count - scored.count
        if skipped > 0 { notes.append("\(skipped) selected run(s) without predictions were left out.") }

        struct Key: Hashable { let dataset: DatasetKey; let model: String; let method: String }
        let grouped = Dictionary(grouping: scored) { Key(dataset: $0.dataset, model: $0.model, method: $0.method) }
        let summaries = grouped.map { key, runs in
            MethodSummary(model: key.model, params: runs[0].params, dataset: key.dataset, method: key.method, runs: runs)
        }.sorted { a, b in
            // Methods in `Methods.sorted` order (a method's learning rates smallest first), as
            // the accuracy table's columns.
            (a.dataset, a.params, a.model, Methods.rank(a.method), Methods.learningRate(a.method), a.method)
                < (b.dataset, b.params, b.model, Methods.rank(b.method), Methods.learningRate(b.method), b.method)
        }

        var transfers: [TransferResult] = []
        for s in summaries where s.method != Methods.baseline {
            guard let base = summaries.first(where: {
                $0.dataset == s.dataset && $0.model == s.model && $0.method == Methods.baseline
            }) else {
                notes.append("\(s.model) has no zero-shot run on \(s.dataset); its \(s.method) runs are not compared.")
                continue
            }
            var comparisons: [PairedComparison] = []
            var strata: [[(before: Bool, after: Bool)]] = []
            for run in s.runs {
                let partner = Self.partner(of: run, among: base.runs)
                guard let c = try? PairedComparison.compare(before: partner, after: run, bootstrap: bootstrap) else {
                    notes.append("run \(run.id) (\(s.model) \(s.method)) shares no example with zero-shot run \(partner.id); left out of Δ.")
                    continue
                }
                comparisons.append(c)
                strata.append(PairedComparison.pairedOutcomes(partner, run).map { ($0.0.correct, $0.1.correct) })
            }
            guard !comparisons.isEmpty else { continue }
            transfers.append(TransferResult(summary: s, comparisons: comparisons,
                                            interval: bootstrap.interval(strata: strata)))
        }

        var thresholds: [ThresholdResult] = []
        for dataset in Set(summaries.map(\.dataset)).sorted() {
            for method in Methods.sorted(transfers.filter { $0.summary.dataset == dataset }.map(\.summary.method)) {
                let points = transfers.filter { $0.summary.dataset == dataset && $0.summary.method == method }.map {
                    ThresholdResult.Point(model: $0.summary.model, params: $0.summary.params, delta: $0.delta)
                }
                if points.count >= 2 { thresholds.append(ThresholdResult(dataset: dataset, method: method, points: points)) }
            }
        }

        var recommendations: [Recommendation] = []
        var seenGroups = Set<String>()
        for s in summaries where seenGroups.insert("\(s.dataset)\u{0}\(s.model)").inserted {
            let group = summaries.filter { $0.dataset == s.dataset && $0.model == s.model }
            if let r = Recommendation.make(model: s.model, dataset: s.dataset, summaries: group) { recommendations.append(r) }
        }

        var study = Study(runs: scored.sorted { $0.id < $1.id }, summaries: summaries, transfers: transfers,
                          thresholds: thresholds, recommendations: recommendations, notes: notes, bootstrap: bootstrap)
        study.pending = Self.oneConditionPerCell(pending)
        return study
    }

    /// The most telling status of each (model, dataset, method): queued before cancelled.
    static func oneConditionPerCell(_ pending: [PendingCondition]) -> [PendingCondition] {
        var cells: [String: PendingCondition] = [:]
        var order: [String] = []
        for p in pending {
            let key = "\(p.model)\u{0}\(p.dataset.task)\u{0}\(p.dataset.split)\u{0}\(p.method)"
            if let seen = cells[key] {
                if p.status < seen.status { cells[key] = p }
            } else {
                cells[key] = p
                order.append(key)
            }
        }
        return order.map { cells[$0]! }
    }
    /// The zero-shot run `run` is compared with: most shared examples, then same seed, then lowest seed.
    static func partner(of run: ReportRun, among zeroShot: [ReportRun]) -> ReportRun {
        let examples = Set(run.outcomes.map(\.exampleIndex))
        func rank(_ z: ReportRun) -> (Int, Int, Int64) {
            (z.outcomes.filter { examples.contains($0.exampleIndex) }.count, z.seed == run.seed ? 1 : 0, -z.seed)
        }
        return zeroShot.max { rank($0) < rank($1) } ?? zeroShot[0]
    }

}
