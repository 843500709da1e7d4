/// Why a dataset could not be loaded. Every case names the file and, for a bad record,
/// where it is: `file:line` for line-based files, `file: record N` (1-based) for JSON arrays
/// and XML, so a bad record is reported, never turned silently into a wrong example.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Location: Equatable, Sendable {
        case line(Int)
        case record(Int)
        case whole
    }

    case unreadable(file: String, reason: String)
    case malformed(file: String, at: Location, message: String)
    case missingFiles(task: String, paths: [String], origin: String)
    case unknownTask(String, known: [String])
    case unknownSplit(task: String, split: String, known: [String])
    case noDataDirectory(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .malformed(file, .line(n), message):
            return "\(file):\(n): \(message)"
        case let .malformed(file, .record(n), message):
            return "\(file): record \(n): \(message)"
        case let .malformed(file, .whole, message):
            return "\(file): \(message)"
        case let .missingFiles(task, paths, origin):
            return "task '\(task)' needs \(paths.joined(separator: ", ")), not found. Get it from \(origin)"
        case let .unknownTask(name, known):
            return "unknown task '\(name)'; known tasks: \(known.joined(separator: ", "))"
        case let .unknownSplit(task, split, known):
            return "task '\(task)' has no split '\(split)'; splits: \(known.joined(separator: ", "))"
        case let .noDataDirectory(message), let .invalidArgument(message):
            return message
        }
    }
}
