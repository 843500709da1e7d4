import Foundation

/// Facts about this process and host that runs record.
enum ProcessProbe {
    /// Peak resident set size (`VmHWM` in /proc/self/status), in bytes; nil where unavailable.
    static func peakRSSBytes() -> Int64? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int64($0) }.first
            return kb.map { $0 * 1024 }
        }
        return nil
    }

    static var host: String { ProcessInfo.processInfo.hostName }
    static var pid: Int32 { getpid() }

    /// Whether a process with this id exists (EPERM: it exists but is not ours).
    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
