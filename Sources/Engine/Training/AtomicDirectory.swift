import Foundation

/// Writes a checkpoint directory so that a crash never leaves a half-written one in place: the
/// files go into a hidden sibling folder, which is then renamed onto `directory`. An existing
/// `directory` is first renamed aside and removed only after the new one is in place, so at
/// every moment the path holds either the old complete checkpoint or the new complete one
/// (bar a crash between the two renames, which leaves the old one beside it, still complete).
enum AtomicDirectory {
    static func write(_ directory: URL, _ body: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = directory.deletingLastPathComponent()
        let name = directory.lastPathComponent
        let tag = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        let staging = parent.appendingPathComponent(".\(name).tmp-\(tag)")
        func fail(_ problem: String) -> HuggingFaceError { HuggingFaceError(file: directory.path, key: "directory", problem: problem) }
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: true) } catch {
            throw fail("cannot create \(staging.path) (\(error.localizedDescription))")
        }
        do { try body(staging) } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
        var old: URL?
        if fm.fileExists(atPath: directory.path) {
            let aside = parent.appendingPathComponent(".\(name).old-\(tag)")
            guard rename(directory.path, aside.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? fm.removeItem(at: staging)
                throw fail("cannot move the existing checkpoint aside: \(reason)")
            }
            old = aside
        }
        guard rename(staging.path, directory.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { _ = rename(old.path, directory.path) }
            try? fm.removeItem(at: staging)
            throw fail("cannot rename the new checkpoint into place: \(reason)")
        }
        if let old { try? fm.removeItem(at: old) }
    }

    /// Writes pretty-printed, key-sorted JSON.
    static func writeJSON(_ object: [String: Any], to url: URL) throws {
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) } catch {
            throw HuggingFaceError(file: url.path, key: "file", problem: "cannot encode JSON (\(error.localizedDescription))")
        }
        do { try data.write(to: url) } catch {
            throw HuggingFaceError(file: url.path, key: "file", problem: "cannot write (\(error.localizedDescription))")
        }
    }
}
