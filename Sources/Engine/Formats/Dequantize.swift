import Foundation

#if _endian(big)
#error("The GGUF/safetensors readers assume a little-endian host")
#endif

/// Turns stored ggml data into floats, splitting large tensors across cores.
enum GGMLDequantizer {
    typealias Kernel = (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void

    /// The kernel for `type`, taking a count of blocks (elements, for scalar types).
    static func kernel(for type: GGMLType) -> Kernel? {
        switch type {
        case .f32: return BlockDequantizer.f32
        case .f16: return BlockDequantizer.f16
        case .bf16: return BlockDequantizer.bf16
        case .q8_0: return BlockDequantizer.q8_0
        case .q4_0: return BlockDequantizer.q4_0
        case .q4_1: return BlockDequantizer.q4_1
        case .q5_0: return BlockDequantizer.q5_0
        case .q5_1: return BlockDequantizer.q5_1
        case .q4_K: return KQuantDequantizer.q4_K
        case .q5_K: return KQuantDequantizer.q5_K
        case .q6_K: return KQuantDequantizer.q6_K
        default: return nil
        }
    }

    /// Below this many output floats a tensor is done on the calling thread: dispatch costs
    /// more than it saves on norms and biases.
    static let parallelThreshold = 1 << 16

    /// Dequantizes `blocks` blocks of `type` from `src` into `dst` (which must have room for
    /// `blocks × type.blockSize` floats). Returns false if the type is unsupported.
    static func run(_ type: GGMLType, src: UnsafeRawPointer, blocks: Int, dst: UnsafeMutablePointer<Float>) -> Bool {
        guard let kernel = kernel(for: type) else { return false }
        let elements = blocks * type.blockSize
        if elements < parallelThreshold {
            kernel(src, dst, blocks)
            return true
        }
        // A few chunks per core so that a core that gets descheduled does not hold up the rest.
        let chunks = min(blocks, ProcessInfo.processInfo.activeProcessorCount * 4)
        let perChunk = (blocks + chunks - 1) / chunks
        let stride = type.bytesPerBlock
        let srcAddress = UInt(bitPattern: src), dstAddress = UInt(bitPattern: dst)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let first = c * perChunk
            let count = min(perChunk, blocks - first)
            guard count > 0 else { return }
            let s = UnsafeRawPointer(bitPattern: srcAddress)! + first * stride
            let d = UnsafeMutablePointer<Float>(bitPattern: dstAddress)! + first * type.blockSize
            kernel(s, d, count)
        }
        return true
    }
}
