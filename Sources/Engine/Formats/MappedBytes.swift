#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Read-only bytes that a reader parses in place: either a private read-only memory map of a
/// file (so multi-hundred-megabyte weights cost no copy and no heap) or an owned copy of an
/// in-memory buffer (tests and fuzzing). Immutable once made, hence safe to share across threads.
///
/// A mapped file that another process truncates while mapped can still raise SIGBUS; that is
/// the price of mmap and the same contract llama.cpp has.
final class MappedBytes: @unchecked Sendable {
    /// Why the bytes could not be obtained (the caller adds its own file name and error type).
    struct Failure: Error { let message: String }

    let base: UnsafeRawPointer?
    let count: Int
    private let isMapped: Bool

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Maps `path` read-only. An empty file maps to an empty buffer (mmap rejects length 0).
    init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure(message: "cannot stat: \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw Failure(message: "not a regular file") }
        let size = Int(st.st_size)
        if size == 0 {
            base = nil; count = 0; isMapped = false
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw Failure(message: "cannot mmap \(size) bytes: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p); count = size; isMapped = true
    }

    /// Copies `data` into 64-byte-aligned memory so that in-memory parsing sees the same
    /// alignment guarantees as a page-aligned map.
    init(copying data: Data) {
        count = data.count
        isMapped = false
        if data.isEmpty { base = nil; return }
        let p = UnsafeMutableRawPointer.allocate(byteCount: data.count, alignment: 64)
        data.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        base = UnsafeRawPointer(p)
    }

    deinit {
        guard let base else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            base.deallocate()
        }
    }
}
