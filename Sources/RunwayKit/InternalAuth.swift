import HTTP
import Signing

/// The internal endpoints' bearer-token check (`Authorization: Bearer $RUNWAY_INTERNAL_TOKEN`).
public enum InternalAuth {
    /// Throws 401 (no detail) unless the request carries the token; compared in constant time.
    /// With no token configured every request is refused: internal endpoints are never open.
    public static func check(_ request: HTTPRequest, token: String?) throws(HTTPError) {
        guard let token, let header = request.headers["Authorization"] else { throw .unauthorized }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix.lowercased() else {
            throw .unauthorized
        }
        let presented = header.dropFirst(prefix.count)
        guard ConstantTime.equals(Array(presented.utf8), Array(token.utf8)) else { throw .unauthorized }
    }

    /// The header value to send on internal calls.
    public static func headerValue(_ token: String) -> String {
        "Bearer \(token)"
    }
}
