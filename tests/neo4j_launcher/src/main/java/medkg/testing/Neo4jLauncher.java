package medkg.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import inet.ipaddr.IPAddressString;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs a real Neo4j Community DBMS in-process with only a Bolt connector, for tests.
 *
 * <p>Usage: {@code java -cp ... medkg.testing.Neo4jLauncher HOME_DIR BOLT_PORT}
 *
 * <p>Prints exactly one line {@code NEO4J_READY bolt://127.0.0.1:PORT} to stdout once Bolt accepts
 * connections. Shuts down cleanly on SIGTERM/SIGINT (shutdown hook), and when its stdin reaches EOF,
 * so it dies with its parent even if the parent is SIGKILLed. Auth is disabled: test use only.
 *
 * <p>{@code LOAD CSV} cannot read the machine's files or reach the network, as recommended for a production
 * server behind {@code kg serve} (README, docker-compose.yml): file URLs are refused, the import directory is an
 * empty {@code import/} under HOME_DIR (embedded Neo4j has none by default: every file would be readable), and
 * every IPv4 and IPv6 address is on the Cypher IP blocklist ({@code internal.dbms.cypher_ip_blocklist}, the
 * name in 5.26). medkg never uses {@code LOAD CSV}.
 */
public final class Neo4jLauncher {
    private static final String HOST = "127.0.0.1";
    private static final AtomicReference<DatabaseManagementService> SERVICE = new AtomicReference<>();

    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Neo4jLauncher HOME_DIR BOLT_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long t0 = System.nanoTime();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            DatabaseManagementService s = SERVICE.getAndSet(null);
            if (s != null) {
                s.shutdown();
            }
        }, "neo4j-shutdown"));
        watchStdin();

        try {
            start(home, port);
        } catch (Throwable t) {
            t.printStackTrace();
            System.err.println("NEO4J_FAILED " + t);
            System.exit(1);
        }
        System.err.printf("neo4j started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        System.out.println("NEO4J_READY bolt://" + HOST + ":" + port);
        System.out.flush();
        // Neo4j's own non-daemon threads keep the JVM alive until shutdown.
    }

    private static void start(Path home, int port) throws InterruptedException, IOException {
        Path importDir = Files.createDirectories(home.resolve("import"));
        DatabaseManagementService s = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // Netty/worker pools otherwise wait ~5 s each on shutdown.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofMillis(500))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofMillis(500))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseSettings.filewatcher_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory,
                        ByteUnit.mebiBytes(Long.getLong("medkg.pagecacheMiB", 64)))  // benchmarks raise it
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(4))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(2))
                .setConfig(GraphDatabaseSettings.allow_file_urls, false)
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                .setConfig(GraphDatabaseInternalSettings.cypher_ip_blocklist,
                        List.of(new IPAddressString("0.0.0.0/0"), new IPAddressString("::/0")))
                .build();
        SERVICE.set(s);
        if (!s.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).isAvailable(120_000)) {
            throw new IllegalStateException("default database did not become available");
        }
        waitForPort(port, Duration.ofSeconds(60));
    }

    /** Exit (running the shutdown hook) once stdin is closed, i.e. when the parent process goes away. */
    private static void watchStdin() {
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) != -1) {
                    // ignore input
                }
            } catch (IOException ignored) {
                // treat as EOF
            }
            System.err.println("stdin closed, shutting down");
            System.exit(0);
        }, "stdin-watcher");
        t.setDaemon(true);
        t.start();
    }

    private static void waitForPort(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Bolt port " + port + " not accepting connections", e);
                }
                Thread.sleep(50);
            }
        }
    }
}
