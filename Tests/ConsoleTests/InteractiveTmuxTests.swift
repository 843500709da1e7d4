import Foundation
import Store
import TestSupport
import XCTest

/// The REPL as a person uses it, in a real terminal: tmux runs `ftlab`, send-keys types,
/// capture-pane reads the screen. Checks history recall (Up), Tab completion of fields and of
/// values from the database, Ctrl-C abandoning a line, and the history file.
final class InteractiveTmuxTests: XCTestCase {
    var directory: TemporaryDirectory!
    let tmuxSession = "ftlab-test-\(getpid())"

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "tmux is not installed (apt-get install tmux)")
        directory = try TemporaryDirectory(prefix: "ftlab-tmux")
    }

    override func tearDown() {
        _ = try? tmux(["kill-server"])
    }

    /// Runs tmux through the shell (`popen`/`pclose`, which wait with waitpid). Foundation's
    /// Process is not used here: `new-session` forks the tmux server, which inherits the
    /// descriptors Process watches to learn that its child exited, so it would wait forever.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        // A private server socket, so the test never touches a user's tmux sessions.
        let quoted = (["/usr/bin/tmux", "-L", tmuxSession] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let capturing = args.first == "capture-pane"
        let command = quoted.joined(separator: " ") + (capturing ? " 2>/dev/null" : " </dev/null >/dev/null 2>&1")
        guard let pipe = popen(command, "r") else { throw NSError(domain: "tmux", code: 1) }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        pclose(pipe)
        return String(decoding: output, as: UTF8.self)
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", tmuxSession]) }

    /// Polls the screen until `condition` holds (10 s at most).
    func waitFor(_ what: String, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(10)
        var s = ""
        while Date() < deadline {
            s = try screen()
            if ProcessInfo.processInfo.environment["FTLAB_TMUX_TRACE"] != nil { FileHandle.standardError.write(Data("[\(what)] \(s.prefix(300))\n".utf8)) }
            if condition(s) { return s }
            usleep(100_000)
        }
        XCTFail("timed out waiting for \(what); screen:\n\(s)")
        return s
    }

    func lastPromptLine(_ s: String) -> String {
        s.split(separator: "\n").last { $0.hasPrefix("ftlab>") }.map(String.init) ?? ""
    }

    func testHistoryRecallTabCompletionAndCtrlC() throws {
        let binary = try XCTUnwrap(FtlabBinary.url, "ftlab executable not built")
        let db = directory.path("repl.sqlite")
        try SeedData.populate(ResultsStore(path: db))
        let home = directory.url.path
        try tmux(["new-session", "-d", "-s", tmuxSession, "-x", "160", "-y", "50",
                  "env HOME=\(home) TERM=xterm \(binary.path) --db \(db)"])
        _ = try waitFor("the prompt") { $0.contains("ftlab>") }

        // A statement, then Up recalls it.
        try tmux(["send-keys", "-t", tmuxSession, "count by method", "Enter"])
        _ = try waitFor("the count pivot") { $0.contains("dora") }
        try tmux(["send-keys", "-t", tmuxSession, "Up"])
        var s = try waitFor("history recall") { self.lastPromptLine($0) == "ftlab> count by method" }
        try tmux(["send-keys", "-t", tmuxSession, "C-u"])

        // Tab completes a field name, then a value that exists in the database.
        try tmux(["send-keys", "-t", tmuxSession, "runs where meth", "Tab"])
        s = try waitFor("field completion") { self.lastPromptLine($0).hasPrefix("ftlab> runs where method") }
        try tmux(["send-keys", "-t", tmuxSession, "= lo", "Tab"])  // readline appended a space after the field
        s = try waitFor("value completion") { self.lastPromptLine($0).hasPrefix("ftlab> runs where method = lora") }
        try tmux(["send-keys", "-t", tmuxSession, "C-u"])

        // Ctrl-C abandons a half-typed line; the next statement still runs.
        try tmux(["send-keys", "-t", tmuxSession, "runs where this is not finished", "C-c"])
        s = try waitFor("a fresh prompt after Ctrl-C") { self.lastPromptLine($0) == "ftlab> " || self.lastPromptLine($0) == "ftlab>" }
        try tmux(["send-keys", "-t", tmuxSession, "models select model", "Enter"])
        s = try waitFor("the models list") { $0.contains("big-500m") }
        XCTAssertFalse(s.contains("error"), s)

        try tmux(["send-keys", "-t", tmuxSession, ".quit", "Enter"])
        let history = try String(contentsOfFile: home + "/.ftlab_history", encoding: .utf8)
        XCTAssertTrue(history.contains("count by method"), history)
        XCTAssertTrue(history.contains("models select model"), history)
        XCTAssertFalse(history.contains("not finished"), "an abandoned line is not history: \(history)")
    }
}
