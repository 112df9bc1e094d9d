/// The EC2 Query protocol's form encoding: `Action=<Op>&Version=2016-11-15&…`, names and
/// values percent-encoded (RFC 3986, as botocore does), lists 1-based (`InstanceId.1`).
public enum EC2Query {
    /// The API version every call sends.
    public static let version = "2016-11-15"
    /// The Content-Type of every call.
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// The form body for `action` with `parameters` in the given order (`apiVersion` is
    /// EC2's unless given: the Query protocol is shared with STS).
    public static func body(action: String, apiVersion: String = version, parameters: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + parameters.count * 32)
        var first = true
        for (name, value) in [("Action", action), ("Version", apiVersion)] + parameters {
            if !first { out.append(0x26) }
            first = false
            SigV4Encoding.append(encoding: name.utf8, to: &out)
            out.append(0x3D)
            SigV4Encoding.append(encoding: value.utf8, to: &out)
        }
        return out
    }

    /// `prefix.1=v1&prefix.2=v2…`.
    static func list(_ prefix: String, _ values: [String]) -> [(String, String)] {
        values.enumerated().map { ("\(prefix).\($0.offset + 1)", $0.element) }
    }

    /// `Filter.N.Name` / `Filter.N.Value.M`.
    static func filters(_ filters: [EC2Filter]) -> [(String, String)] {
        var out: [(String, String)] = []
        for (i, filter) in filters.enumerated() {
            out.append(("Filter.\(i + 1).Name", filter.name))
            out += list("Filter.\(i + 1).Value", filter.values)
        }
        return out
    }
}

/// A DescribeX filter: values within one filter are OR'ed, filters are AND'ed.
public struct EC2Filter: Sendable, Equatable {
    /// Filter name, e.g. `tag:runway:pool`, `instance-state-name`, `client-token`.
    public var name: String
    /// Accepted values.
    public var values: [String]

    /// Creates a filter.
    public init(_ name: String, _ values: [String]) {
        self.name = name
        self.values = values
    }

    /// `tag:<key>` equal to one of `values`.
    public static func tag(_ key: String, _ values: String...) -> EC2Filter { EC2Filter("tag:\(key)", values) }
}
