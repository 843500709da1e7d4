import CZlib
import Foundation

/// gzip files through zlib, streamed in 1 MiB chunks (a study database is tens of MB; nothing
/// needs it whole in memory). The output is what `gzip -n` writes: no name, modification time 0,
/// so packing the same database twice gives the same bytes, and `gunzip` reads it.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static let chunk = 1 << 20

    /// True when the file starts with gzip's magic bytes 1f 8b.
    public static func isGzip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 2)) == Data([0x1F, 0x8B])
    }

    /// Compresses `source` into `destination` (written whole or not at all: a temporary file
    /// renamed into place).
    public static func compress(_ source: String, to destination: String, level: Int32 = 9) throws {
        try transform(source, to: destination, direction: .compress(level: level))
    }

    /// Decompresses the gzip file `source` into `destination`. A truncated or corrupt file is an
    /// error naming it; concatenated gzip members are read one after another, as gunzip does.
    public static func decompress(_ source: String, to destination: String) throws {
        try transform(source, to: destination, direction: .decompress)
    }

    private enum Direction {
        case compress(level: Int32)
        case decompress
    }

    /// Feeds `source` chunk by chunk through deflate or inflate, writing every output buffer as
    /// it fills, into a temporary file renamed to `destination` once the stream has ended.
    private static func transform(_ source: String, to destination: String, direction: Direction) throws {
        let input = open(source, O_RDONLY)
        guard input >= 0 else { throw Failure(description: "cannot read \(source): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let temporary = destination + ".partial-\(getpid())"
        let output = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard output >= 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var finished = false
        defer {
            close(output)
            if !finished { unlink(temporary) }
        }

        let inBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        let outBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let size = Int32(MemoryLayout<z_stream>.size)
        let started: Int32
        switch direction {
        // windowBits 15 + 16: a gzip wrapper rather than zlib's; memLevel 8 is zlib's default.
        case .compress(let level): started = deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), size)
        case .decompress: started = inflateInit2_(stream, 15 + 16, zlibVersion(), size)
        }
        defer {
            switch direction {
            case .compress: deflateEnd(stream)
            case .decompress: inflateEnd(stream)
            }
            stream.deallocate(); inBuffer.deallocate(); outBuffer.deallocate()
        }
        guard started == Z_OK else { throw Failure(description: "zlib could not start on \(source) (error \(started))") }

        func drain() throws {
            var pending = chunk - Int(stream.pointee.avail_out)
            var from = outBuffer
            while pending > 0 {
                let written = write(output, from, pending)
                guard written > 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
                pending -= written; from += written
            }
        }

        var ended = false       // the current gzip member (or our own stream) has ended
        var readAny = false
        while true {
            let got = read(input, inBuffer, chunk)
            guard got >= 0 else { throw Failure(description: "cannot read \(source): \(String(cString: strerror(errno)))") }
            let atEOF = got == 0
            readAny = readAny || got > 0
            stream.pointee.next_in = inBuffer
            stream.pointee.avail_in = UInt32(got)
            switch direction {
            case .compress:
                // deflate takes all input while it has room to write; Z_FINISH at end of file
                // flushes until Z_STREAM_END.
                repeat {
                    stream.pointee.next_out = outBuffer
                    stream.pointee.avail_out = UInt32(chunk)
                    let status = deflate(stream, atEOF ? Z_FINISH : Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw Failure(description: "compressing \(source): zlib error \(status)")
                    }
                    try drain()
                    ended = status == Z_STREAM_END
                } while stream.pointee.avail_out == 0 && !ended
            case .decompress:
                // Also go on while the last call filled the output buffer: zlib may hold more
                // output for the input it already took.
                var filled = false
                while stream.pointee.avail_in > 0 || (filled && !ended) {
                    if ended {
                        // Another gzip member follows the one that ended.
                        guard inflateReset(stream) == Z_OK else { throw Failure(description: "\(source): zlib could not reset") }
                        ended = false
                    }
                    stream.pointee.next_out = outBuffer
                    stream.pointee.avail_out = UInt32(chunk)
                    let before = stream.pointee.avail_in
                    let status = inflate(stream, Z_NO_FLUSH)
                    switch status {
                    case Z_OK, Z_BUF_ERROR: break
                    case Z_STREAM_END: ended = true
                    case Z_DATA_ERROR, Z_NEED_DICT:
                        throw Failure(description: "\(source): not valid gzip data (corrupt near byte \(stream.pointee.total_in))")
                    default: throw Failure(description: "decompressing \(source): zlib error \(status)")
                    }
                    filled = stream.pointee.avail_out == 0
                    let stalled = status == Z_BUF_ERROR && stream.pointee.avail_in == before && stream.pointee.avail_out == UInt32(chunk)
                    try drain()
                    if stalled {
                        // With no input left it only needs the next chunk; with input left, no
                        // progress is possible: the data is bad.
                        if before == 0 { break }
                        throw Failure(description: "\(source): zlib made no progress (corrupt data)")
                    }
                }
            }
            if atEOF { break }
        }
        switch direction {
        case .compress:
            guard ended else { throw Failure(description: "compressing \(source): zlib did not finish the stream") }
        case .decompress:
            guard readAny else { throw Failure(description: "\(source): empty file, not gzip data") }
            guard ended else { throw Failure(description: "\(source): truncated gzip file (it ends inside the compressed data)") }
        }
        guard fsync(output) == 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        guard rename(temporary, destination) == 0 else {
            throw Failure(description: "cannot move \(temporary) to \(destination): \(String(cString: strerror(errno)))")
        }
        finished = true
    }
}
