import Experiments
import Foundation

/// Training progress on stderr: a redrawn bar on a terminal, one line every few steps otherwise.
final class TrainProgressPrinter: TrainSink {
    private let out: TextSink
    private let tty: Bool
    /// Without a terminal, print every this many steps (and the first and last).
    private let logEvery: Int

    init(out: TextSink, tty: Bool, logEvery: Int = 10) {
        self.out = out
        self.tty = tty
        self.logEvery = logEvery
    }

    func handle(_ event: TrainEvent) throws {
        switch event {
        case .started(let s):
            let resumed = s.firstStep > 0 ? ", resuming after step \(s.firstStep)" : ""
            var cut = ""
            if s.truncated > 0 || s.dropped > 0 {
                cut = "; \(s.truncated) truncated to \(s.spec.maxSequenceLength) tokens, \(s.dropped) dropped"
            }
            out.write("train \(s.model.key) on \(s.dataset.task)/\(s.dataset.split) with \(s.spec.method.rawValue): "
                      + "\(s.sequences) sequences, \(s.totalSteps) steps, \(Self.count(s.trainableParameters)) trainable parameters"
                      + "\(cut)\(resumed)\n")
        case .step(let p):
            if tty {
                out.write("\r" + Self.line(p) + "\u{1B}[K")
            } else if p.step == 1 || p.step == p.totalSteps || p.step % logEvery == 0 {
                out.write(Self.line(p) + "\n")
            }
        case .checkpoint(let c):
            if tty { out.write("\n") }
            out.write("checkpoint at step \(c.step): \(c.directory)\n")
        case .finished, .interrupted, .failed:
            if tty { out.write("\n") }
        }
    }

    static func line(_ p: TrainStepInfo) -> String {
        let width = 24
        let filled = p.totalSteps == 0 ? width : width * min(p.step, p.totalSteps) / p.totalSteps
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = p.elapsed > 0 ? Double(p.sessionTokens) / p.elapsed : 0
        let eta = p.sessionSteps > 0 ? p.elapsed / Double(p.sessionSteps) * Double(max(0, p.totalSteps - p.step)) : 0
        return String(format: "[%@] step %d/%d  loss %.4f  lr %.2e  grad %.3f  %.0f tok/s  elapsed %@  ETA %@",
                      bar, p.step, p.totalSteps, p.loss, p.learningRate, p.gradNorm, rate,
                      EvalProgressPrinter.duration(p.elapsed), EvalProgressPrinter.duration(eta))
    }

    static func count(_ n: Int) -> String {
        n >= 1_000_000 ? String(format: "%.1fM", Double(n) / 1e6) : n >= 1000 ? String(format: "%.1fk", Double(n) / 1e3) : "\(n)"
    }
}
