import CBLAS
import Dispatch
import Foundation

/// Threading policy of the engine — one level of threads at a time, never two:
///
/// - **Big matrix products** (the projections and the LM head over the whole [tokens, dim] block) are
///   called from the orchestrating thread with OpenBLAS using all cores. OpenBLAS's own threading
///   reaches ~200 GFLOP/s on 2 cores for these shapes, clearly more than splitting the product into
///   per-core single-threaded calls (~120–150).
/// - **Everything else** (norms, RoPE, activations, attention) is split across cores with
///   `DispatchQueue.concurrentPerform`. Attention calls small sgemm/sgemv per (row, head) *inside*
///   those workers, so for that phase OpenBLAS is switched to one thread (`Parallel.blasSerial`):
///   a threaded sgemm inside a concurrentPerform worker would oversubscribe the cores.
///
/// The BLAS thread count is process-global state, so forward passes hold `Parallel.forwardLock`:
/// two forwards in one process run one after the other rather than fighting over the setting.
public enum Parallel {
    /// Cores the engine uses (all the process may run on).
    public static let cores: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Serialises forward passes (see the policy above).
    static let forwardLock = NSLock()

    nonisolated(unsafe) private static var blasThreads = -1

    /// Sets OpenBLAS's thread count (no call when it is already that).
    static func setBLASThreads(_ n: Int) {
        if blasThreads != n {
            openblas_set_num_threads(Int32(n))
            blasThreads = n
        }
    }

    /// OpenBLAS on every core: for products called from the orchestrating thread.
    static func blasThreaded() { setBLASThreads(cores) }

    /// Runs `body` with OpenBLAS single-threaded, for phases that call BLAS inside our own workers.
    static func blasSerial<R>(_ body: () throws -> R) rethrows -> R {
        setBLASThreads(1)
        defer { setBLASThreads(cores) }
        return try body()
    }

    /// Calls `body(worker, workers)` once per worker, concurrently. Each worker picks its share of
    /// the items itself (see `interleaved`/`chunk`), so per-worker scratch can be indexed by `worker`.
    static func forEachWorker(workers: Int = cores, _ body: (Int, Int) -> Void) {
        if workers <= 1 {
            body(0, 1)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in body(w, workers) }
        }
    }

    /// Splits `0..<count` into contiguous ranges, one per worker, and runs them concurrently; runs
    /// inline when `count * costPerItem` is below `minimumWork` (thread hand-off costs a few µs).
    static func forRanges(_ count: Int, costPerItem: Int = 1, minimumWork: Int = 32_768,
                          _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let workers = min(cores, count)
        if workers <= 1 || count * costPerItem < minimumWork {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            body(chunk(count, w, workers))
        }
    }

    /// The `worker`-th of `workers` near-equal contiguous parts of `0..<count`.
    static func chunk(_ count: Int, _ worker: Int, _ workers: Int) -> Range<Int> {
        let base = count / workers, extra = count % workers
        let start = worker * base + min(worker, extra)
        return start..<(start + base + (worker < extra ? 1 : 0))
    }
}
