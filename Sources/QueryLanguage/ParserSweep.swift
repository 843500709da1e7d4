// `sweep …` (see SweepCommand) and `sweep status N`.

extension StatementParser {
    mutating func parseSweep() throws -> Command {
        let sweepToken = current
        advance()  // sweep
        if current.isKeyword("status") {
            advance()
            let id = try positiveInteger("sweep id")
            try expectEnd("end of statement after `sweep status \(id)`")
            return .sweepStatus(id)
        }
        let models = try list("a model (catalog key or .gguf path)")
        try expectKeyword("on", after: "the models")
        let taskToken = current
        _ = try name("a task after `on`")
        try expectKeyword("with", after: "the task")
        let methods = try list("a method (full, lora, dora, zero-shot, K-shot)")
        for m in methods {
            guard Self.sweepMethod(m.text) != nil else {
                throw error("expected a method (full, lora, dora, zero-shot or K-shot such as 5-shot), got \(m.described)", m)
            }
        }
        var lrs: [Token] = [], seeds: [Token] = [], rest: [Token] = [], thenClause: [Token] = []
        var sweepName: String?, slurm: String?
        while !current.isEnd {
            let token = current
            if token.isKeyword("lr") {
                advance()
                lrs = try list("a learning rate after `lr`")
            } else if token.isKeyword("seeds") || token.isKeyword("seed") {
                advance()
                seeds = try seedList()
            } else if token.isKeyword("name") {
                advance()
                sweepName = try name("a sweep name after `name`")
            } else if token.isKeyword("emit") {
                advance()
                try expectKeyword("slurm", after: "`emit`")
                slurm = try name("a folder after `emit slurm`")
                guard current.isEnd else { throw error("expected end of statement after `emit slurm \(slurm!)`", current) }
            } else if token.isKeyword("then") {
                while !current.isEnd && !current.isKeyword("emit") && !current.isKeyword("name") {
                    thenClause.append(current)
                    advance()
                }
            } else {
                rest.append(token)
                advance()
            }
        }
        let end = Token(kind: .end, text: "", line: current.line, column: current.column, length: 1)
        // Options after the lists are training options when the grid trains; in a grid of
        // evaluations only they are the evaluations' options.
        let trains = methods.contains { if case .train = Self.sweepMethod($0.text)! { return true } else { return false } }
        // `then eval on A … then eval on B …`: the first clause is the evaluation of every point;
        // each further clause is one more evaluation of every point — of the tuned model for a
        // training (its extra evaluations), of the untouched model with the point's prompting for
        // zero-shot and K-shot (so a forgetting probe on B has its baseline in the same sweep).
        var thenClauses: [[Token]] = []
        for token in thenClause {
            if token.isKeyword("then") { thenClauses.append([token]) } else { thenClauses[thenClauses.count - 1].append(token) }
        }
        let firstThen = thenClauses.first ?? []
        let evalOptions = (trains ? [] : rest) + (firstThen.count > 4 ? Array(firstThen[4...]) : [])
        for clause in thenClauses.dropFirst() where clause.count < 2 || !clause[1].isKeyword("eval") {
            let at = clause.count < 2 ? current : clause[1]
            throw error("expected `eval` after `then`, got \(at.described)", at)
        }

        var points: [Command] = []
        for model in models {
            for method in methods {
                let kind = Self.sweepMethod(method.text)!
                for lr in (lrs.isEmpty ? [nil] : lrs.map { Optional($0) }) {
                    for seed in (seeds.isEmpty ? [nil] : seeds.map { Optional($0) }) {
                        var tokens: [Token]
                        switch kind {
                        case .train:
                            tokens = [word("train", at: sweepToken), model, word("on", at: taskToken), taskToken,
                                      word("with", at: method), method]
                            if let lr { tokens += [word("lr", at: lr), lr] }
                            if let seed { tokens += [word("seed", at: seed), seed] }
                            tokens += rest + thenClause
                        case .eval(let shots):
                            // The evaluation clause's task and options, else the sweep's task.
                            let evalTask = firstThen.count >= 4 ? Array(firstThen[1...3]) : [word("eval", at: sweepToken), word("on", at: taskToken), taskToken]
                            tokens = evaluation(evalTask, model: model, method: method, shots: shots, seed: seed) + evalOptions
                        }
                        var statements = [tokens]
                        if case .eval(let shots) = kind {
                            for clause in thenClauses.dropFirst() {
                                statements.append(evaluation(Array(clause[1...]), model: model, method: method, shots: shots, seed: seed))
                            }
                        }
                        for tokens in statements {
                            var sub = StatementParser(tokens: tokens + [end], firstLine: firstLine)
                            let point = try sub.parseStatement()
                            if !points.contains(point) { points.append(point) }
                        }
                    }
                }
            }
        }
        return .sweep(SweepCommand(points: points, name: sweepName, slurmDirectory: slurm))
    }

    /// `eval MODEL on TASK [shots K fixed] [seed S] …` from a clause `eval on TASK …`: the
    /// clause's tokens after `eval on TASK` follow as the evaluation's options.
    private func evaluation(_ clause: [Token], model: Token, method: Token, shots: Int, seed: Token?) -> [Token] {
        var tokens = [clause[0], model] + Array(clause.dropFirst().prefix(2))
        if shots > 0 { tokens += [word("shots", at: method), word("\(shots)", at: method), word("fixed", at: method)] }
        if let seed, shots > 0 { tokens += [word("seed", at: seed), seed] }
        return tokens + Array(clause.dropFirst(3))
    }

    enum SweepMethod { case train, eval(shots: Int) }

    static func sweepMethod(_ text: String) -> SweepMethod? {
        let t = text.lowercased()
        if ["full", "lora", "dora"].contains(t) { return .train }
        if t == "zero-shot" || t == "zero_shot" { return .eval(shots: 0) }
        if t.hasSuffix("-shot"), let k = Int(t.dropLast(5)), k >= 0, k <= 64 { return .eval(shots: k) }
        return nil
    }

    /// `A, B, C` — at least one word.
    private mutating func list(_ expected: String) throws -> [Token] {
        var items: [Token] = []
        repeat {
            if !items.isEmpty { advance() }  // the comma
            let token = current
            guard case .word = token.kind else { throw error("expected \(expected), got \(token.described)", token) }
            items.append(token)
            advance()
        } while current.isSymbol(",")
        return items
    }

    /// `A..B` (inclusive) or `A, B, …`, as number tokens.
    private mutating func seedList() throws -> [Token] {
        let token = current
        if case .word(let w) = token.kind, w.contains("..") {
            let ends = w.split(separator: ".", omittingEmptySubsequences: true)
            guard ends.count == 2, let a = Int(ends[0]), let b = Int(ends[1]), a >= 0, b >= a, b - a < 1000 else {
                throw error("expected a seed range such as 0..2, got \(token.described)", token)
            }
            advance()
            return (a...b).map { word("\($0)", at: token) }
        }
        let items = try list("a seed")
        for s in items where Int(s.text) == nil || Int(s.text)! < 0 {
            throw error("a seed must be a non-negative integer, got \(s.described)", s)
        }
        return items
    }

    /// A synthesized word token placed at `at` (so errors point into the sweep statement).
    private func word(_ text: String, at: Token) -> Token {
        Token(kind: .word(text), text: text, line: at.line, column: at.column, length: at.length)
    }
}
