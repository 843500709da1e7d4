// Recursive-descent parser: tokens of one statement → `Command`.
//
// Fields are resolved against the catalog and literals are typed for their field here, while the
// token positions are still at hand, so every user mistake gets a line/column and a caret.
// Keywords are contextual (`steps` is a source and a runs field, `run` a keyword and a field), so the
// parser only treats a word as a keyword where a keyword can appear.

public enum QueryParser {
    /// Parses `text` into commands. Statements are separated by `;` (a `;` inside quotes is text);
    /// empty statements are ignored. `line` is the line number reported in errors, so a script can
    /// pass the number of the line it is parsing.
    public static func parse(_ text: String, line: Int = 1) throws -> [Command] {
        var lexer = Lexer(text, line: line)
        var commands: [Command] = []
        var statement: [Token] = []
        for token in try lexer.tokenize() {
            guard token.isEnd else {
                statement.append(token)
                continue
            }
            if !statement.isEmpty {
                // The terminating `;` (or end of input) stays as the statement's end token, so
                // "expected …, got `;`" points at the right place.
                var parser = StatementParser(tokens: statement + [token], firstLine: line)
                commands.append(try parser.parseStatement())
            }
            statement = []
        }
        return commands
    }
}

struct StatementParser {
    let tokens: [Token]
    private(set) var position = 0
    let firstLine: Int
    /// Parentheses and `not`s open around the expression being parsed. Bounded, so that no input
    /// can exhaust the stack of this recursive-descent parser (or of the compiler and the
    /// expression tree's destruction after it).
    private var depth = 0
    static let maxNestingDepth = 256
    /// Comparisons in the statement: `and`/`or` chains build left-deep trees, which the compiler
    /// walks recursively, so their length is bounded too.
    private var conditions = 0
    static let maxConditions = 4096

    /// Words that structure a statement; seeing one where a field belongs means a field is missing
    /// rather than misspelt.
    private static let structuralKeywords: Set<String> = [
        "select", "from", "where", "order", "by", "limit", "and", "or", "not", "in", "asc", "desc",
    ]

    init(tokens: [Token], firstLine: Int) {
        self.tokens = tokens
        self.firstLine = firstLine
    }

    // MARK: Statements

    mutating func parseStatement() throws -> Command {
        let first = current
        guard case .word(let word) = first.kind else {
            throw error("expected a source (\(Self.sourceList)), `show run N`, `accuracy by …` or `count by …`, got \(first.described)", first)
        }
        switch word.lowercased() {
        case "show":
            advance()
            try expectKeyword("run", after: "`show`")
            let id = try positiveInteger("run id")
            try expectEnd("end of statement after `show run \(id)`")
            return .showRun(id)
        case "accuracy", "count":
            return .pivot(try parsePivot())
        case "eval":
            return .eval(try parseEval())
        case "train":
            return .train(try parseTrain())
        case "sweep":
            return try parseSweep()
        case "resume":
            advance()
            try expectKeyword("run", after: "`resume`")
            let id = try positiveInteger("run id")
            try expectEnd("end of statement after `resume run \(id)`")
            return .resume(id)
        case "report":
            return .report(try parseReport())
        case "compare":
            return .report(try parseCompare())
        case "import":
            return .importRuns(try parseImport())
        case "cancel":
            return .cancel(try parseCancel())
        case "select":
            return .query(try parseSelectFirst())
        default:
            guard let source = Source(rawValue: word.lowercased()) else {
                let candidates = Source.allCases.map(\.rawValue) + ["show", "accuracy", "count", "select", "eval", "train", "sweep", "resume", "import", "cancel"]
                let hint = Suggestions.hint(word, among: candidates)
                throw error("unknown source `\(word)`" + (hint.isEmpty ? " (expected \(Self.sourceList), `show run N`, `accuracy by …` or `count by …`)" : hint), first)
            }
            advance()
            return .query(try parseQuery(source: source, select: nil))
        }
    }

    private static let sourceList = Source.allCases.map(\.rawValue).joined(separator: ", ")

