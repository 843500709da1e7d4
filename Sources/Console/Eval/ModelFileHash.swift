import Experiments
import Foundation

/// SHA-256 of a model file, cached in `<file>.sha256` as `SIZE MTIME HEX`: hashing a few hundred
/// MB on every run would cost seconds, and the file only changes when it is replaced, which
/// changes its size or modification time.
enum ModelFileHash {
    static func sha256(path: String) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let stamp = "\(size) \(String(format: "%.6f", mtime))"
        let sidecar = path + ".sha256"
        if let cached = try? String(contentsOfFile: sidecar, encoding: .utf8) {
            let parts = cached.split(separator: " ")
            if parts.count == 3, "\(parts[0]) \(parts[1])" == stamp, parts[2].count >= 64 {
                return String(parts[2].prefix(64))
            }
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ConsoleError("cannot read model file \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(chunk) }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        // A read-only model folder just means hashing again next time.
        try? "\(stamp) \(hex)\n".write(toFile: sidecar, atomically: true, encoding: .utf8)
        return hex
    }
}
