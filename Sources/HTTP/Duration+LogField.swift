extension Duration {
    /// Milliseconds with three decimals (`9.883`), the form of every `duration_ms` log field.
    public var logMilliseconds: String {
        let (seconds, attoseconds) = components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return "\(micros / 1000).\(String(micros % 1000 + 1000).dropFirst())"
    }
}
