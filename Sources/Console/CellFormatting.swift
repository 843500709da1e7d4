import Foundation
import Store

/// Turns stored values into text. Two flavours: `display` for people (short numbers, one line)
/// and `exact` for machines (CSV/JSON: the shortest text that reads back as the same value).
enum CellFormatting {
    static func exact(_ v: StoreValue) -> String {
        switch v {
        case .null: return ""
        case .integer(let i): return String(i)
        case .real(let d): return exactReal(d)
        case .text(let s): return s
        case .blob(let b): return "x'" + b.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    /// Swift's `description` is the shortest representation that round-trips.
    static func exactReal(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return d.description
    }

    static func display(_ v: StoreValue) -> String {
        switch v {
        case .null: return "NULL"
        case .integer(let i): return String(i)
        case .real(let d): return displayReal(d)
        case .text(let s): return oneLine(s)
        case .blob(let b): return "<\(b.count) bytes>"
        }
    }

    /// Four significant decimals for ordinary magnitudes (accuracies, losses); scientific
    /// notation for learning rates and other tiny or huge numbers.
    static func displayReal(_ d: Double) -> String {
        if d == 0 { return "0" }
        if !d.isFinite { return d.description }
        let a = abs(d)
        if a >= 1e-3 && a < 1e7 {
            var s = String(format: "%.4f", d)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        return String(format: "%.3g", d)
    }

    /// Table cells are single lines: newlines and tabs become visible marks.
    static func oneLine(_ s: String) -> String {
        var out = ""
        out.reserveCount(s.count)
        for c in s {
            switch c {
            case "\n", "\r\n": out.append("↵")
            case "\t": out.append("  ")
            default: out.append(c)
            }
        }
        return out
    }

    static func isNumeric(_ v: StoreValue) -> Bool {
        switch v {
        case .integer, .real: return true
        default: return false
        }
    }

    /// Cuts `s` to `width` characters, marking the cut with `…`.
    static func truncate(_ s: String, to width: Int) -> String {
        guard width > 0, s.count > width else { return s }
        return String(s.prefix(max(0, width - 1))) + "…"
    }
}

extension String {
    fileprivate mutating func reserveCount(_ n: Int) { reserveCapacity(n) }
}
