import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS chooses its kernels by CPU model when it loads. A build older than the CPU knows no
/// entry for it and falls back to a generic core: Debian's OpenBLAS 0.3.21 on an Emerald Rapids
/// Xeon (family 6, model 207) runs its SSE3 `Prescott` kernels, 20 GFLOP/s per core where the
/// CPU's AVX-512 `SkylakeX` kernels give 110 (measured here, single-threaded sgemm at 1024³) —
/// every fp32 product, and so every full fine-tuning step, 3–5× slower than it should be.
///
/// When that happens and the user has not chosen a core (`OPENBLAS_CORETYPE`), the engine switches
/// OpenBLAS to the best core the CPU's features support, once, before its first product: it sets
/// `OPENBLAS_CORETYPE` (so child processes load with it) and re-runs OpenBLAS's own core selection
/// (`gotoblas_dynamic_quit` + `gotoblas_dynamic_init`, which read that variable). Builds without
/// run-time core selection (no such symbols) and CPUs OpenBLAS recognised are left alone.
public enum OpenBLASCore {
    /// What the engine did: nil when OpenBLAS kept its own choice.
    public struct Switch: Equatable, Sendable { public let from: String; public let to: String }

    /// Cores OpenBLAS falls back to on x86-64 when it does not recognise a CPU, or that predate
    /// AVX2 (lower-cased, as `openblas_get_corename` spells them).
    static let genericCores: Set<String> = [
        "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
        "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "bobcat", "nano", "sandybridge",
    ]

    /// The best OpenBLAS x86-64 core for a CPU with these `/proc/cpuinfo` flags, if it is better
    /// than the generic ones: AVX-512 (F, CD, BW, DQ, VL) → SkylakeX; AVX2 + FMA → Haswell.
    static func bestCore(flags: Set<String>) -> String? {
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// The core to switch to, or nil to leave OpenBLAS as it is.
    static func decide(current: String, flags: Set<String>, userChoice: String?) -> String? {
        if let choice = userChoice, !choice.isEmpty { return nil }   // the user's choice stands
        // The best cores are never generic ones, so a generic `current` always differs from them.
        guard genericCores.contains(current.lowercased()) else { return nil }
        return bestCore(flags: flags)
    }

    /// The kernels OpenBLAS runs now ("SkylakeX", "Haswell", "Prescott", …), or nil when this
    /// OpenBLAS does not say.
    public static var current: String? {
        guard let f = symbol("openblas_get_corename", as: (@convention(c) () -> UnsafeMutablePointer<CChar>?).self),
              let name = f() else { return nil }
        return String(cString: name)
    }

    /// Done once per process by `Parallel.blasSingleThreaded`, before OpenBLAS's first product.
    public static let selected: Switch? = {
        #if os(Linux) && arch(x86_64)
        guard let from = current,
              let to = decide(current: from, flags: cpuFlags(), userChoice: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]),
              let quit = symbol("gotoblas_dynamic_quit", as: (@convention(c) () -> Void).self),
              let initialize = symbol("gotoblas_dynamic_init", as: (@convention(c) () -> Void).self) else { return nil }
        setenv("OPENBLAS_CORETYPE", to, 1)
        quit()
        initialize()
        return Switch(from: from, to: current ?? to)
        #else
        return nil
        #endif
    }()

    /// The CPU's feature flags from `/proc/cpuinfo` (the kernel lists only what it enabled).
    static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let text = cpuinfo,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    private static func symbol<F>(_ name: String, as type: F.Type) -> F? {
        #if os(Linux)
        guard let pointer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }   // RTLD_DEFAULT
        return unsafeBitCast(pointer, to: type)
        #else
        return nil
        #endif
    }
}
