/// Numbers written as text: the canonical form golds are stored in, formatting of decoded JSON
/// numbers, and finding the numbers in a model's output. Everything works on the digits as
/// written (no Double round trip), so `0.1 + 0.2`-style artefacts and exponents never appear.
public enum NumberText {
    /// A number found in free text.
    public struct Token: Equatable, Sendable {
        /// As written, with any `$` or `-` prefix and thousands commas (`"$1,000"`, `"-3"`).
        public var text: String
        /// `canonical(text)`.
        public var value: String
    }

    /// Canonical text of a number, or nil if `text` is not one number.
    /// Accepts a sign, a `$`, thousands commas in groups of three, a trailing period and a
    /// percent sign: `"$1,000.50"` → `"1000.5"`, `"72.00"` → `"72"`, `".5"` → `"0.5"`,
    /// `"5."` → `"5"`, `"50%"` → `"50"`, `"-0"` → `"0"`. Exponents (`1e5`) are not numbers here.
    public static func canonical(_ text: String) -> String? {
        var s = Substring(text.trimmingWhitespace())
        if s.hasSuffix("%") { s = s.dropLast() }
        if s.hasSuffix(".") { s = s.dropLast() }
        var negative = false
        if s.hasPrefix("$") { s = s.dropFirst() }
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        if s.hasPrefix("$") { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        if parts.count > 1, fraction.isEmpty { return nil }            // "5." was handled above
        guard fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        if whole.contains(",") {
            let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count),
                  groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
            whole = groups.joined()
        }
        guard whole.allSatisfy(\.isASCIIDigit), !(whole.isEmpty && fraction.isEmpty) else { return nil }
        var intDigits = whole.drop(while: { $0 == "0" })
        if intDigits.isEmpty { intDigits = "0" }
        var fracDigits = Substring(fraction)
        while fracDigits.last == "0" { fracDigits = fracDigits.dropLast() }
        var out = String(intDigits)
        if !fracDigits.isEmpty { out += "." + fracDigits }
        return negative && out != "0" ? "-" + out : out
    }

    /// A decoded JSON number as canonical text, without exponent (`51.0` → `"51"`,
    /// `1e-05` → `"0.00001"`). Uses Swift's shortest round-trip digits.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]) {
            text = expand(mantissa: String(text[..<e]), exponent: exponent)
        }
        return canonical(text) ?? text
    }

    private static func expand(mantissa: String, exponent: Int) -> String {
        var m = Substring(mantissa)
        let negative = m.hasPrefix("-")
        if negative { m = m.dropFirst() }
        let parts = m.split(separator: ".", maxSplits: 1)
        let intPart = String(parts[0]), fracPart = parts.count > 1 ? String(parts[1]) : ""
        let digits = intPart + fracPart
        let point = intPart.count + exponent
        let body: String
        if point <= 0 { body = "0." + String(repeating: "0", count: -point) + digits }
        else if point >= digits.count { body = digits + String(repeating: "0", count: point - digits.count) }
        else { body = String(digits.prefix(point)) + "." + String(digits.dropFirst(point)) }
        return (negative ? "-" : "") + body
    }

    /// The numbers in free text, in order.
    ///
    /// Rules (chosen for grade-school answers, documented because they decide scores):
    /// - thousands commas only in groups of three (`1,000` is one number; `1,2,3` is three);
    /// - a period is a decimal point only when a digit follows (`is 5.` → `5`; `.5` → `.5`);
    /// - `$` directly before is kept; `-` directly before is a sign only when what precedes it
    ///   is not a letter or digit (`16-3` is 16 and 3; `= -3` is -3);
    /// - numbers glued to a preceding letter are skipped (`A1`, `x2`, `e5` in `1e5`), and so
    ///   are ordinals (`3rd`, `21st`, `4th`); other suffixes are allowed (`5kg` → 5);
    /// - exponents are not read: `1e5` yields `1`.
    public static func scan(_ text: String) -> [Token] {
        let chars = Array(text)
        let n = chars.count
        var tokens: [Token] = []
        var i = 0
        func digit(_ k: Int) -> Bool { k >= 0 && k < n && chars[k].isASCIIDigit }
        while i < n {
            let leadingDot = chars[i] == "." && digit(i + 1)
            guard chars[i].isASCIIDigit || leadingDot else { i += 1; continue }
            var j = i + (leadingDot ? 1 : 0)
            while digit(j) { j += 1 }
            if !leadingDot {
                while j < n, chars[j] == ",", digit(j + 1), digit(j + 2), digit(j + 3), !digit(j + 4) { j += 4 }
                if j < n, chars[j] == ".", digit(j + 1) {
                    j += 1
                    while digit(j) { j += 1 }
                }
            }
            defer { i = j }
            if i > 0, chars[i - 1].isLetter { continue }
            if j < n, chars[j].isLetter {
                var k = j
                while k < n, chars[k].isLetter { k += 1 }
                if ["st", "nd", "rd", "th"].contains(String(chars[j..<k]).lowercased()) { continue }
            }
            var start = i
            if start > 0, chars[start - 1] == "$" { start -= 1 }
            if start > 0, chars[start - 1] == "-",
               start == 1 || !(chars[start - 2].isLetter || chars[start - 2].isNumber) { start -= 1 }
            let written = String(chars[start..<j])
            if let value = canonical(written) { tokens.append(Token(text: written, value: value)) }
        }
        return tokens
    }

    /// The last number in `text`, canonical; nil when there is none.
    public static func lastNumber(in text: String) -> String? { scan(text).last?.value }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
