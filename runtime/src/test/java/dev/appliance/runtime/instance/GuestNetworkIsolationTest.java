package dev.appliance.runtime.instance;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real UML guest and a service listening on the host's 127.0.0.1 (as another
 * instance's published port, a local registry or a database would): by default the
 * guest cannot reach it through its gateway 10.0.2.2, while its own published port
 * still serves; with --allow-host-loopback it can.
 */
class GuestNetworkIsolationTest extends BootTest {
    @Test
    void guestReachesTheHostLoopbackOnlyWhenAllowed() throws Exception {
        AtomicInteger served = new AtomicInteger();
        HttpServer host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        host.createContext("/", exchange -> {
            served.incrementAndGet();
            byte[] body = "a host-only service\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        host.start();
        try {
            String url = "http://10.0.2.2:" + host.getAddress().getPort() + "/";
            InstanceInfo isolated = manager.run(Guests.request("isolated", "uml", List.of("80"),
                            Map.of("probe_url", url), Map.of(), List.of(), RunRequest.Isolation.DEFAULT),
                    TestImage.resolver(dirs), false, Guests.BOOT_TIMEOUT, Guests::progress);
            assertEquals("unreachable: " + url, Guests.get(isolated, "/cgi-bin/outbound"),
                    "the guest's own published port serves, the host's loopback does not");
            assertEquals(0, served.get(), "no request reached the host service");
            manager.remove("isolated", true);

            InstanceInfo allowed = manager.run(Guests.request("allowed", "uml", List.of("80"),
                            Map.of("probe_url", url), Map.of(), List.of(), new RunRequest.Isolation(false, true)),
                    TestImage.resolver(dirs), false, Guests.BOOT_TIMEOUT, Guests::progress);
            assertEquals("reachable", Guests.get(allowed, "/cgi-bin/outbound"), "--allow-host-loopback");
            assertTrue(served.get() > 0, "the request reached the host service");
        } finally {
            host.stop(0);
        }
    }
}
