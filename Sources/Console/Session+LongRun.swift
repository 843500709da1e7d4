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
        guard let id = runID(), let run = try store.run(id: id) else { throw ConsoleError(failure() ?? notStarted) }
        emit(describe(run))
        if run.status == .failed { throw ConsoleError("run \(id) failed: \(run.error ?? "unknown error")") }
        return run
    }
}
