/// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (either case), resolved once so that every request
/// agrees, and handed to libcurl explicitly rather than left to its own environment reading.
/// Loopback endpoints never go through a proxy.
public struct ProxySettings: Sendable, Equatable {
    public var httpsProxy: String?
    public var httpProxy: String?
    /// Comma-separated hosts or domain suffixes; `*` bypasses the proxy everywhere.
    public var noProxy: String?

    public init(httpsProxy: String? = nil, httpProxy: String? = nil, noProxy: String? = nil) {
        self.httpsProxy = httpsProxy
        self.httpProxy = httpProxy
        self.noProxy = noProxy
    }

    public static func fromEnvironment(_ env: [String: String]) -> ProxySettings {
        func value(_ name: String) -> String? {
            let v = env[name] ?? env[name.lowercased()]
            return (v?.isEmpty ?? true) ? nil : v
        }
        return ProxySettings(
            httpsProxy: value("HTTPS_PROXY"),
            httpProxy: value("HTTP_PROXY"),
            noProxy: value("NO_PROXY")
        )
    }

    /// The proxy for a URL's scheme, or nil to go direct.
    func proxy(forScheme scheme: String?, loopback: Bool) -> String? {
        if loopback { return nil }
        return scheme == "https" ? httpsProxy : httpProxy
    }
}
