import QueryLanguage

/// Tab completion inside `report …` and `compare …`. Returns nil once the statement reaches its
/// `where` clause, where the ordinary runs-field completion applies.
extension Session {
    static let reportStarters = ["report", "compare"]

    func reportCompletions(words: [String], word: String) -> [String]? {
        guard let first = words.first, Self.reportStarters.contains(first) else { return nil }
        let last = words.last ?? ""
        if last == "to" { return Self.files(matching: word) }
        if last == "format" { return ReportStudy.Format.allCases.map(\.rawValue) }
        if last == "run" { return (try? store.distinctValues(column: "id", of: "q_runs", limit: 200)) ?? [] }
        if first == "compare" {
            switch words.count {
            case 1: return ["run"]
            case 3: return ["with"]
            case 4: return ["run"]
            default: return []
            }
        }
        if words.count == 1 { return ReportStudy.Kind.allCases.map(\.rawValue) + ["run"] }
        if words.count == 2, ReportStudy.Kind(rawValue: words[1]) != nil { return ["where", "to", "format"] }
        if words.contains("where") { return nil }
        return []
    }
}
