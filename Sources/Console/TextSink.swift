import Foundation

/// Where a session's text goes: the terminal, a file (`.output`), or a string (tests).
public protocol TextSink: AnyObject {
    func write(_ text: String)
}

public final class StandardOutputSink: TextSink {
    private let handle: FileHandle
    public init(_ handle: FileHandle = .standardOutput) { self.handle = handle }
    public func write(_ text: String) { handle.write(Data(text.utf8)) }
}

public final class FileSink: TextSink {
    let path: String
    private let handle: FileHandle
    /// Creates or truncates `path`; throws a one-line error when it cannot be written.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let h = FileHandle(forWritingAtPath: path) else {
            throw ConsoleError("cannot write to '\(path)': \(String(cString: strerror(errno)))")
        }
        handle = h
    }
    public func write(_ text: String) { handle.write(Data(text.utf8)) }
    deinit { try? handle.close() }
}

public final class StringSink: TextSink {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) { self.text += text }
}

/// A one-line error for the user (bad dot-command, unreadable file, …).
public struct ConsoleError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