    /// The clauses after the source, in any order, each at most once. `select` is given when the
    /// statement started `select … from`.
    private mutating func parseQuery(source: Source, select preselected: [String]?) throws -> Query {
        var runFilter: Expr?
        if source == .predictions, current.isKeyword("of") {
            // `predictions of run N …` is `predictions where run = N and (…)`.
            advance()
            try expectKeyword("run", after: "`of`")
            let id = try positiveInteger("run id")
            runFilter = .compare(field: "run", op: .eq, value: .integer(Int64(id)))
        }
        var select = preselected
        var filter: Expr?
        var order: [OrderKey]?
        var limit: Int?
        var seen: Set<String> = preselected == nil ? [] : ["select"]
        var afterExpression = false
        while !current.isEnd {
            let keyword = current
            guard case .word(let word) = keyword.kind,
                  ["select", "where", "order", "limit"].contains(word.lowercased()) else {
                let more = afterExpression ? "`and`, `or`, " : ""
                throw error("expected \(more)`select`, `where`, `order by`, `limit` or end of statement, got \(keyword.described)", keyword)
            }
            let clause = word.lowercased()
            guard seen.insert(clause).inserted else {
                throw error("duplicate `\(clause)` clause", keyword)
            }
            advance()
            afterExpression = false
            switch clause {
            case "select":
                select = try fieldList(source, allowStar: true).map(\.field.name)
            case "where":
                filter = try parseOr(source)
                afterExpression = true
            case "order":
                try expectKeyword("by", after: "`order`")
                order = try orderKeys(source)
            default:
                limit = try positiveInteger("limit")
            }
        }
        let combined: Expr?
        switch (runFilter, filter) {
        case let (run?, user?): combined = .and(run, user)
        case let (run?, nil): combined = run
        default: combined = filter
        }
        return Query(source: source, select: select, filter: combined, order: order ?? [], limit: limit)
    }

    /// `select f1, f2 from source …`: the field list is resolved once the source is known.
    private mutating func parseSelectFirst() throws -> Query {
        advance()  // select
        var fieldTokens: [Token] = []
        var star = false
        if current.kind == .word("*") {
            advance()
            star = true
        } else {
            repeat {
                let token = current
                guard case .word(let w) = token.kind,
                      !Self.structuralKeywords.contains(w.lowercased()) else {
                    throw error("expected a field name, got \(token.described)", token)
                }
                advance()
                fieldTokens.append(token)
            } while consumeSymbol(",")
        }
        try expectKeyword("from", after: "the select list")
        let sourceToken = current
        guard case .word(let w) = sourceToken.kind, let source = Source(rawValue: w.lowercased()) else {
            let hint = Suggestions.hint(sourceToken.text, among: Source.allCases.map(\.rawValue))
            throw error(sourceToken.kind.isWord
                        ? "unknown source `\(sourceToken.text)`" + hint
                        : "expected a source (\(Self.sourceList)), got \(sourceToken.described)", sourceToken)
        }
        advance()
        let names = star
            ? FieldCatalog.fields(for: source).map(\.name)
            : try fieldTokens.map { try resolveField($0, in: source).name }
        return try parseQuery(source: source, select: names)
    }

    /// `accuracy by f1, f2 [where …]` / `count by …`, always over runs.
    private mutating func parsePivot() throws -> Pivot {
        let metricToken = advance()
        let metric = PivotMetric(rawValue: metricToken.text.lowercased())!
        try expectKeyword("by", after: "`\(metric.rawValue)`")
        let groups = try fieldList(.runs, allowStar: false)
        // The result already has a column `n` (runs per group); grouping by the runs field `n`
        // would give two columns of that name and make `GROUP BY "n"` ambiguous.
        if let clash = groups.first(where: { $0.field.name == "n" }) {
            throw error("cannot pivot by `n`: the pivot's own `n` column counts the runs in each group", clash.token)
        }
        var filter: Expr?
        if current.isKeyword("where") {
            advance()
            filter = try parseOr(.runs)
            try expectEnd("`and`, `or` or end of statement")
        } else {
            try expectEnd("`,`, `where` or end of statement")
        }
        return Pivot(metric: metric, by: groups.map(\.field.name), filter: filter)
    }

