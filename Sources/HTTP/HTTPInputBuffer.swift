/// Bytes received on a connection and not yet consumed by the parser.
///
/// Appends go to the end; the parser consumes from the front by advancing `readIndex`, and the
/// storage is compacted only when the consumed prefix is large, so a byte is copied at most a
/// couple of times however the input is split across reads.
public struct HTTPInputBuffer: Sendable {
    /// Backing storage; bytes before `readIndex` are already consumed.
    public private(set) var storage: [UInt8]
    /// Index of the first unconsumed byte in `storage`.
    public private(set) var readIndex: Int

    /// Creates a buffer holding `bytes`.
    public init(_ bytes: [UInt8] = []) {
        storage = bytes
        readIndex = 0
    }

    /// The number of unconsumed bytes.
    @inlinable public var readableCount: Int { storage.count - readIndex }

    /// Whether every byte has been consumed.
    @inlinable public var isEmpty: Bool { readIndex == storage.count }

    /// The unconsumed bytes, copied.
    public var readableBytes: [UInt8] { Array(storage[readIndex...]) }

    /// Appends received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        storage.append(contentsOf: bytes)
    }

    /// Appends received bytes.
    public mutating func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 {
        storage.append(contentsOf: bytes)
    }

    /// Marks `count` bytes at the front as consumed.
    public mutating func consume(_ count: Int) {
        precondition(count >= 0 && count <= readableCount, "consume past the end of the input buffer")
        readIndex += count
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 1 << 16)
            readIndex = 0
        } else if readIndex >= 1 << 14 && readIndex * 2 >= storage.count {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// Copies `count` unconsumed bytes from the front and consumes them.
    mutating func take(_ count: Int) -> [UInt8] {
        let bytes = Array(storage[readIndex..<(readIndex + count)])
        consume(count)
        return bytes
    }
}
