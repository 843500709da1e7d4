// `report …` and `compare …` statements. Kept in their own file (and behind one `Command` case) so
// other statements can be added beside them without touching this grammar.

extension StatementParser {
    static let reportKinds = ReportStudy.Kind.allCases.map(\.rawValue) + ["run"]
    /// Words these statements add to the language (for Tab completion).
    static let reportKeywords = ["report", "compare", "with", "to", "format", "md", "latex", "all"] + reportKinds

    mutating func parseReport() throws -> ReportCommand {
        advance()  // report
        let kindToken = current
        guard case .word(let word) = kindToken.kind else {
            throw error("expected \(Self.reportKindList) after `report`, got \(kindToken.described)", kindToken)
        }
        if word.lowercased() == "run" {
            advance()
            let id = try positiveInteger("run id")
            try expectEnd("end of statement after `report run \(id)`")
            return .run(id)
        }
        guard let kind = ReportStudy.Kind(rawValue: word.lowercased()) else {
            let hint = Suggestions.hint(word, among: Self.reportKinds)
            throw error("unknown report `\(word)`" + (hint.isEmpty ? " (expected \(Self.reportKindList))" : hint), kindToken)
        }
        advance()
        var study = ReportStudy(kind: kind)
        var sawFormat = false
        if current.isKeyword("where") {
            advance()
            let start = position
            study.filter = try parseOr(.runs)
            study.filterText = Self.readable(tokens[start..<position])
        }
        // `to DIR` and `format F`, each at most once, in either order.
        while true {
            if study.directory == nil, current.isKeyword("to") {
                advance()
                let token = current
                switch token.kind {
                case .word(let w), .string(let w):
                    advance()
                    study.directory = w
                default:
                    throw error("expected a folder after `to`, got \(token.described)", token)
                }
            } else if !sawFormat, current.isKeyword("format") {
                advance()
                let token = current
                let formats = ReportStudy.Format.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                guard case .word(let w) = token.kind, let format = ReportStudy.Format(rawValue: w.lowercased()) else {
                    throw error("expected \(formats) after `format`, got \(token.described)", token)
                }
                advance()
                study.format = format
                sawFormat = true
            } else {
                break
            }
        }
        var clauses: [String] = []
        if study.filter != nil && study.directory == nil && !sawFormat { clauses += ["`and`", "`or`"] }
        if study.filter == nil && study.directory == nil && !sawFormat { clauses.append("`where`") }
        if study.directory == nil { clauses.append("`to`") }
        if !sawFormat { clauses.append("`format`") }
        let expected = clauses.isEmpty ? "end of statement" : clauses.joined(separator: ", ") + " or end of statement"
        try expectEnd(expected)
        return .study(study)
    }

    /// `compare run A with run B` (the second `run` may be left out).
    mutating func parseCompare() throws -> ReportCommand {
        advance()  // compare
        try expectKeyword("run", after: "`compare`")
        let a = try positiveInteger("run id")
        try expectKeyword("with", after: "`compare run \(a)`")
        if current.isKeyword("run") { advance() }
        let b = try positiveInteger("run id")
        try expectEnd("end of statement after `compare run \(a) with run \(b)`")
        return .compare(a, b)
    }

    private static var reportKindList: String {
        reportKinds.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// Tokens as a person writes them: spaced, but none inside parentheses or before a comma
    /// (`task in (gsm8k, piqa)`, not `task in ( gsm8k , piqa )`).
    static func readable(_ tokens: ArraySlice<Token>) -> String {
        var text = ""
        var previous: String?
        for token in tokens {
            if let previous, previous != "(", token.text != ")", token.text != "," { text += " " }
            text += token.text
            previous = token.text
        }
        return text
    }
}
