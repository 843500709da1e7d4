// `cancel run 15, 17 because 'dropped seed 1'` / `cancel runs where sweep = 3 and seed = 1`.

extension StatementParser {
    mutating func parseCancel() throws -> CancelCommand {
        advance()  // cancel
        let what = current
        let target: CancelCommand.Target
        if what.isKeyword("run") {
            advance()
            var ids: [Int] = []
            repeat { ids.append(try positiveInteger("run id")) } while consumeSymbol(",")
            target = .runs(ids)
        } else if what.isKeyword("runs") {
            advance()
            guard current.isKeyword("where") else {
                // Cancelling every run by accident is too easy to type; the condition is required.
                throw error("expected `where …` after `cancel runs` (to cancel every queued run, say so: `cancel runs where status = queued`), got \(current.described)", current)
            }
            advance()
            target = .matching(try parseOr(.runs))
        } else {
            throw error("expected `run N` or `runs where …` after `cancel`, got \(what.described)", what)
        }
        var command = CancelCommand(target: target)
        if current.isKeyword("because") {
            advance()
            guard case .string(let text) = current.kind else {
                throw error("expected a quoted reason after `because`, got \(current.described)", current)
            }
            let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            guard !trimmed.isEmpty else { throw error("the reason after `because` is empty", current) }
            advance()
            command.reason = trimmed
        }
        try expectEnd("`,`, `because '…'` or end of statement")
        return command
    }
}
