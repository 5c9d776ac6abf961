import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `serve`'s HTTP endpoints: /healthz (the process answers), /readyz (passes succeed and are
/// recent) and Prometheus /metrics. Loopback unless `--listen` says otherwise.
public enum StatusServer {
    public static func make(
        host: String,
        port: Int,
        metrics: ReconcileMetrics,
        readiness: Readiness,
        logger: Logger,
        onListening: @escaping @Sendable (String) async -> Void
    ) -> some Service {
        let router = Router()
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ in
            let (ready, text) = await readiness.report(now: Date())
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text + "\n"))
            )
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition()))
            )
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "lifeline"),
            onServerRunning: { channel in await onListening("http://\(host):\(channel.localAddress?.port ?? port)") },
            logger: logger
        )
    }
}

extension StatusServer {
    /// One line for an error that stopped `serve`: a listener that could not bind says what to do.
    public static func explain(_ error: any Error, listen: String) -> String {
        if let io = error as? IOError, io.errnoCode == EADDRINUSE {
            return
                "cannot listen on \(listen): the address is in use (another lifeline serve?); give --listen "
                + "HOST:PORT, or --listen off"
        }
        if let io = error as? IOError, io.errnoCode == EADDRNOTAVAIL || io.errnoCode == EACCES {
            return "cannot listen on \(listen): \(io.description); give --listen HOST:PORT, or --listen off"
        }
        return "\(error)"
    }
}
