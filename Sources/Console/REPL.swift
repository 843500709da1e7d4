import Foundation

/// The two ways a session is driven: a person at a terminal, or text (`-c`, a piped script).
public enum REPL {
    /// The interactive loop: readline prompt, history, completion. Returns the exit status.
    public static func runInteractive(_ session: Session, historyPath: String) -> Int32 {
        LineEditor.prepareHistoryFile(historyPath)
        let editor = LineEditor(historyPath: historyPath) { line, word, start in
            session.completions(line: line, word: word, start: start)
        }
        session.options.width = TerminalSize.columns()
        let access = session.store.isCompressedSnapshot ? " (a compressed snapshot: read-only)"
            : session.store.isReadOnly ? " (read-only)" : ""
        session.terminal.write("ftlab — results in \(session.databasePath)\(access). Type .help for help, .quit to leave.\n")
        while !session.shouldQuit, let line = editor.readLine(prompt: "ftlab> ") {
            session.options.width = TerminalSize.columns()
            SignalHandling.reset()
            session.execute(line)
        }
        if !session.shouldQuit { session.terminal.write("\n") }   // Ctrl-D leaves the prompt line open
        return 0
    }

    /// Runs `text` as a script: no prompt, no banner; stops with status 1 at the first error.
    public static func runNonInteractive(_ session: Session, text: String, origin: String?) -> Int32 {
        SignalHandling.installNonInteractive()
        return session.runScript(text, origin: origin) ? 0 : 1
    }
}

enum TerminalSize {
    /// The terminal's width, or nil when stdout is not a terminal (then nothing is cut).
    static func columns() -> Int? {
        guard isatty(STDOUT_FILENO) != 0 else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
    }
}
