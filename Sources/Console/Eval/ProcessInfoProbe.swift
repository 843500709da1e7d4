import Engine
import Foundation

/// Facts about this process and host that runs record.
enum ProcessProbe {
    /// Peak resident set size (`VmHWM` in /proc/self/status), in bytes; nil where unavailable.
    static func peakRSSBytes() -> Int64? {
        EngineBenchmark.peakRSSBytes().map(Int64.init)
    }

    static var host: String { ProcessInfo.processInfo.hostName }
    static var pid: Int32 { getpid() }

    /// Whether a process with this id exists (EPERM: it exists but is not ours).
    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
