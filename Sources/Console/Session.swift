import Foundation
import QueryLanguage
import Store

/// One user's conversation with ftlab: the open database, printing settings and where output
/// goes. Every line of input — typed, from `-c`, from a script or `.read` — passes through
/// `execute`. Errors are printed (one line, or a caret diagram for query errors) and reported as
/// `false`; nothing here ever terminates the process.
public final class Session {
    public private(set) var store: ResultsStore
    public private(set) var databasePath: String
    public var options = RenderOptions()
    /// Where datasets are read from (`--data`, `.data DIR`); nil: `$FTLAB_DATA`, else ../shared/data.
    public var dataDirectory: String?
    /// `eval`/`train` with the spec of a finished run reuse that run instead of running again
    /// (`ftlab demo` sets it; a researcher re-running on purpose gets a new run by default).
    public var reuseFinishedRuns = false
    /// Memory a run may plan for (`--memory`, `.memory`); nil: $FTLAB_MEMORY, else MemAvailable.
    public var memoryLimit: Int?
    var timer = false
    /// The statement being run, as typed (a sweep records it).
    var currentStatement = ""
    /// `.bail on` (the default for scripts): a script stops at its first error, and says where.
    /// `.bail off` runs the remaining lines (the script still ends with a non-zero status).
    var bail = true
    /// Bounds on hand-typed SQL (`.sql`), changed with `.sqllimit`.
    var sqlLimits = QueryLimits()
    var quitRequested = false

    let terminal: TextSink
    let errors: TextSink
    private var redirect: TextSink?     // .output FILE
    private var onceSink: TextSink?     // .once FILE
    private var readDepth = 0

    public var shouldQuit: Bool { quitRequested }

    public convenience init(databasePath: String, output: TextSink, errors: TextSink) throws {
        try self.init(store: ResultsStore(path: databasePath), output: output, errors: errors)
    }

    public init(store: ResultsStore, output: TextSink, errors: TextSink) throws {
        self.store = store
        self.databasePath = store.path
        self.terminal = output
        self.errors = errors
        // A run left `running` by a process that is gone (killed, crashed) is interrupted: say so
        // in the database as soon as it is opened for writing, not only when someone resumes it.
        if !store.isReadOnly {
            _ = try? store.markStaleRunsInterrupted(host: ProcessProbe.host, isAlive: ProcessProbe.isAlive)
        }
    }

    // MARK: entry points

