import Foundation
import Store

extension Session {
    /// Whether progress bars may redraw in place (stderr is a terminal and output is not captured).
    var progressOnTerminal: Bool { errors is StandardOutputSink && isatty(STDERR_FILENO) != 0 }

    /// Runs an evaluation or training runner with Ctrl-C as its stop request, then reads back the
    /// run row its sink created, prints `describe(run)`, and throws when the run failed.
    /// - Parameters:
    ///   - runID: the id the store sink gave the run (nil when it never started).
    ///   - failure: the runner's own message, for a run that never reached the database.
    @discardableResult
    func runInterruptibly(runID: () -> Int64?, failure: () -> String?, notStarted: String,
                          describe: (RunRecord) -> String, _ body: (_ shouldStop: () -> Bool) -> Void) throws -> RunRecord {
        SignalHandling.reset()
        body { SignalHandling.interrupted }
        SignalHandling.reset()
        guard let id = runID(), var run = try store.run(id: id) else { throw ConsoleError(failure() ?? notStarted) }
        if run.status == .running {
            // The runner ended without recording how (its own writes failed: a full disk, a
            // read-only file). What it stored stays; the run is marked interrupted if the
            // database takes that write, and the cause is reported, never a silent success.
            let cause = failure() ?? "the run ended without finishing"
            try? store.finishRun(id: id, status: .interrupted, error: cause)
            run = (try? store.run(id: id)) ?? run
            let kept = (try? store.existingExampleIndices(runID: id).count) ?? 0
            throw ConsoleError("run \(id) stopped: \(StoreErrorText.oneLine(cause)); \(kept) predictions kept — "
                               + "`resume run \(id)` continues once the cause is fixed")
        }
        if run.status == .failed {
            let kept = (try? store.existingExampleIndices(runID: id).count) ?? 0
            throw ConsoleError("run \(id) failed: \(StoreErrorText.oneLine(run.error ?? "unknown error"))"
                               + (kept > 0 ? "; \(kept) predictions kept — `resume run \(id)` continues once the cause is fixed" : ""))
        }
        emit(describe(run))
        return run
    }
}

enum StoreErrorText {
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }
}
