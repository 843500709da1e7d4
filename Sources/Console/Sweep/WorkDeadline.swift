import Dispatch
import Foundation

/// The time limit of `ftlab work --for DURATION`. At the deadline it asks the running run to
/// stop as Ctrl-C does (a training after its next checkpoint, an evaluation after its current
/// batch, its answers kept), and keeps asking every second after, so a run that starts in the
/// moment between a check and its own reset of the flag is stopped too.
public final class WorkDeadline: @unchecked Sendable {
    let date: Date
    private let timer: DispatchSourceTimer

    init(_ date: Date) {
        self.date = date
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(wallDeadline: .now() + max(0, date.timeIntervalSinceNow), repeating: 1)
        timer.setEventHandler { SignalHandling.requestStopOfRun() }
        timer.resume()
    }

    /// True once the deadline has come.
    var passed: Bool { Date() >= date }

    /// Seconds left (never negative).
    var secondsLeft: Double { max(0, date.timeIntervalSinceNow) }

    /// Stops the timer and clears a stop request it may have left for no run.
    func cancel() {
        timer.cancel()
        if passed { SignalHandling.reset() }
    }

    /// `90m`, `2h`, `2h30m`, `1.5h`, `45s` or plain seconds (`5400`), as seconds; nil otherwise.
    public static func parseDuration(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let seconds = Double(s) { return seconds > 0 ? seconds : nil }
        var total = 0.0, number = "", units: [Character] = []
        for c in s {
            if c.isNumber || c == "." { number.append(c); continue }
            let scale: Double
            switch c {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            default: return nil
            }
            // Each unit once, largest first: 2h30m, not 30m2h or 1h1h.
            guard let value = Double(number), !units.contains(c), units.allSatisfy({ Self.order($0) < Self.order(c) }) else { return nil }
            total += value * scale
            units.append(c)
            number = ""
        }
        guard number.isEmpty, !units.isEmpty, total > 0 else { return nil }
        return total
    }

    private static func order(_ unit: Character) -> Int { unit == "h" ? 0 : unit == "m" ? 1 : 2 }
}