    // MARK: Field lists

    private mutating func fieldList(_ source: Source, allowStar: Bool) throws -> [(field: Field, token: Token)] {
        if allowStar, current.kind == .word("*") {
            advance()
            return FieldCatalog.fields(for: source).map { ($0, current) }
        }
        var fields: [(field: Field, token: Token)] = []
        repeat {
            let token = current
            fields.append((try fieldName(source), token))
        } while consumeSymbol(",")
        return fields
    }

    private mutating func orderKeys(_ source: Source) throws -> [OrderKey] {
        var keys: [OrderKey] = []
        repeat {
            let field = try fieldName(source)
            var descending = false
            if current.isKeyword("desc") {
                descending = true
                advance()
            } else if current.isKeyword("asc") {
                advance()
            }
            keys.append(OrderKey(field: field.name, descending: descending))
        } while consumeSymbol(",")
        return keys
    }

    /// Consumes a field name and resolves it against the source's catalog.
    private mutating func fieldName(_ source: Source) throws -> Field {
        let token = current
        guard case .word(let w) = token.kind else {
            throw error("expected a field name, got \(token.described)", token)
        }
        if FieldCatalog.field(named: w, in: source) == nil, Self.structuralKeywords.contains(w.lowercased()) {
            throw error("expected a field name, got \(token.described)", token)
        }
        advance()
        return try resolveField(token, in: source)
    }

    private func resolveField(_ token: Token, in source: Source) throws -> Field {
        if let field = FieldCatalog.field(named: token.text, in: source) { return field }
        let hint = Suggestions.hint(token.text, among: FieldCatalog.fields(for: source).map(\.name))
        throw error("unknown field `\(token.text)` for \(source.rawValue)" + hint, token)
    }

    // MARK: Expressions (or < and < not < comparison)

    mutating func parseOr(_ source: Source) throws -> Expr {
        var left = try parseAnd(source)
        while current.isKeyword("or") {
            advance()
            left = .or(left, try parseAnd(source))
        }
        return left
    }

    private mutating func parseAnd(_ source: Source) throws -> Expr {
        var left = try parseNot(source)
        while current.isKeyword("and") {
            advance()
            left = .and(left, try parseNot(source))
        }
        return left
    }

    private mutating func parseNot(_ source: Source) throws -> Expr {
        if current.isKeyword("not") {
            try enter(current)
            defer { depth -= 1 }
            advance()
            return .not(try parseNot(source))
        }
        return try parsePrimary(source)
    }

    /// One more level of nesting at `token`, or a "nesting too deep" error pointing at it.
    private mutating func enter(_ token: Token) throws {
        depth += 1
        if depth > Self.maxNestingDepth {
            throw error("nesting too deep: more than \(Self.maxNestingDepth) levels of parentheses and `not`", token)
        }
    }

    private mutating func parsePrimary(_ source: Source) throws -> Expr {
        if current.isSymbol("(") {
            try enter(current)
            defer { depth -= 1 }
            let open = advance()
            let inner = try parseOr(source)
            guard current.isSymbol(")") else {
                throw error("expected `)` to close the `(` at \(open.line):\(open.column), got \(current.described)", current)
            }
            advance()
            return inner
        }
        return try parseComparison(source)
    }

    private mutating func parseComparison(_ source: Source) throws -> Expr {
        conditions += 1
        if conditions > Self.maxConditions {
            throw error("too many conditions: more than \(Self.maxConditions) in one statement", current)
        }
        let field = try fieldName(source)
        let opToken = current
        if case .symbol(let s) = opToken.kind, let op = CompareOp(rawValue: s) {
            advance()
            return .compare(field: field.name, op: op, value: try value(for: field, op: op))
        }
        if opToken.isKeyword("in") {
            advance()
            return .isIn(field: field.name, values: try valueList(for: field), negated: false)
        }
        if opToken.isKeyword("not"), tokens[position + 1].isKeyword("in") {
            advance()
            advance()
            return .isIn(field: field.name, values: try valueList(for: field), negated: true)
        }
        throw error("expected an operator (=, !=, <, <=, >, >=, ~, in, not in) after `\(field.name)`, got \(opToken.described)", opToken)
    }

