import QueryLanguage
import Store

// `cancel run N …` / `cancel runs where …`: the runs leave the work queue (workers never claim a
// cancelled run) and stay in the database with the reason, for the record and for reports.
extension Session {
    func runCancel(_ command: CancelCommand) throws {
        // A run left `running` by a worker that is gone is interrupted, so it can be cancelled.
        _ = try store.markStaleRunsInterrupted(host: ProcessProbe.host, isAlive: ProcessProbe.isAlive)
        let ids: [Int64]
        let selected: Bool
        switch command.target {
        case .runs(let list):
            ids = list.map(Int64.init)
            selected = false
        case .matching(let filter):
            let table = try select(QueryCompiler.compileSelection(filter))
            ids = table.rows.compactMap { row in
                if case .integer(let id)? = row.first { return id }
                return nil
            }
            selected = true
        }
        let outcome = try store.cancelRuns(ids, reason: command.reason)
        emit(Self.describe(outcome, selected: selected, matched: ids.count))
    }

    /// One line per kind of result; a selection reports the runs it left alone by status only
    /// (`cancel runs where seed = 1` matches finished runs too, which is expected).
    static func describe(_ outcome: CancelOutcome, selected: Bool, matched: Int) -> String {
        var lines: [String] = []
        if selected && matched == 0 { return "no run matches: nothing cancelled\n" }
        if outcome.cancelled.isEmpty && outcome.cancelledChildren.isEmpty {
            lines.append("nothing cancelled")
        } else {
            var line = "cancelled \(plural(outcome.cancelled.count, "run")) (\(idList(outcome.cancelled)))"
            if !outcome.cancelledChildren.isEmpty {
                line += " and \(plural(outcome.cancelledChildren.count, "evaluation")) of cancelled trainings (\(idList(outcome.cancelledChildren)))"
            }
            lines.append(line)
        }
        if selected {
            let counts = Dictionary(grouping: outcome.skipped, by: \.status).mapValues(\.count)
            if !counts.isEmpty {
                lines.append("left alone: " + RunStatus.allCases.compactMap { status in
                    counts[status].map { "\($0) \(status == .running ? "running" : "already \(status.rawValue)")" }
                }.joined(separator: ", "))
            }
        } else {
            for s in outcome.skipped { lines.append("run \(s.id) left alone: \(s.why)") }
        }
        if !outcome.missing.isEmpty { lines.append("no run with id \(idList(outcome.missing))") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
