// Tokens produced by the lexer.
//
// Keywords are NOT a token kind: words like `run`, `steps` and `accuracy` are keywords in one place
// and field names in another, so the parser decides by context (see `Token.isKeyword`).

/// What a token is. Bare words keep their raw spelling; the parser decides whether a word is a
/// keyword, a field, a number or a text value.
enum TokenKind: Equatable {
    /// A run of word characters: letters, digits and `_ - + . / : * ? [ ]`.
    case word(String)
    /// A quoted string, escapes already resolved.
    case string(String)
    /// Punctuation or an operator: `( ) , = != < <= > >= ~`.
    case symbol(String)
    /// End of one statement: a `;` or the end of the input.
    case end
}

struct Token: Equatable {
    let kind: TokenKind
    /// The exact source text (quotes included for strings); used in error messages.
    let text: String
    /// 1-based position of the first character, counted in Characters.
    let line: Int
    let column: Int
    /// Length in Characters (at least 1, so a caret always shows).
    let length: Int

    /// Case-insensitive keyword test; quoted strings are never keywords, so `"and"` is a value.
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let w) = kind { return w.lowercased() == keyword }
        return false
    }

    func isSymbol(_ symbol: String) -> Bool { kind == .symbol(symbol) }

    var isEnd: Bool { kind == .end }

    /// How the token is quoted in messages: "`where`", or "end of input".
    var described: String {
        if isEnd { return text == ";" ? "`;`" : "end of input" }
        return "`\(text)`"
    }
}
