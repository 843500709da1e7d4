/// Makes file-supplied text safe to put in a one-line error message: names read from a
/// (possibly hostile) file may hold newlines, control characters or 64 KB of junk.
enum ErrorText {
    static let maxShown = 80

    /// `s` in single quotes, control characters escaped, cut to `maxShown` characters.
    static func quoted(_ s: String) -> String {
        var out = ""
        var shown = 0
        for u in s.unicodeScalars {
            if shown == maxShown {
                out += "…(\(s.utf8.count) bytes)"
                break
            }
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case _ where u.value < 0x20 || (0x7F..<0xA0).contains(u.value) || u.value == 0x2028 || u.value == 0x2029:
                out += "\\u{\(String(u.value, radix: 16))}"
            default: out.unicodeScalars.append(u)
            }
            shown += 1
        }
        return "'" + out + "'"
    }
}
