// `train MODEL on TASK with full|lora|dora [options] [then eval on TASK [eval options]]`.

extension StatementParser {
    static let trainOptions = ["split", "r", "alpha", "dropout", "targets", "rslora", "lr", "wd", "warmup",
                               "schedule", "epochs", "steps", "batch", "accum", "seq", "limit", "seed", "clip",
                               "freeze-embeddings", "fp32", "recompute", "checkpoint-every"]
    static let schedules = ["cosine", "linear", "constant"]

    mutating func parseTrain() throws -> TrainCommand {
        advance()  // train
        let model = try name("a model (catalog key or .gguf path) after `train`")
        try expectKeyword("on", after: "the model")
        let task = try name("a task after `on`")
        try expectKeyword("with", after: "the task")
        let methodToken = current
        guard case .word(let m) = methodToken.kind, let method = TrainCommand.Method(rawValue: m.lowercased()) else {
            throw error("expected a method (full, lora, dora) after `with`, got \(methodToken.described)", methodToken)
        }
        advance()
        var command = TrainCommand(model: model, task: task, method: method)
        var seen: [String: Token] = [:]
        while !current.isEnd && !current.isKeyword("then") {
            let token = current
            guard case .word(let word) = token.kind, Self.trainOptions.contains(word.lowercased()) else {
                let hint: String
                if case .word(let w) = token.kind { hint = Suggestions.hint(w, among: Self.trainOptions + ["then"]) } else { hint = "" }
                throw error("expected a train option (\(Self.trainOptions.joined(separator: ", "))), `then eval …` or end of statement, got \(token.described)" + hint, token)
            }
            let option = word.lowercased()
            guard seen[option] == nil else { throw error("duplicate `\(option)`", token) }
            seen[option] = token
            advance()
            switch option {
            case "split": command.split = try name("a split name after `split`")
            case "r": command.rank = try positiveInteger("r")
            case "alpha": command.alpha = try positiveNumber("alpha")
            case "dropout":
                let token = current
                let d = try number("dropout")
                guard d >= 0 && d < 1 else { throw error("dropout must lie in [0, 1), got \(d)", token) }
                command.dropout = d
            case "targets": command.targets = try targetList()
            case "rslora": command.rsLoRA = true
            case "lr": command.lr = try positiveNumber("lr")
            case "wd":
                let token = current
                let wd = try number("wd")
                guard wd >= 0 else { throw error("wd must be non-negative, got \(wd)", token) }
                command.weightDecay = wd
            case "warmup": command.warmup = try nonNegativeInteger("warmup")
            case "schedule":
                let token = current
                guard case .word(let s) = token.kind, Self.schedules.contains(s.lowercased()) else {
                    throw error("schedule must be one of \(Self.schedules.joined(separator: ", ")), got \(token.described)", token)
                }
                advance()
                command.schedule = s.lowercased()
            case "epochs": command.epochs = try positiveInteger("epochs")
            case "steps": command.steps = try positiveInteger("steps")
            case "batch": command.batch = try positiveInteger("batch")
            case "accum": command.accum = try positiveInteger("accum")
            case "seq": command.seq = try positiveInteger("seq")
            case "limit": command.limit = try positiveInteger("limit")
            case "seed": command.seed = try nonNegativeInteger("seed")
            case "clip": command.clip = try positiveNumber("clip")
            case "fp32": command.fp32 = true
            case "checkpoint-every": command.checkpointEvery = try positiveInteger("checkpoint-every")
            case "recompute":
                let token = current
                guard case .word(let w) = token.kind, ["on", "off"].contains(w.lowercased()) else {
                    throw error("recompute must be `on` or `off`, got \(token.described)", token)
                }
                advance()
                command.recompute = w.lowercased() == "on"
            default: command.freezeEmbeddings = true
            }
        }
        if let e = seen["epochs"], seen["steps"] != nil {
            throw error("give `epochs N` or `steps N`, not both", e)
        }
        if command.method == .full {
            for option in ["r", "alpha", "dropout", "targets", "rslora"] {
                if let token = seen[option] { throw error("`\(option)` applies to lora and dora, not full fine-tuning", token) }
            }
            if let token = seen["fp32"] {
                throw error("`fp32` applies to lora and dora (full fine-tuning always trains fp32 weights)", token)
            }
        } else if let token = seen["freeze-embeddings"] {
            throw error("`freeze-embeddings` applies to full fine-tuning (lora and dora freeze every base weight)", token)
        }
        // `then eval on A … then eval on B …`: the first evaluation is part of the training's
        // spec; the others are extra evaluations of the same tuned model.
        while current.isKeyword("then") {
            advance()
            try expectKeyword("eval", after: "`then`")
            try expectKeyword("on", after: "`then eval`")
            var eval = EvalCommand(model: "", task: try name("a task after `then eval on`"))
            try parseEvalOptions(into: &eval, stopAtThen: true)
            if command.thenEval == nil { command.thenEval = eval } else { command.moreEvals.append(eval) }
        }
        return command
    }

    /// `q,k,v,o` — comma-separated module names, at least one.
    private mutating func targetList() throws -> [String] {
        var names = [try name("a target module (q, k, v, o, gate, up, down) after `targets`")]
        while current.isSymbol(",") {
            advance()
            names.append(try name("a target module after `,`"))
        }
        return names
    }

    private mutating func number(_ what: String) throws -> Double {
        let token = current
        if case .word(let w) = token.kind, let literal = NumberLiteral.parse(w) {
            advance()
            switch literal {
            case .integer(let n): return Double(n)
            case .real(let x): return x
            }
        }
        throw error("\(what) must be a number, got \(token.described)", token)
    }

    private mutating func positiveNumber(_ what: String) throws -> Double {
        let token = current
        let x = try number(what)
        guard x > 0, x.isFinite else { throw error("\(what) must be positive, got \(token.described)", token) }
        return x
    }
}
