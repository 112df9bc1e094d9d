import CEpoll
#if canImport(Glibc)
import Glibc
#endif

/// The single owner of a file descriptor: closes it exactly once, in `close()` or `deinit`.
final class FileDescriptor {
    private(set) var fd: Int32

    init(_ fd: Int32) {
        self.fd = fd
    }

    var isOpen: Bool { fd >= 0 }

    /// Gives up ownership without closing and returns the descriptor.
    func release() -> Int32 {
        defer { fd = -1 }
        return fd
    }

    func close() {
        guard fd >= 0 else { return }
        _ = Glibc.close(fd)
        fd = -1
    }

    deinit {
        close()
    }
}

/// A system call failure: the call and `errno`, safe to log.
struct SystemError: Error, CustomStringConvertible {
    let call: String
    let errno: Int32

    var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Thin wrappers over socket system calls: `errno` read right after the call, `EINTR` retried.
enum Sockets {
    /// Creates a non-blocking IPv4 TCP socket bound to `host:port` and listening; returns the fd and bound port.
    /// With `reusePort`, several sockets may listen on the same port and the kernel spreads new
    /// connections across them (one per reactor thread).
    static func listen(host: String, port: Int, backlog: Int, reusePort: Bool = false) throws -> (fd: Int32, port: Int) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw SystemError(call: "inet_pton(\(host))", errno: EINVAL)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        let owner = FileDescriptor(fd)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort {
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SystemError(call: "bind(\(host):\(port))", errno: errno) }
        guard Glibc.listen(fd, Int32(clamping: backlog)) == 0 else { throw SystemError(call: "listen", errno: errno) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SystemError(call: "getsockname", errno: errno) }
        return (owner.release(), Int(UInt16(bigEndian: actual.sin_port)))
    }

    /// Accepts one connection as a non-blocking fd; nil when none is pending.
    static func accept(_ listener: Int32) -> Result<Int32, SystemError>? {
        while true {
            let fd = cepoll_accept_nonblocking(listener)
            if fd >= 0 {
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return .success(fd)
            }
            let error = errno
            switch error {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: return .failure(SystemError(call: "accept4", errno: error))
            }
        }
    }

    /// Outcome of a non-blocking read or write.
    enum IOResult {
        case bytes(Int)
        case wouldBlock
        case closed
        case failed(Int32)
    }

    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            let error = errno
            switch error {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(error)
            }
        }
    }

    /// Sends without raising SIGPIPE when the peer has gone.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .bytes(n) }
            let error = errno
            switch error {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(error)
            }
        }
    }

    /// Raises the soft open-files limit to the hard limit, so thousands of connections fit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Nanoseconds on the monotonic clock.
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (ns, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ UInt64(attoseconds / 1_000_000_000)
    }
}
