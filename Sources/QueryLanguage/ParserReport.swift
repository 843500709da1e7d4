// `report …` and `compare …` statements. Kept in their own file (and behind one `Command` case) so
// other statements can be added beside them without touching this grammar.

extension StatementParser {
    static let reportKinds = ReportStudy.Kind.allCases.map(\.rawValue) + ["run"]
    /// Words these statements add to the language (for Tab completion).
    static let reportKeywords = ["report", "compare", "with", "to"] + reportKinds

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
        if current.isKeyword("where") {
            advance()
            let start = position
            study.filter = try parseOr(.runs)
            study.filterText = tokens[start..<position].map(\.text).joined(separator: " ")
        }
        if current.isKeyword("to") {
            advance()
            let token = current
            switch token.kind {
            case .word(let w), .string(let w):
                advance()
                study.directory = w
            default:
                throw error("expected a folder after `to`, got \(token.described)", token)
            }
        }
        let expected = study.directory != nil ? "end of statement after the folder"
            : study.filter != nil ? "`and`, `or`, `to` or end of statement" : "`where`, `to` or end of statement"
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
}
