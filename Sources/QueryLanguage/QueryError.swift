// Errors with a source position, and their rendering with a caret under the offending token.

/// A query-language error. `line`/`column` are 1-based and count Characters (not bytes);
/// `length` is the offending token's length in Characters. Errors raised by the compiler for
/// hand-built ASTs have no position: line, column and length are all 0.
public struct QueryError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int
    public let length: Int
    /// The line number that the first line of the parsed text was given (`parse(_:line:)`), so that
    /// `rendered(source:)` can find the right line in a multi-line source. Rendering metadata only:
    /// it takes no part in equality.
    let firstLine: Int

    public init(message: String, line: Int, column: Int, length: Int) {
        self.init(message: message, line: line, column: column, length: length, firstLine: 1)
    }

    init(message: String, line: Int, column: Int, length: Int, firstLine: Int) {
        self.message = message
        self.line = line
        self.column = column
        self.length = length
        self.firstLine = firstLine
    }

    /// An error pointing at a token.
    init(_ message: String, at token: Token, firstLine: Int) {
        self.init(message: message, line: token.line, column: token.column,
                  length: max(token.length, 1), firstLine: firstLine)
    }

    /// An error without a position (compiler checks on hand-built queries).
    init(unpositioned message: String) {
        self.init(message: message, line: 0, column: 0, length: 0, firstLine: 1)
    }

    public static func == (a: QueryError, b: QueryError) -> Bool {
        a.message == b.message && a.line == b.line && a.column == b.column && a.length == b.length
    }

    public var description: String {
        line > 0 ? "\(line):\(column): \(message)" : message
    }

    /// Renders the error as:
    ///
    ///     error: unknown field `acuracy` for runs (did you mean `accuracy`?)
    ///      --> 1:12
    ///       runs where acuracy > 0.1
    ///                  ^~~~~~~
    ///
    /// `source` is the text that was parsed; `origin` (e.g. a script name) prefixes the location.
    /// The caret prefix copies tabs from the echoed line so the caret stays aligned in a terminal.
    public func rendered(source: String, origin: String? = nil) -> String {
        var out = "error: \(message)"
        guard line > 0, column > 0 else {
            if let origin { out += "\n --> \(origin)" }
            return out
        }
        out += "\n --> " + (origin.map { "\($0):" } ?? "") + "\(line):\(column)"
        // Character.isNewline treats "\r\n" as one separator, so Windows line ends are fine.
        let lines = source.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline })
        let index = line - firstLine
        guard lines.indices.contains(index) else { return out }
        let echoed = lines[index]
        var prefix = ""
        for ch in echoed.prefix(column - 1) { prefix.append(ch == "\t" ? "\t" : " ") }
        // An end-of-input error points one past the last character.
        while prefix.count < column - 1 { prefix.append(" ") }
        out += "\n  " + echoed
        out += "\n  " + prefix + "^" + String(repeating: "~", count: max(length, 1) - 1)
        return out
    }
}
