import Dispatch

/// The loop both evaluation runners share: skip examples a resumed run already stored, stop
/// between batches when asked, compute a batch, and hand each prediction and the batch's progress
/// to the sink. A sink error (e.g. the database) ends the run as failed.
enum EvalBatchLoop {
    /// - Parameters:
    ///   - start: the start event, given how many examples this session will run.
    ///   - compute: one batch's outputs, one per item (generations, or per-choice scores).
    ///   - predict: an item's prediction from its output and its share of the batch's seconds,
    ///     with the tokens it counts towards tokens/s.
    static func run<Item, Output>(batches: [[Item]], exampleIndex: (Item) -> Int, skipping: Set<Int>,
                                  primaryRule: String, sink: EvalSink, shouldStop: () -> Bool,
                                  start: (_ pending: Int) -> EvalStart,
                                  compute: ([Item]) -> [Output],
                                  predict: (Item, Output, _ seconds: Double) -> (prediction: EvalPrediction, tokens: Int))
        -> EvalTotals {
        let pending = batches.joined().filter { !skipping.contains(exampleIndex($0)) }.count
        var totals = EvalTotals(n: 0, correct: [:], wallSeconds: 0, tokensGenerated: 0)
        let started = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        do {
            try sink.handle(.started(start(pending)))
            for batch in batches {
                let rows = batch.filter { !skipping.contains(exampleIndex($0)) }
                if rows.isEmpty { continue }
                if shouldStop() {
                    totals.wallSeconds = elapsed()
                    try sink.handle(.interrupted(totals))
                    return totals
                }
                let batchStart = elapsed()
                let outputs = compute(rows)
                let perRow = (elapsed() - batchStart) / Double(rows.count)
                for (item, output) in zip(rows, outputs) {
                    let (prediction, tokens) = predict(item, output, perRow)
                    totals.n += 1
                    totals.tokensGenerated += tokens
                    for (r, s) in prediction.scores where s.correct { totals.correct[r, default: 0] += 1 }
                    try sink.handle(.prediction(prediction))
                }
                try sink.handle(.batchCompleted(EvalProgress(done: totals.n, pending: pending,
                                                             correct: totals.correct[primaryRule] ?? 0, elapsed: elapsed(),
                                                             tokensGenerated: totals.tokensGenerated)))
            }
            totals.wallSeconds = elapsed()
            try sink.handle(.finished(totals))
        } catch {
            totals.wallSeconds = elapsed()
            try? sink.handle(.failed(String(describing: error)))
        }
        return totals
    }
}
