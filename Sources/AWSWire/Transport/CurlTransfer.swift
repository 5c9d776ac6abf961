import CCurl
import Foundation
import Synchronization

/// The state of one request while libcurl works on it: the easy handle, what it sends, what came
/// back, and the continuation to resume. Owned by the transport's loop thread once submitted.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let pool: CurlHandlePool
    private let url: URL
    /// The endpoint as errors name it, made only when one is made.
    var endpoint: String { url.redactedEndpoint }
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    var responseBody = Data()
    var tooLarge = false
    var responseHeaders: [(name: String, value: String)] = []
    var continuation: CheckedContinuation<HTTPResponse, any Error>?

    init(_ request: HTTPRequest, proxy: ProxySettings, loopback: Bool, pool: CurlHandlePool) throws {
        guard let handle = pool.take() else {
            throw TransportError(kind: .other, message: "curl_easy_init failed", endpoint: request.url.redactedEndpoint)
        }
        self.handle = handle
        self.pool = pool
        url = request.url
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        ccurl_setopt_string(handle, CURLOPT_URL, request.url.absoluteString)
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        // TLS verification is always on: there is no switch for it anywhere in lifeline.
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        let timeoutMS = max(1, Int(request.timeout.milliseconds))
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMS)
        ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMS, 10_000))
        ccurl_setopt_string(handle, CURLOPT_PROXY, proxy.proxy(forScheme: request.url.scheme, loopback: loopback) ?? "")
        if let noProxy = proxy.noProxy { ccurl_setopt_string(handle, CURLOPT_NOPROXY, noProxy) }

        switch request.method {
        case "GET":
            ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            ccurl_setopt_long(handle, CURLOPT_POST, 1)
            ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count)
            // COPYPOSTFIELDS: libcurl keeps its own copy, so the body's lifetime is not ours to manage.
            request.body.withUnsafeBytes { buf in
                let empty: StaticString = ""
                _ = ccurl_setopt_pointer(
                    handle,
                    CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: buf.baseAddress ?? UnsafeRawPointer(empty.utf8Start))
                )
            }
            if request.method != "POST" { ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        }

        var list: UnsafeMutablePointer<curl_slist>? = nil
        var line: [UInt8] = []
        for header in request.headers {
            // "Name: value" and a NUL, built as bytes (libcurl copies it).
            line.removeAll(keepingCapacity: true)
            var name = header.name
            var value = header.value
            name.withUTF8 { line.append(contentsOf: $0) }
            line.append(UInt8(ascii: ":"))
            line.append(UInt8(ascii: " "))
            value.withUTF8 { line.append(contentsOf: $0) }
            line.append(0)
            list = line.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { curl_slist_append(list, $0.baseAddress) }
            }
        }
        // No `Expect: 100-continue` round trip, and no default Content-Type from libcurl.
        list = curl_slist_append(list, "Expect:")
        if !request.headers.contains(where: { $0.name.utf8.count == 12 && $0.name.lowercased() == "content-type" }) {
            list = curl_slist_append(list, "Content-Type:")
        }
        headerList = list
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)

        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        ccurl_setopt_write(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            guard transfer.responseBody.count + n <= HTTPResponse.maxBodyBytes else {
                transfer.tooLarge = true
                return 0  // libcurl stops the transfer with CURLE_WRITE_ERROR
            }
            if let data {
                transfer.responseBody.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: n)
            }
            return n
        }
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
        ccurl_setopt_write(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            guard let data else { return n }
            transfer.receivedHeaderLine(UnsafeRawBufferPointer(start: data, count: n))
            return n
        }
        ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        // Pages of instances and groups are a few hundred KB: read in 64 KB pieces, not libcurl's
        // 16 KB (a quarter of the reads and of the calls back with a piece).
        ccurl_setopt_long(handle, CURLOPT_BUFFERSIZE, 64 << 10)
    }

    /// A status line starts a new response (a proxy's CONNECT answer, a 100 Continue): keep only
    /// the headers of the last one.
    private func receivedHeaderLine(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            responseHeaders.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        // Names lower-cased as they are made (HTTPResponse keeps them so).
        let nameBytes = Self.trimmed(line[..<colon])
        let name = String(unsafeUninitializedCapacity: nameBytes.count) { out in
            for (i, byte) in nameBytes.enumerated() {
                out[i] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return nameBytes.count
        }
        let value = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
        responseHeaders.append((name, value))
        // The body's room at once, not grown (and copied) again and again as its pieces arrive: a
        // page of instances is a few hundred KB. A length past the cap reserves nothing.
        if responseBody.isEmpty, name == "content-length",
            let length = Int(value), length > 0, length <= HTTPResponse.maxBodyBytes
        {
            responseBody = Data(capacity: length)
        }
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var part = bytes
        while let first = part.first, isASCIIWhitespace(first) { part.removeFirst() }
        while let last = part.last, isASCIIWhitespace(last) { part.removeLast() }
        return part
    }

    /// What libcurl's result means for the caller.
    func finish(_ code: CURLcode) -> Result<HTTPResponse, TransportError> {
        if tooLarge {
            return .failure(
                TransportError(
                    kind: .tooLarge,
                    message: "the answer is larger than \(HTTPResponse.maxBodyBytes >> 20) MiB; reading stopped",
                    endpoint: endpoint
                )
            )
        }
        guard code == CURLE_OK else {
            let detail = String(validatingCString: errorBuffer) ?? ""
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(TransportError(kind: Self.kind(of: code), message: message, endpoint: endpoint))
        }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, lowercasedHeaders: responseHeaders, body: responseBody))
    }

    static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            .tls
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            .connection
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: .refused
        default: .other
        }
    }

    deinit {
        pool.put(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }
}

/// Easy handles kept for the next request: a handle's buffers are allocated once, not per request.
/// A handle is reset before it is used again, so nothing of the last request's options remains.
final class CurlHandlePool: @unchecked Sendable {
    private struct Handle: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }
    private let idle = Mutex<[Handle]>([])
    private let limit: Int

    init(limit: Int = 32) { self.limit = limit }

    func take() -> UnsafeMutableRawPointer? {
        if let handle = idle.withLock({ $0.popLast() }) {
            curl_easy_reset(handle.pointer)
            return handle.pointer
        }
        return curl_easy_init()
    }

    /// Takes back a handle no multi handle holds any more.
    func put(_ handle: UnsafeMutableRawPointer) {
        let kept = idle.withLock { idle in
            guard idle.count < limit else { return false }
            idle.append(Handle(pointer: handle))
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }

    deinit {
        for handle in idle.withLock({ $0 }) { curl_easy_cleanup(handle.pointer) }
    }
}
