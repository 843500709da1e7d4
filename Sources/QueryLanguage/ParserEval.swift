// `eval …` statements. Model and task are single words or quoted strings (a path with spaces).

extension StatementParser {
    static let evalOptions = ["split", "shots", "fixed", "chat", "limit", "seed", "max-tokens", "batch", "fp32"]

    mutating func parseEval() throws -> EvalCommand {
        advance()  // eval
        let model = try name("a model (catalog key or .gguf path) after `eval`")
        try expectKeyword("on", after: "the model")
        var command = EvalCommand(model: model, task: try name("a task after `on`"))
        try parseEvalOptions(into: &command)
        return command
    }

    /// The options after `eval … on TASK`, up to the end of the statement (or, after training,
    /// up to the next `then`).
    mutating func parseEvalOptions(into command: inout EvalCommand, stopAtThen: Bool = false) throws {
        var seen: Set<String> = []
        while !current.isEnd && !(stopAtThen && current.isKeyword("then")) {
            let token = current
            guard case .word(let word) = token.kind, Self.evalOptions.contains(word.lowercased()) else {
                let hint: String
                if case .word(let w) = token.kind { hint = Suggestions.hint(w, among: Self.evalOptions) } else { hint = "" }
                throw error("expected an eval option (\(Self.evalOptions.joined(separator: ", "))) or end of statement, got \(token.described)" + hint, token)
            }
            let option = word.lowercased()
            guard seen.insert(option).inserted else { throw error("duplicate `\(option)`", token) }
            advance()
            switch option {
            case "split": command.split = try name("a split name after `split`")
            case "shots": command.shots = try nonNegativeInteger("shots")
            case "fixed": command.fixed = true
            case "chat": command.chat = true
            case "limit": command.limit = try positiveInteger("limit")
            case "seed": command.seed = try nonNegativeInteger("seed")
            case "batch": command.batch = try positiveInteger("batch")
            case "fp32": command.fp32 = true
            default: command.maxTokens = try positiveInteger("max-tokens")
            }
        }
        if command.fixed && command.shots == 0 {
            throw error("`fixed` needs `shots K` with K > 0", tokens.first { $0.isKeyword("fixed") } ?? current)
        }
    }

    /// A bare word or a quoted string.
    mutating func name(_ expected: String) throws -> String {
        let token = current
        switch token.kind {
        case .word(let w), .string(let w):
            advance()
            return w
        default:
            throw error("expected \(expected), got \(token.described)", token)
        }
    }

    mutating func nonNegativeInteger(_ what: String) throws -> Int {
        let token = current
        if case .word(let w) = token.kind, case .integer(let n)? = NumberLiteral.parse(w), n >= 0, n <= Int64(Int32.max) {
            advance()
            return Int(n)
        }
        throw error("\(what) must be a non-negative integer, got \(token.described)", token)
    }
}
