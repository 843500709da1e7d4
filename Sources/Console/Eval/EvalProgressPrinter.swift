import Experiments
import Foundation

/// Progress on stderr: a redrawn bar on a terminal, one line per batch otherwise (logs, pipes).
final class EvalProgressPrinter: EvalSink {
    private let out: TextSink
    private let tty: Bool
    private var pending = 0

    init(out: TextSink, tty: Bool) {
        self.out = out
        self.tty = tty
    }

    func handle(_ event: EvalEvent) throws {
        switch event {
        case .started(let s):
            pending = s.pending
            let resumed = s.total == s.pending ? "" : " (\(s.total - s.pending) already stored)"
            let prefix = s.sharedPrefixTokens > 0 ? ", shared prefix \(s.sharedPrefixTokens) tokens" : ""
            out.write("eval \(s.model.key) on \(s.dataset.task)/\(s.dataset.split): \(s.pending) examples\(resumed)\(prefix)\n")
        case .batchCompleted(let p):
            out.write(tty ? "\r" + Self.line(p) + "\u{1B}[K" : Self.line(p) + "\n")
        case .finished, .interrupted, .failed:
            if tty { out.write("\n") }
        case .prediction:
            break
        }
    }

    static func line(_ p: EvalProgress) -> String {
        let width = 24
        let filled = p.pending == 0 ? width : width * p.done / p.pending
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let accuracy = p.done == 0 ? 0 : 100 * Double(p.correct) / Double(p.done)
        let eta = p.done == 0 ? 0 : p.elapsed / Double(p.done) * Double(p.pending - p.done)
        let rate = p.elapsed > 0 ? Double(p.tokensGenerated) / p.elapsed : 0
        return String(format: "[%@] %d/%d  acc %.1f%%  %.0f tok/s  elapsed %@  ETA %@",
                      bar, p.done, p.pending, accuracy, rate, duration(p.elapsed), duration(eta))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s % 3600 / 60)
            : s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : "\(s)s"
    }
}
