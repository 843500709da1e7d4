// Number literals: `3`, `-2`, `0.1`, `2e-4`, `.5`, `+1.5E3`.
//
// The lexer cannot tell `0.5` from `qwen2.5` or `1e` from `1e-4` until it has the whole word, so it
// emits words and this decides. Validation is by hand because Swift's `Double("…")` also accepts
// `inf`, `nan` and hex floats, which are not numbers in this language.

enum NumberLiteral {
    case integer(Int64)
    case real(Double)

    /// Parses a complete number literal, or returns nil.
    static func parse(_ text: String) -> NumberLiteral? {
        let c = Array(text)
        var i = 0
        if i < c.count, c[i] == "+" || c[i] == "-" { i += 1 }
        var digits = 0
        while i < c.count, c[i].isASCII, c[i].isNumber { i += 1; digits += 1 }
        var isInteger = true
        if i < c.count, c[i] == "." {
            isInteger = false
            i += 1
            while i < c.count, c[i].isASCII, c[i].isNumber { i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if i < c.count, c[i] == "e" || c[i] == "E" {
            isInteger = false
            i += 1
            if i < c.count, c[i] == "+" || c[i] == "-" { i += 1 }
            var exponentDigits = 0
            while i < c.count, c[i].isASCII, c[i].isNumber { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return nil }
        }
        guard i == c.count else { return nil }
        // An integer too large for Int64 is still a number; keep it as a real.
        if isInteger, let n = Int64(text) { return .integer(n) }
        return Double(text).map { .real($0) }
    }

    /// Whether a word was evidently meant as a number (`1.2.3`, `1e`, `-4x`): in a numeric context
    /// such a word is reported as a bad number rather than as text.
    static func looksNumeric(_ text: String) -> Bool {
        let c = Array(text)
        var i = 0
        if i < c.count, c[i] == "+" || c[i] == "-" { i += 1 }
        if i < c.count, c[i] == "." { i += 1 }
        return i < c.count && c[i].isASCII && c[i].isNumber
    }

    var sqlValue: SQLValue {
        switch self {
        case .integer(let n): return .integer(n)
        case .real(let x): return .real(x)
        }
    }
}
