/// A small, strict JSON reader for safetensors headers.
///
/// Foundation's JSONSerialization would do, but this keeps the hostile-input guarantees in our
/// hands: bounded nesting (no stack exhaustion), duplicate keys rejected (a header must not say
/// two things about one tensor), integers parsed exactly with overflow detection, invalid UTF-8
/// rejected, and errors that give a byte position. Object key order is preserved.
enum SafeTensorsJSON {
    indirect enum Value: Equatable {
        case object([(key: String, value: Value)])
        case array([Value])
        case string(String)
        /// An integer that fits in Int (no fraction, no exponent).
        case integer(Int)
        /// Any other number.
        case number(Double)
        case bool(Bool)
        case null

        static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case let (.object(x), .object(y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            case let (.array(x), .array(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.integer(x), .integer(y)): return x == y
            case let (.number(x), .number(y)): return x == y
            case let (.bool(x), .bool(y)): return x == y
            case (.null, .null): return true
            default: return false
            }
        }
    }

    struct Failure: Error {
        let message: String
        let offset: Int
    }

    static let maxDepth = 32

    /// Parses one JSON value filling `bytes`, allowing surrounding whitespace (safetensors pads
    /// headers with spaces).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> Value {
        var p = Parser(bytes: bytes)
        p.skipWhitespace()
        let value = try p.value(depth: 0)
        p.skipWhitespace()
        guard p.at == bytes.count else { throw Failure(message: "unexpected data after the JSON value", offset: p.at) }
        return value
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        func fail(_ message: String) -> Failure { Failure(message: message, offset: at) }

        var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func skipWhitespace() {
            while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { at += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for c in literal.utf8 {
                guard peek == c else { throw fail("expected '\(literal)'") }
                at += 1
            }
        }

        mutating func value(depth: Int) throws -> Value {
            guard depth < SafeTensorsJSON.maxDepth else { throw fail("nested deeper than \(SafeTensorsJSON.maxDepth)") }
            guard let c = peek else { throw fail("unexpected end of JSON") }
            switch c {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character \(describe(c))")
            }
        }

        mutating func object(depth: Int) throws -> Value {
            at += 1  // {
            var members: [(key: String, value: Value)] = []
            var keys = Set<String>()
            skipWhitespace()
            if peek == UInt8(ascii: "}") { at += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let keyAt = at
                let key = try string()
                guard keys.insert(key).inserted else {
                    throw Failure(message: "duplicate key \(ErrorText.quoted(key))", offset: keyAt)
                }
                skipWhitespace()
                try expect(":")
                skipWhitespace()
                members.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { at += 1; continue }
                try expect("}")
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws -> Value {
            at += 1  // [
            var items: [Value] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") { at += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { at += 1; continue }
                try expect("]")
                return .array(items)
            }
        }

        mutating func string() throws -> String {
            at += 1  // opening quote
            var out: [UInt8] = []
            while true {
                guard let c = peek else { throw fail("unterminated string") }
                at += 1
                switch c {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else {
                        throw fail("string is not valid UTF-8")
                    }
                    return s
                case UInt8(ascii: "\\"):
                    try escape(into: &out)
                case 0..<0x20:
                    throw Failure(message: "control character in string", offset: at - 1)
                default:
                    out.append(c)
                }
            }
        }

        mutating func escape(into out: inout [UInt8]) throws {
            guard let c = peek else { throw fail("unterminated escape") }
            at += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {  // high surrogate: a low one must follow
                    try expect("\\u")
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw fail("invalid escape \\\(describe(c))")
            }
        }

        mutating func hex4() throws -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let c = peek, let d = hexDigit(c) else { throw fail("invalid \\u escape") }
                v = v << 4 | d
                at += 1
            }
            return v
        }

        func hexDigit(_ c: UInt8) -> UInt32? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }

        mutating func number() throws -> Value {
            let start = at
            var negative = false
            if peek == UInt8(ascii: "-") { negative = true; at += 1 }
            var magnitude = 0, overflow = false, digits = 0
            while let c = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                if digits == 1 && bytes[at - 1] == UInt8(ascii: "0") { throw fail("leading zero in number") }
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(c - UInt8(ascii: "0")))
                overflow = overflow || o1 || o2
                magnitude = s
                digits += 1
                at += 1
            }
            guard digits > 0 else { throw fail("invalid number") }
            var isInteger = true
            if peek == UInt8(ascii: ".") {
                isInteger = false; at += 1
                guard try skipDigits() > 0 else { throw fail("invalid number") }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                isInteger = false; at += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
                guard try skipDigits() > 0 else { throw fail("invalid number") }
            }
            if isInteger && !overflow { return .integer(negative ? -magnitude : magnitude) }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            return .number(Double(text) ?? .nan)
        }

        mutating func skipDigits() throws -> Int {
            var n = 0
            while let c = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { at += 1; n += 1 }
            return n
        }

        func describe(_ c: UInt8) -> String {
            (0x21..<0x7F).contains(c) ? "'\(Character(UnicodeScalar(c)))'" : "0x\(String(c, radix: 16))"
        }
    }
}
