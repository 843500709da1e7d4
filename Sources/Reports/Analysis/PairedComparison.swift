/// An example that one run got right and the other wrong.
public struct Flip: Equatable, Sendable {
    public let exampleIndex: Int
    public let prompt: String?
    public let gold: String
    public let beforeOutput: String
    public let afterOutput: String

    init(_ before: PredictionOutcome, _ after: PredictionOutcome) {
        exampleIndex = before.exampleIndex
        prompt = before.prompt ?? after.prompt
        gold = before.gold
        beforeOutput = before.output
        afterOutput = after.output
    }
}

/// Two runs scored on the same examples, compared example by example.
///
/// "before" is the reference (zero-shot, or run A of `compare`), "after" the other run.
/// Only example indices that both runs scored are used, so an interrupted or limited run is
/// compared on what it actually saw.
public struct PairedComparison: Equatable, Sendable {
    public let beforeRunID: Int64
    public let afterRunID: Int64
    /// Pairs where both were right, only before was right (b), only after (c), both wrong.
    public let bothRight: Int
    public let beforeOnly: Int
    public let afterOnly: Int
    public let bothWrong: Int
    /// Accuracy(after) − accuracy(before) on the paired examples.
    public let delta: Double
    public let interval: Interval
    /// Exact McNemar on (beforeOnly, afterOnly).
    public let pValue: Double
    /// Right before, wrong after; and the reverse. In example order.
    public let lost: [Flip]
    public let gained: [Flip]

    public var pairs: Int { bothRight + beforeOnly + afterOnly + bothWrong }
    public var beforeAccuracy: Double { Double(bothRight + beforeOnly) / Double(pairs) }
    public var afterAccuracy: Double { Double(bothRight + afterOnly) / Double(pairs) }

    /// Pairs two runs; fails with a one-line error when they are on different task splits or
    /// share no example.
    public static func compare(before: ReportRun, after: ReportRun,
                               bootstrap: PairedBootstrap = PairedBootstrap()) throws -> PairedComparison {
        guard before.dataset == after.dataset else {
            throw ReportError("run \(before.id) is on \(before.dataset) and run \(after.id) on \(after.dataset); only runs on the same task and split can be paired")
        }
        let pairs = pairedOutcomes(before, after)
        guard !pairs.isEmpty else {
            throw ReportError("runs \(before.id) and \(after.id) share no scored example (run \(before.id): \(before.n) examples, run \(after.id): \(after.n))")
        }
        let counts = PairedCounts(pairs.map { (first: $0.0.correct, second: $0.1.correct) })
        let lost = pairs.filter { $0.0.correct && !$0.1.correct }.map(Flip.init)
        let gained = pairs.filter { !$0.0.correct && $0.1.correct }.map(Flip.init)
        return PairedComparison(
            beforeRunID: before.id, afterRunID: after.id, bothRight: counts.bothRight, beforeOnly: counts.firstOnly,
            afterOnly: counts.secondOnly, bothWrong: counts.bothWrong, delta: counts.delta!,
            interval: bootstrap.interval(pairs.map { ($0.0.correct, $0.1.correct) }),
            pValue: counts.pValue, lost: lost, gained: gained)
    }

    /// The outcomes of the examples both runs scored, in example order.
    static func pairedOutcomes(_ x: ReportRun, _ y: ReportRun) -> [(PredictionOutcome, PredictionOutcome)] {
        var byIndex: [Int: PredictionOutcome] = [:]
        for o in y.outcomes { byIndex[o.exampleIndex] = o }
        return x.outcomes.compactMap { o in byIndex[o.exampleIndex].map { (o, $0) } }
    }
}

extension PairedCounts {
    /// The table of two runs on the examples both scored.
    init(_ first: ReportRun, _ second: ReportRun) {
        self.init(PairedComparison.pairedOutcomes(first, second).map { (first: $0.0.correct, second: $0.1.correct) })
    }
}