    /// Runs one line of input. `origin` names the script for error messages (nil: typed or -c).
    @discardableResult
    public func execute(_ text: String, origin: String? = nil, line: Int = 1) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("--") || trimmed.hasPrefix("#") { return true }
        let started = Date()
        defer {
            if timer { terminal.write(String(format: "Run Time: %.3f s\n", Date().timeIntervalSince(started))) }
        }
        // A line holds statements and dot-commands separated by ';' (handy with -c:
        // `.mode csv; runs …`). `.sql` takes the rest of the line: its SQL may contain ';'.
        for segment in Self.segments(of: text) {
            let body = segment.text.trimmingCharacters(in: .whitespaces)
            if body.isEmpty { continue }
            if body.hasPrefix(".") {
                let isSQL = body.lowercased().hasPrefix(".sql")
                let command = isSQL ? String(text[segment.start...]).trimmingCharacters(in: .whitespaces) : body
                do {
                    currentStatement = command   // `.sql …` heads a LaTeX table as the statement
                    try runDotCommand(command)
                } catch {
                    report(error, origin: origin, line: line)
                    return false
                }
                if isSQL || quitRequested { return true }
                continue
            }
            // Pad with spaces so the parser's columns are the columns of the whole line.
            let offset = text.distance(from: text.startIndex, to: segment.start)
            do {
                currentStatement = body
                for command in try QueryParser.parse(String(repeating: " ", count: offset) + segment.text, line: line) {
                    try run(command)
                }
            } catch let error as QueryError {
                let rendered = error.rendered(source: text, origin: origin)
                errors.write(rendered.hasSuffix("\n") ? rendered : rendered + "\n")
                return false
            } catch {
                report(error, origin: origin, line: line)
                return false
            }
        }
        return true
    }

    /// The parts of a line between ';' outside quotes, with where each starts.
    static func segments(of text: String) -> [(start: String.Index, text: Substring)] {
        var result: [(String.Index, Substring)] = []
        var quote: Character?
        var escaped = false
        var start = text.startIndex
        for i in text.indices {
            let c = text[i]
            if let q = quote {
                // Inside quotes the query language takes backslash escapes ('\'', "\"");
                // a doubled quote closes and reopens, which needs no special case here.
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == ";" {
                result.append((start, text[start..<i]))
                start = text.index(after: i)
            }
        }
        result.append((start, text[start...]))
        return result
    }

    /// Runs every line of a script, stopping at the first error. Returns false if one failed.
    public func runScript(_ text: String, origin: String?) -> Bool {
        var lineNumber = 0
        var failed = false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            lineNumber += 1
            if quitRequested { return !failed }
            if !execute(String(line).trimmingCharacters(in: CharacterSet(charactersIn: "\r")), origin: origin, line: lineNumber) {
                failed = true
                if bail {
                    let rest = lines.dropFirst(lineNumber).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
                    if rest > 0 {
                        errors.write("stopped at line \(lineNumber): \(rest) more line\(rest == 1 ? "" : "s") not run "
                                     + "(`.bail off` runs past errors)\n")
                    }
                    return false
                }
            }
        }
        return !failed
    }

    func report(_ error: Error, origin: String?, line: Int) {
        let where_ = origin.map { "\($0):\(line): " } ?? ""
        errors.write("error: \(where_)\(Self.describe(error))\n")
    }

    static func describe(_ error: Error) -> String {
        // Our error types are CustomStringConvertible with a one-line message.
        String(describing: error)
    }

    // MARK: output

    /// Where the next result goes: `.once` beats `.output` beats the terminal.
    func emit(_ text: String) {
        if let once = onceSink {
            once.write(text)
            onceSink = nil
        } else {
            (redirect ?? terminal).write(text)
        }
    }

    /// Table width: the terminal's only when printing to it.
    var effectiveOptions: RenderOptions {
        var o = options
        if onceSink != nil || redirect != nil { o.width = nil }
        return o
    }

    /// `rightAligned`: text columns to align as numbers (a pivot's means); `note`: a line under
    /// the statement in a LaTeX table.
    func print(_ table: ResultTable, rightAligned: Set<Int> = [], note: String? = nil) {
        let heading = note.map { currentStatement + "\n" + $0 } ?? currentStatement
        emit(TableRenderer.render(table, options: effectiveOptions, statement: heading, rightAligned: rightAligned))
    }

    // MARK: commands

    func run(_ command: Command) throws {
        switch command {
        case .eval, .train, .sweep, .resume, .importRuns, .cancel:
            // Refused before any model loads: the run could not be recorded.
            if store.isReadOnly { throw ConsoleError(store.readOnlyError.description) }
        default: break
        }
        switch command {
        case .query(let q):
            print(try select(QueryCompiler.compile(q)))
        case .showRun(let id):
            let table = try select(QueryCompiler.compileShowRun(id))
            guard !table.rows.isEmpty else { throw ConsoleError("no run with id \(id)") }
            var o = effectiveOptions
            if o.mode == .table { o.mode = .line }
            emit(TableRenderer.render(table, options: o, statement: currentStatement))
        case .pivot(let p):
            let long = try select(QueryCompiler.compile(p))
            let shaped = PivotShaper.shape(long, metric: p.metric, mode: options.mode)
            print(shaped.table, rightAligned: shaped.valueColumns, note: shaped.note)
        case .eval(let e):
            try runEval(e)
        case .resume(let id):
            try resumeRun(Int64(id))
        case .train(let t):
            try runTrain(t)
        case .sweep(let s):
            try runSweep(s, statement: currentStatement)
        case .sweepStatus(let id):
            guard try store.select(sql: "SELECT 1 FROM sweeps WHERE id = ?", arguments: [.integer(Int64(id))]).rows.count == 1 else {
                throw ConsoleError("no sweep with id \(id)")
            }
            print(try select(QueryCompiler.compile(command)))
        case .report(let r):
            try runReport(r)
        case .importRuns(let i):
            try runImport(i)
        case .cancel(let c):
            try runCancel(c)
        }
    }

    func select(_ q: CompiledQuery) throws -> ResultTable {
        try store.select(sql: q.sql, arguments: q.arguments.map(StoreValue.init))
    }

    // MARK: state changes used by dot-commands

    func setRedirect(_ path: String?) throws {
        redirect = try path.map { try FileSink(path: $0) }
    }

    func setOnce(_ path: String) throws {
        onceSink = try FileSink(path: path)
    }

    func open(_ path: String) throws {
        let newStore = try ResultsStore(path: path)   // on failure the old database stays open
        store = newStore
        databasePath = path
    }

    func read(_ path: String) throws {
        guard readDepth < 16 else { throw ConsoleError(".read: nested too deeply (a script reading itself?)") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConsoleError(".read: cannot read '\(path)': \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConsoleError(".read: '\(path)' is not UTF-8 text")
        }
        readDepth += 1
        defer { readDepth -= 1 }
        if !runScript(text, origin: path) { throw ScriptFailed() }
    }
}

/// A script stopped at an error that was already printed with its own file and line.
struct ScriptFailed: Error, CustomStringConvertible {
    var description: String { "script stopped at the error above" }
}

extension StoreValue {
    init(_ v: SQLValue) {
        switch v {
        case .null: self = .null
        case .integer(let i): self = .integer(i)
        case .real(let d): self = .real(d)
        case .text(let s): self = .text(s)
        }
    }
}
