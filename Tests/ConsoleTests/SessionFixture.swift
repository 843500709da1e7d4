import Console
import Foundation
import Store
import TestSupport

/// A seeded file database and a session on it that prints into strings.
final class SessionFixture {
    let directory: TemporaryDirectory
    let databasePath: String
    let summary: SeedSummary
    let output = StringSink()
    let errors = StringSink()
    let session: Session

    init() throws {
        directory = try TemporaryDirectory(prefix: "ftlab-console")
        databasePath = directory.path("results.sqlite")
        summary = try SeedData.populate(ResultsStore(path: databasePath))
        session = try Session(databasePath: databasePath, output: output, errors: errors)
    }

    /// Runs one line and returns what it printed (output, errors) since the last call.
    @discardableResult
    func run(_ line: String) -> (ok: Bool, out: String, err: String) {
        let o = output.text.count, e = errors.text.count
        let ok = session.execute(line)
        return (ok, String(output.text.dropFirst(o)), String(errors.text.dropFirst(e)))
    }

    func csv(_ line: String) -> [[String]] {
        session.options.mode = .csv
        defer { session.options.mode = .table }
        return CSVParser.parse(run(line).out)
    }
}

/// The `ftlab` executable built beside the test bundle (swift test builds every product).
enum FtlabBinary {
    static var url: URL? {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("ftlab"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ftlab"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ftlab"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Result {
        guard let url else { throw ConsoleError("the ftlab executable was not found next to the tests; build it with `swift build`") }
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
