import CReadline
import Foundation

/// GNU readline behind a small Swift interface: prompt, history file, Tab completion, Ctrl-C.
///
/// readline is a process-global C library, so this is a process-global object too: the C
/// callbacks it installs cannot capture Swift context and reach the completer through `shared`.
public final class LineEditor {
    nonisolated(unsafe) static var shared: LineEditor?

    /// Returns the candidates for the word being completed: (whole line, word, word's start offset).
    public typealias Completer = (_ line: String, _ word: String, _ start: Int) -> [String]

    private let historyPath: String
    private let completer: Completer
    fileprivate var pendingMatches: [String] = []
    fileprivate var matchIndex = 0

    public init(historyPath: String, completer: @escaping Completer) {
        self.historyPath = historyPath
        self.completer = completer
        LineEditor.shared = self
        rl_readline_name = UnsafePointer(strdup("ftlab"))
        // Quotes and dots are part of words we complete (e.g. `.mode`, `qwen2.5-coder`).
        rl_completer_word_break_characters = UnsafePointer(strdup(" \t\n(),=<>!~;"))
        rl_attempted_completion_function = ftlabAttemptedCompletion
        using_history()
        stifle_history(Int32(Self.historyLimit))
        _ = read_history(historyPath)
        // The file only ever grows by append_history: cut it to the limit too, as bash and
        // sqlite3 do, or it grows without bound across sessions.
        _ = history_truncate_file(historyPath, Int32(Self.historyLimit))
        SignalHandling.installInteractive()
    }

    /// Reads one line; nil at end of input (Ctrl-D). Ctrl-C abandons the line being typed and
    /// shows a fresh prompt (see SignalHandling).
    public func readLine(prompt: String) -> String? {
        SignalHandling.atPrompt = 1
        defer { SignalHandling.atPrompt = 0 }
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        let line = String(cString: raw)
        if !line.trimmingCharacters(in: .whitespaces).isEmpty {
            // Skip immediate duplicates, like most shells.
            let last = history_length > 0 ? history_get(history_base + history_length - 1) : nil
            if last == nil || String(cString: last!.pointee.line) != line {
                add_history(line)
                _ = append_history(1, historyPath)
            }
        }
        return line
    }

    /// Lines kept in memory and in the history file.
    static let historyLimit = 5000

    /// Makes sure the history file exists, so `append_history` can add to it.
    public static func prepareHistoryFile(_ path: String) {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
    }

    fileprivate func candidates(word: String, start: Int) -> [String] {
        let line = rl_line_buffer.map { String(cString: $0) } ?? ""
        return completer(line, word, start)
    }
}

/// readline's entry point for Tab: compute all matches once, then hand them out one by one.
private func ftlabAttemptedCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
    -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    rl_attempted_completion_over = 1   // never fall back to file-name completion
    guard let editor = LineEditor.shared, let text else { return nil }
    let word = String(cString: text)
    editor.pendingMatches = editor.candidates(word: word, start: Int(start))
    editor.matchIndex = 0
    if editor.pendingMatches.isEmpty { return nil }
    return rl_completion_matches(text, ftlabCompletionGenerator)
}

private func ftlabCompletionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    guard let editor = LineEditor.shared else { return nil }
    if state == 0 { editor.matchIndex = 0 }
    guard editor.matchIndex < editor.pendingMatches.count else { return nil }
    defer { editor.matchIndex += 1 }
    return strdup(editor.pendingMatches[editor.matchIndex])   // readline frees it
}