    /// `(v1, v2, …)` after `in` / `not in`.
    private mutating func valueList(for field: Field) throws -> [SQLValue] {
        guard current.isSymbol("(") else {
            throw error("expected `(` to start the list, got \(current.described)", current)
        }
        advance()
        var values: [SQLValue] = []
        repeat {
            // SQL's `x IN (NULL)` never matches anything; say so instead of silently returning nothing.
            if current.isKeyword("null") {
                throw error("`null` cannot appear in an `in` list; use `\(field.name) = null`", current)
            }
            values.append(try value(for: field, op: .eq))
        } while consumeSymbol(",")
        guard current.isSymbol(")") else {
            throw error("expected `,` or `)` in the list, got \(current.described)", current)
        }
        advance()
        return values
    }

    /// One literal, typed for `field`:
    /// - `~` patterns are always text, for any field, and skip the allowed-values check;
    /// - text fields take numbers as text, spelt as typed (`task = 123` binds "123");
    /// - numeric fields take numbers (quoted or not); real fields always bind reals;
    /// - fields with allowed values accept them case-insensitively and bind the canonical spelling.
    private mutating func value(for field: Field, op: CompareOp) throws -> SQLValue {
        let token = current
        let text: String
        let quoted: Bool
        switch token.kind {
        case .word(let w):
            text = w
            quoted = false
            if w.lowercased() == "null" {
                guard op == .eq || op == .ne else {
                    throw error("`null` can only be compared with = or !=", token)
                }
                advance()
                return .null
            }
        case .string(let s):
            text = s
            quoted = true
        default:
            throw error("expected a value after `\(field.name) \(op.rawValue)`, got \(token.described)", token)
        }
        advance()
        if op == .glob { return .text(text) }
        switch field.type {
        case .text:
            guard let allowed = field.allowedValues else { return .text(text) }
            if let match = allowed.first(where: { $0 == text.lowercased() }) { return .text(match) }
            let hint = Suggestions.hint(text, among: allowed)
            throw error("unknown \(field.name) `\(text)`" + (hint.isEmpty ? " (expected one of \(allowed.joined(separator: ", ")))" : hint), token)
        case .integer, .real:
            if let number = NumberLiteral.parse(text) {
                switch (field.type, number) {
                case (.real, .integer(let n)): return .real(Double(n))
                default: return number.sqlValue
                }
            }
            if !quoted, NumberLiteral.looksNumeric(text) {
                throw error("bad number `\(text)`", token)
            }
            throw error("`\(field.name)` is a number, got text `\(text)`", token)
        }
    }

    // MARK: Token helpers

    var current: Token { tokens[position] }

    /// Moves past the current token; the final end token is never passed.
    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[position]
        if !token.isEnd { position += 1 }
        return token
    }

    mutating func consumeSymbol(_ symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    mutating func expectKeyword(_ keyword: String, after context: String) throws {
        guard current.isKeyword(keyword) else {
            throw error("expected `\(keyword)` after \(context), got \(current.described)", current)
        }
        advance()
    }

    func expectEnd(_ expected: String) throws {
        guard current.isEnd else { throw error("expected \(expected), got \(current.described)", current) }
    }

    /// A positive integer that fits in `Int` (limits and run ids).
    mutating func positiveInteger(_ what: String) throws -> Int {
        let token = current
        if case .word(let w) = token.kind, case .integer(let n)? = NumberLiteral.parse(w), n > 0 {
            advance()
            return Int(n)
        }
        throw error("\(what) must be a positive integer, got \(token.described)", token)
    }

    func error(_ message: String, _ token: Token) -> QueryError {
        QueryError(message, at: token, firstLine: firstLine)
    }
}

extension TokenKind {
    var isWord: Bool {
        if case .word = self { return true }
        return false
    }
}
