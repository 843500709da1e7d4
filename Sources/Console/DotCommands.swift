import Foundation
import Experiments
import QueryLanguage
import Store

/// The dot-commands: settings and housekeeping that are not part of the query language.
extension Session {
    static let dotCommands = [".help", ".tables", ".schema", ".mode", ".headers", ".output", ".once",
                              ".timer", ".maxrows", ".read", ".open", ".sql", ".sqllimit", ".data", ".datasets", ".bail", ".quit", ".exit"]

    func runDotCommand(_ line: String) throws {
        let (name, rest) = Self.splitCommand(line)
        let argument = Self.unquote(rest)
        switch name {
        case ".help":
            let fields = Source.allCases.map { (source: $0.rawValue, names: FieldCatalog.fields(for: $0).map(\.name)) }
            guard let text = HelpText.text(for: argument.isEmpty ? nil : argument, fields: fields) else {
                throw ConsoleError(".help: no topic '\(argument)'; topics: \(HelpText.topics.joined(separator: ", "))")
            }
            terminal.write(text.hasSuffix("\n") ? text : text + "\n")
        case ".tables":
            // The query language's sources; `.schema` and `.sql` keep the SQL names (q_* views,
            // train_steps, …).
            emit(Source.allCases.map(\.rawValue).joined(separator: "\n") + "\n")
        case ".schema":
            let statements = try store.schemaSQL(for: argument.isEmpty ? nil : argument)
            guard !statements.isEmpty else { throw ConsoleError(".schema: no table or view named '\(argument)'") }
            emit(statements.map { $0 + ";" }.joined(separator: "\n\n") + "\n")
        case ".mode":
            guard let mode = OutputMode(rawValue: argument.lowercased()) else {
                throw ConsoleError(".mode: expected one of \(OutputMode.allCases.map(\.rawValue).joined(separator: ", ")), got '\(argument)'")
            }
            options.mode = mode
        case ".headers":
            options.headers = try Self.onOff(argument, command: name)
        case ".timer":
            timer = try Self.onOff(argument, command: name)
        case ".bail":
            bail = try Self.onOff(argument, command: name)
        case ".maxrows":
            guard let n = Int(argument), n >= 0 else { throw ConsoleError(".maxrows: expected a number ≥ 0, got '\(argument)'") }
            options.maxRows = n
        case ".output":
            try setRedirect(argument.isEmpty || argument == "stdout" ? nil : argument)
        case ".once":
            guard !argument.isEmpty else { throw ConsoleError(".once: expected a file name") }
            try setOnce(argument)
        case ".read":
            guard !argument.isEmpty else { throw ConsoleError(".read: expected a file name") }
            try read(argument)
        case ".open":
            guard !argument.isEmpty else { throw ConsoleError(".open: expected a database path") }
            try open(argument)
        case ".sql":
            guard !rest.isEmpty else { throw ConsoleError(".sql: expected a SELECT statement") }
            // Ctrl-C stops the query (the progress handler polls the flag) and returns to the
            // prompt; the time, row and length limits bound what a typed query can cost.
            var limits = sqlLimits
            limits.shouldStop = { SignalHandling.interrupted }
            SignalHandling.reset()
            defer { SignalHandling.reset() }
            print(try store.select(sql: rest, arguments: [], limits: limits))
        case ".sqllimit":
            try setSQLLimit(argument)
        case ".data":
            if argument.isEmpty {
                let current = (try? DataDirectory.resolve(explicit: dataDirectory)) ?? "none found (.data DIR sets one)"
                terminal.write("data directory: \(current)\n")
            } else {
                dataDirectory = try DataDirectory.resolve(explicit: argument)
            }
        case ".datasets":
            print(try datasetCatalog())
        case ".quit", ".exit":
            quitRequested = true
        default:
            let suggestion = Self.nearest(name, among: Self.dotCommands).map { " (did you mean \($0)?)" } ?? ""
            throw ConsoleError("unknown command \(name)\(suggestion); .help dot lists them")
        }
    }

    /// `.sqllimit` shows the limits of `.sql`; `.sqllimit seconds N`, `rows N`, `bytes N` set one.
    private func setSQLLimit(_ argument: String) throws {
        let words = argument.split(separator: " ").map(String.init)
        if words.isEmpty {
            terminal.write(String(format: ".sql limits: seconds %.0f, rows %d, bytes %d\n",
                                  sqlLimits.maxSeconds, sqlLimits.maxRows, sqlLimits.maxValueBytes))
            return
        }
        guard words.count == 2, let n = Int(words[1]), n > 0 else {
            throw ConsoleError(".sqllimit: expected `seconds N`, `rows N` or `bytes N` with N > 0, got '\(argument)'")
        }
        switch words[0].lowercased() {
        case "seconds": sqlLimits.maxSeconds = Double(n)
        case "rows": sqlLimits.maxRows = n
        case "bytes":
            guard n <= 1_000_000_000 else { throw ConsoleError(".sqllimit: bytes at most 1000000000 (SQLite's own limit)") }
            sqlLimits.maxValueBytes = Int32(n)
        default: throw ConsoleError(".sqllimit: expected seconds, rows or bytes, got '\(words[0])'")
        }
    }

    static func splitCommand(_ line: String) -> (String, String) {
        guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (line.lowercased(), "") }
        return (String(line[..<space]).lowercased(), line[space...].trimmingCharacters(in: .whitespaces))
    }

    /// File names may be quoted to hold spaces.
    static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == s.last, f == "'" || f == "\"" { return String(s.dropFirst().dropLast()) }
        return s
    }

    static func onOff(_ s: String, command: String) throws -> Bool {
        switch s.lowercased() {
        case "on", "yes", "1", "true": return true
        case "off", "no", "0", "false": return false
        default: throw ConsoleError("\(command): expected on or off, got '\(s)'")
        }
    }

    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let best = candidates.map { ($0, EditDistance.between(word, $0)) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= 2 ? $0.0 : nil }
    }
}

/// Levenshtein distance, for "did you mean" on dot-commands.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
