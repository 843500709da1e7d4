import Foundation
import QueryLanguage
import Store

/// Tab completion: what can come next, given the words already typed. Dot-commands and their
/// arguments, sources, keywords, the fields of the source being queried, and values that exist
/// in the database (model names, tasks, run ids, …) after a comparison.
extension Session {
    public func completions(line: String, word: String, start: Int) -> [String] {
        let before = String(line.prefix(start))
        let words = before.split(whereSeparator: { " \t(),".contains($0) }).map { String($0).lowercased() }
        let candidates: [String]
        if before.trimmingCharacters(in: .whitespaces).isEmpty {
            candidates = Self.dotCommands + Source.allCases.map(\.rawValue) + ["show", "accuracy", "count", "select"]
                + Self.reportStarters + Self.runStarters
        } else if let first = words.first, first.hasPrefix(".") {
            candidates = dotArgumentCompletions(command: first, word: word)
        } else if let report = reportCompletions(words: words, word: word) {
            candidates = report
        } else if let run = runStatementCompletions(words: words, before: before) {
            candidates = run
        } else {
            candidates = queryCompletions(words: words, before: before)
        }
        let lowered = word.lowercased()
        var seen = Set<String>()
        return candidates.filter { $0.lowercased().hasPrefix(lowered) && seen.insert($0).inserted }
    }

    private func dotArgumentCompletions(command: String, word: String) -> [String] {
        switch command {
        case ".mode": return OutputMode.allCases.map(\.rawValue)
        case ".headers", ".timer", ".bail": return ["on", "off"]
        case ".sqllimit": return ["seconds", "rows", "bytes"]
        case ".help": return HelpText.topics
        case ".schema": return (try? store.tableNames()) ?? []
        case ".read", ".open", ".output", ".once": return Self.files(matching: word)
        default: return []
        }
    }

    private func queryCompletions(words: [String], before: String) -> [String] {
        let source = Self.source(of: words)
        let fields = FieldCatalog.fields(for: source).map(\.name)
        let last = words.last ?? ""
        let endsWithOperator = before.range(of: #"(=|!=|<|<=|>|>=|~|\bin\s*\(|,)\s*$"#, options: .regularExpression) != nil
        // A value after `field OP` or inside `field in (…`: offer what the database holds.
        if endsWithOperator, let field = Self.comparedField(in: before), fields.contains(field) {
            return (try? store.distinctValues(column: field, of: "q_" + source.rawValue, limit: 200)) ?? []
        }
        if ["where", "and", "or", "not", "by", "select", "order"].contains(last) || before.hasSuffix(",") {
            return last == "order" ? ["by"] : fields
        }
        return Vocabulary.keywords + fields + Source.allCases.map(\.rawValue)
    }

    /// The source a statement reads: its first word, or `runs` for pivots, `predictions of run`.
    static func source(of words: [String]) -> Source {
        if let first = words.first, let s = Source(rawValue: first) { return s }
        if words.count > 2, words[0] == "select", let i = words.firstIndex(of: "from"), i + 1 < words.count,
           let s = Source(rawValue: words[i + 1]) { return s }
        return .runs
    }

    /// In `… model = ` or `… method in (lora, ` the field is the word before the operator.
    static func comparedField(in before: String) -> String? {
        guard let r = before.range(of: #"([A-Za-z_][A-Za-z0-9_]*)\s*(=|!=|<=|>=|<|>|~|\s+in\s*\([^)]*)\s*$"#,
                                   options: .regularExpression) else { return nil }
        let clause = String(before[r])
        return clause.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" }).lowercased()
    }

    static func files(matching word: String) -> [String] {
        let dir = word.contains("/") ? String(word[..<word.lastIndex(of: "/")!]) + "/" : ""
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        return listing.sorted().map { dir + $0 }
    }
}
