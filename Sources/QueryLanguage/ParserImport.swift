// `import lm-eval PATH [as MODEL]`. PATH is a bare word (`Tests/Fixtures/lm-eval`) or a quoted
// string (a path with spaces or other characters a word cannot hold).

extension StatementParser {
    mutating func parseImport() throws -> ImportCommand {
        advance()  // import
        let sourceToken = current
        let sources = ImportCommand.Source.allCases.map(\.rawValue)
        guard case .word(let word) = sourceToken.kind, let source = ImportCommand.Source(rawValue: word.lowercased()) else {
            let hint: String
            if case .word(let w) = sourceToken.kind { hint = Suggestions.hint(w, among: sources) } else { hint = "" }
            throw error("expected what to import (\(sources.joined(separator: ", "))), got \(sourceToken.described)" + hint, sourceToken)
        }
        advance()
        var command = ImportCommand(source: source, path: try name("a folder or results file after `\(source.rawValue)`"))
        if current.isKeyword("as") {
            advance()
            command.model = try name("a model key after `as`")
        }
        try expectEnd("`as MODEL` or end of statement after the path")
        return command
    }
}
