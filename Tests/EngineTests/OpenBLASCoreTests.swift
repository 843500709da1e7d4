import Foundation
import XCTest
@testable import Engine

/// OpenBLAS moved off a generic fallback core onto the CPU's own kernels (`OpenBLASCore`): the
/// decision on made-up CPUs, the real process after the engine's first product, and products
/// that stay exact after the switch.
final class OpenBLASCoreTests: XCTestCase {
    static let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    func testAGenericCoreIsReplacedByTheBestTheCPUSupports() {
        XCTAssertEqual(OpenBLASCore.decide(current: "Prescott", flags: Self.avx512, userChoice: nil), "SkylakeX")
        XCTAssertEqual(OpenBLASCore.decide(current: "Prescott", flags: ["avx", "avx2", "fma"], userChoice: nil), "Haswell")
        XCTAssertEqual(OpenBLASCore.decide(current: "Sandybridge", flags: ["avx", "avx2", "fma"], userChoice: nil), "Haswell")
        // AVX-512F alone (Knights Landing has no BW/DQ/VL) is not enough for SkylakeX kernels.
        XCTAssertEqual(OpenBLASCore.decide(current: "Prescott", flags: ["avx2", "fma", "avx512f", "avx512cd"], userChoice: nil), "Haswell")
    }

    func testARecognisedCoreAUsersChoiceOrAnOldCPUIsLeftAlone() {
        XCTAssertNil(OpenBLASCore.decide(current: "SkylakeX", flags: Self.avx512, userChoice: nil))
        XCTAssertNil(OpenBLASCore.decide(current: "Cooperlake", flags: Self.avx512, userChoice: nil))
        XCTAssertNil(OpenBLASCore.decide(current: "Haswell", flags: Self.avx512, userChoice: nil),
                     "OpenBLAS picks Haswell on AVX-512 CPUs whose OS does not save the AVX-512 state; it knows best")
        XCTAssertNil(OpenBLASCore.decide(current: "Zen", flags: ["avx2", "fma"], userChoice: nil))
        XCTAssertNil(OpenBLASCore.decide(current: "Prescott", flags: Self.avx512, userChoice: "Prescott"), "the user's choice stands")
        XCTAssertNil(OpenBLASCore.decide(current: "Prescott", flags: ["sse3", "ssse3", "avx"], userChoice: nil), "no AVX2: nothing better")
    }

    func testCPUFlagsAreReadFromTheFirstFlagsLine() {
        let cpuinfo = "processor\t: 0\nmodel\t\t: 207\nflags\t\t: fpu sse2 avx2 fma avx512f\nbugs\t\t: spectre_v1\n"
            + "processor\t: 1\nflags\t\t: fpu\n"
        XCTAssertEqual(OpenBLASCore.cpuFlags(cpuinfo: cpuinfo), ["fpu", "sse2", "avx2", "fma", "avx512f"])
        XCTAssertEqual(OpenBLASCore.cpuFlags(cpuinfo: "no flags here"), [])
    }

    /// In this process, after the engine's first product: nothing better is left to switch to
    /// (unless the user pinned a core), and products through the switched kernels are exact.
    func testThisProcessRunsTheBestCoreAndItsProductsAreRight() throws {
        let m = 67, n = 45, k = 53
        var rng = SystemRandomNumberGenerator()
        let a = (0..<m * k).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<k * n).map { _ in Float.random(in: -1...1, using: &rng) }
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            Matmul.gemm(m: m, n: n, k: k, pa.baseAddress!, lda: k, pb.baseAddress!, ldb: n, beta: 0, into: pc.baseAddress!, ldc: n)
        } } }
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
            XCTAssertEqual(Double(c[i * n + j]), s, accuracy: 1e-5 * max(1, abs(s)), "C[\(i), \(j)]")
        } }

        let current = try XCTUnwrap(OpenBLASCore.current, "this OpenBLAS names its core")
        if let pinned = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], OpenBLASCore.selected == nil {
            throw XCTSkip("OPENBLAS_CORETYPE=\(pinned) was set by the user; OpenBLAS runs \(current)")
        }
        XCTAssertNil(OpenBLASCore.decide(current: current, flags: OpenBLASCore.cpuFlags(), userChoice: nil),
                     "OpenBLAS runs \(current) on a CPU that supports better kernels")
        if let s = OpenBLASCore.selected {
            print("[openblas] switched from \(s.from) to \(s.to)")
            XCTAssertEqual(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], s.to, "child processes inherit the choice")
        }
    }
}
