import Foundation

/// JSON string literals written by hand where key order or exact bytes matter (safetensors
/// headers, the synthetic dataset whose sha256 identifies it, the REPL's json mode).
public enum JSONText {
    /// Quotes, backslashes and control characters escaped; everything else as UTF-8.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
