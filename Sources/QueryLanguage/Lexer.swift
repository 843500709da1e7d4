// Splits input text into tokens, tracking 1-based line/column in Characters (not bytes, so an
// `é` or a tab counts as one column and carets line up with what the user typed).

struct Lexer {
    private let chars: [Character]
    private var index = 0
    private var line: Int
    private var column = 1
    private let firstLine: Int

    init(_ text: String, line: Int = 1) {
        chars = Array(text)
        self.line = line
        firstLine = line
    }

    /// Characters a bare word may contain. Besides letters and digits: `_ - . / :` for names like
    /// `qwen2.5-coder-0.5b-instruct`, `+` for exponents like `2e+4`, and the glob characters
    /// `* ? [ ]` for `~` patterns.
    static func isWordCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || "_-./:+*?[]".contains(c)
    }

    /// All tokens; each `;` becomes an `.end` token and one final `.end` marks the end of input.
    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        while let c = peek() {
            if c.isWhitespace {
                advance()
                continue
            }
            let startLine = line, startColumn = column, start = index
            func token(_ kind: TokenKind) -> Token {
                Token(kind: kind, text: String(chars[start..<index]), line: startLine,
                      column: startColumn, length: index - start)
            }
            if c == ";" {
                advance()
                tokens.append(token(.end))
            } else if c == "'" || c == "\"" {
                let value = try lexString(quote: c)
                tokens.append(token(.string(value)))
            } else if Lexer.isWordCharacter(c) {
                while let w = peek(), Lexer.isWordCharacter(w) { advance() }
                tokens.append(token(.word(String(chars[start..<index]))))
            } else if "(),=~".contains(c) {
                advance()
                tokens.append(token(.symbol(String(c))))
            } else if c == "<" || c == ">" || c == "!" {
                advance()
                if peek() == "=" {
                    advance()
                } else if c == "!" {
                    throw QueryError(message: "unexpected character `!` (did you mean `!=`?)",
                                     line: startLine, column: startColumn, length: 1,
                                     firstLine: firstLine)
                }
                tokens.append(token(.symbol(String(chars[start..<index]))))
            } else {
                throw QueryError(message: "unexpected character `\(c)`", line: startLine,
                                 column: startColumn, length: 1, firstLine: firstLine)
            }
        }
        // The end-of-input token sits just after the last token, where the missing part belongs.
        let endLine = tokens.last?.line ?? firstLine
        let endColumn = tokens.last.map { $0.column + $0.length } ?? 1
        tokens.append(Token(kind: .end, text: "", line: endLine, column: endColumn, length: 1))
        return tokens
    }

    /// A quoted string: `'…'` or `"…"`. The quote is escaped by doubling it (`'it''s'`) or with a
    /// backslash; `\\`, `\n`, `\t` are recognised and any other backslash is kept literally so that
    /// paths like "C:\data" survive. A string may not span lines.
    private mutating func lexString(quote: Character) throws -> String {
        let startLine = line, startColumn = column
        advance()  // opening quote
        var value = ""
        while let c = peek(), !c.isNewline {
            advance()
            if c == quote {
                if peek() == quote {
                    advance()
                    value.append(quote)
                    continue
                }
                return value
            }
            if c == "\\", let next = peek(), !next.isNewline {
                advance()
                switch next {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "\\", "'", "\"": value.append(next)
                default: value.append("\\"); value.append(next)
                }
                continue
            }
            value.append(c)
        }
        // The caret spans from the opening quote to the end of the line.
        throw QueryError(message: "unterminated string", line: startLine, column: startColumn,
                         length: column - startColumn, firstLine: firstLine)
    }

    private func peek() -> Character? { index < chars.count ? chars[index] : nil }

    private mutating func advance() {
        let c = chars[index]
        index += 1
        if c.isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }
}
