import CBLAS
import Dispatch
import Foundation

/// Threading policy of the engine — one level of threads, the engine's own:
///
/// - OpenBLAS runs **single-threaded** (`openblas_set_num_threads(1)`, set before the first product).
///   Every product is split by the engine instead: a linear layer's output features are divided
///   among the cores, each calling a single-threaded sgemm/sgemv on its slice. On the 2-core test
///   machine this matches OpenBLAS's own threading on the prefill shapes (~185–195 GFLOP/s) and the
///   memory-bound GEMVs of batch-1 decode.
/// - Why not OpenBLAS's threads: its idle workers spin on `sched_yield` for ~0.1 s after each call,
///   and stole ~20 % of the CPU from the engine's own parallel phases (norms, RoPE, attention) that
///   run between the products. Never calling a threaded sgemm inside a parallel region also rules
///   out oversubscription by construction.
/// - Why not `DispatchQueue.concurrentPerform`: waking GCD workers costs 15–20 µs per region on this
///   VM, so regions under ~100 µs ran *slower* than serially — and a decode step has ~250 regions.
///   `WorkerPool` keeps one thread per extra core spinning briefly between regions (≈1 µs hand-off)
///   and sleeping when idle. Off Linux, `concurrentPerform` is the fallback.
///
/// Other engine code (training, backward) should multiply through `Matmul` too: once the engine
/// has run, OpenBLAS is single-threaded for the whole process.
///
/// Parallel regions do not nest: a region started inside another runs serially in its caller.
/// Forward passes hold `Parallel.forwardLock`, so two forwards in one process take turns.
///
/// A region is a small struct (`ParallelRegion`, `RangeRegion`) holding the pointers it works on,
/// not a closure: handing a non-escaping closure to another thread needs `withoutActuallyEscaping`,
/// which heap-allocates on every call — ~200 allocations per decode step. Structs keep the decode
/// loop free of allocations.
public enum Parallel {
    /// Cores the engine uses: all the process may run on, or `FTLAB_THREADS` when set.
    public static let cores: Int = {
        if let v = ProcessInfo.processInfo.environment["FTLAB_THREADS"], let n = Int(v), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Serialises forward passes.
    static let forwardLock = NSLock()

    #if os(Linux)
    static let pool = WorkerPool(workers: cores)
    #endif

    /// Makes OpenBLAS single-threaded (once per process; see the policy above), after moving it
    /// off a generic fallback core onto the kernels this CPU supports (`OpenBLASCore`).
    static let blasSingleThreaded: Void = {
        _ = OpenBLASCore.selected
        openblas_set_num_threads(1)
    }()

    /// Runs `region.run(worker:workers:)` once per core, concurrently; each worker takes its share
    /// of the items itself (`chunk`, or round-robin), so per-worker scratch can be indexed by it.
    @inline(__always)
    static func forEachWorker<R: ParallelRegion>(_ region: R) {
        #if os(Linux)
        pool.run(region)
        #else
        DispatchQueue.concurrentPerform(iterations: cores) { w in region.run(worker: w, workers: cores) }
        #endif
    }

    /// Splits `0..<count` into one contiguous range per worker and runs them concurrently; runs
    /// inline when `count * costPerItem` is below `minimumWork` (about a microsecond of work).
    @inline(__always)
    static func forRanges<R: RangeRegion>(_ count: Int, costPerItem: Int = 1, minimumWork: Int = 4096, _ region: R) {
        if count <= 0 { return }
        if cores == 1 || count == 1 || count * costPerItem < minimumWork {
            region.run(0..<count)
            return
        }
        forEachWorker(Chunked(count: count, region: region))
    }

    private struct Chunked<R: RangeRegion>: ParallelRegion {
        let count: Int
        let region: R
        func run(worker: Int, workers: Int) {
            let r = Parallel.chunk(count, worker, workers)
            if !r.isEmpty { region.run(r) }
        }
    }

    /// The `worker`-th of `workers` near-equal contiguous parts of `0..<count`, with part sizes
    /// rounded to multiples of `align` (except the last).
    @inline(__always)
    static func chunk(_ count: Int, _ worker: Int, _ workers: Int, align: Int = 1) -> Range<Int> {
        let units = (count + align - 1) / align
        let base = units / workers, extra = units % workers
        let start = (worker * base + min(worker, extra)) * align
        let end = ((worker + 1) * base + min(worker + 1, extra)) * align
        return min(start, count)..<min(end, count)
    }
}

/// A parallel region: what every worker runs, given its index.
protocol ParallelRegion {
    func run(worker: Int, workers: Int)
}

/// A loop over items, run on contiguous ranges of them (`Parallel.forRanges`).
protocol RangeRegion {
    func run(_ range: Range<Int>)
}

#if os(Linux)
import Synchronization

/// A fixed set of threads (one per core besides the caller's) that run one parallel region at a
/// time. Between regions each worker spins for up to `spinSeconds`, then sleeps on a condition
/// variable until the next region.
final class WorkerPool: @unchecked Sendable {
    let workers: Int
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The running region: a pointer to it on the caller's stack, and a function that runs it.
    private var context: UnsafeRawPointer?
    private var invoke: ((UnsafeRawPointer, Int, Int) -> Void)?
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeup = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var sleepers = 0
    /// How long an idle worker spins before sleeping: long enough to bridge the serial gaps inside
    /// and between decode steps, short enough not to burn a core once generation stops.
    static let spinSeconds = 0.002

    init(workers: Int) {
        self.workers = max(1, workers)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeup, nil)
        for w in 1..<self.workers {
            let thread = Thread { [unowned self] in self.workerLoop(w) }
            thread.name = "ftlab-engine-\(w)"
            thread.start()
        }
    }

    /// Runs `region` on every worker w — w = 0 on the calling thread — and returns when all are
    /// done. A call made while a region is running (nested, or from another thread) runs all the
    /// workers' shares serially on its own thread instead.
    func run<R: ParallelRegion>(_ region: R) {
        guard workers > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for w in 0..<workers { region.run(worker: w, workers: workers) }
            return
        }
        withUnsafePointer(to: region) { p in
            context = UnsafeRawPointer(p)
            // Captures nothing (R is concrete once specialised), so no closure context is allocated.
            invoke = { ctx, w, n in ctx.assumingMemoryBound(to: R.self).pointee.run(worker: w, workers: n) }
            pending.store(workers - 1, ordering: .relaxed)
            generation.add(1, ordering: .releasing)
            pthread_mutex_lock(mutex)
            if sleepers > 0 { pthread_cond_broadcast(wakeup) }
            pthread_mutex_unlock(mutex)
            p.pointee.run(worker: 0, workers: workers)
            // Yield now and then: if a worker was descheduled (more threads than free cores),
            // spinning would keep it off this core for a whole time slice.
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins & 255 == 0 { sched_yield() }
            }
            context = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func workerLoop(_ index: Int) {
        var seen = 0
        while true {
            var spins = 0
            var deadline = 0.0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins & 255 == 0 { sched_yield() }
                if spins & 1023 == 0 {
                    let now = Self.now()
                    if deadline == 0 {
                        deadline = now + Self.spinSeconds
                    } else if now > deadline {
                        pthread_mutex_lock(mutex)
                        sleepers += 1
                        while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(wakeup, mutex) }
                        sleepers -= 1
                        pthread_mutex_unlock(mutex)
                    }
                }
            }
            seen = generation.load(ordering: .acquiring)
            invoke!(context!, index, workers)
            pending.subtract(1, ordering: .releasing)
        }
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
#endif
