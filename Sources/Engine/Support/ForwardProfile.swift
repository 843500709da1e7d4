import Foundation

/// Optional wall-clock breakdown of forward passes by phase, for finding hot paths
/// (`EngineBenchmark.profile`). Off by default; when off, a phase costs one branch.
enum ForwardProfile {
    enum Phase: Int, CaseIterable {
        case embed, norm, qkvProduct, qkvPrepare, attention, outputProduct, gateUpProduct, activation,
             downProduct, lmHead
    }

    nonisolated(unsafe) static var enabled = false
    nonisolated(unsafe) static var seconds = [Double](repeating: 0, count: Phase.allCases.count)

    @inline(__always)
    static func measure<R>(_ phase: Phase, _ body: () -> R) -> R {
        guard enabled else { return body() }
        let t0 = now()
        let r = body()
        seconds[phase.rawValue] += now() - t0
        return r
    }

    static func reset() {
        for i in seconds.indices { seconds[i] = 0 }
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
