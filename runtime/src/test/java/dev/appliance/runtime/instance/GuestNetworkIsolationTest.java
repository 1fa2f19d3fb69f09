package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real guests and a service listening on the host's 127.0.0.1 (as another instance's published
 * port, a local registry or a database would): by default a guest cannot reach it through its
 * gateway 10.0.2.2, while its own published port still serves; with --allow-host-loopback it can.
 * UML and QEMU share the network helper, so both are checked.
 */
class GuestNetworkIsolationTest extends BootTest {
  private final AtomicInteger served = new AtomicInteger();
  private HttpServer host;
  private String url;

  @BeforeEach
  void startHostService() throws IOException {
    host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    host.createContext(
        "/",
        exchange -> {
          served.incrementAndGet();
          byte[] body = "a host-only service\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    host.start();
    url = "http://10.0.2.2:" + host.getAddress().getPort() + "/";
  }

  @AfterEach
  void stopHostService() {
    host.stop(0);
  }

  @Test
  void umlGuestReachesTheHostLoopbackOnlyWhenAllowed() throws Exception {
    InstanceInfo isolated = run("isolated", "uml", RunRequest.Isolation.DEFAULT);
    assertEquals(
        "unreachable: " + url,
        Guests.get(isolated, "/cgi-bin/outbound"),
        "the guest's own published port serves, the host's loopback does not");
    assertEquals(0, served.get(), "no request reached the host service");
    assertTrue(
        console("isolated").contains("Checking that seccomp filters can be installed...OK"),
        "UML runs in seccomp mode inside its sandbox");
    manager.remove("isolated", true);

    InstanceInfo allowed = run("allowed", "uml", new RunRequest.Isolation(false, true));
    assertEquals("reachable", Guests.get(allowed, "/cgi-bin/outbound"), "--allow-host-loopback");
    assertTrue(served.get() > 0, "the request reached the host service");
  }

  @Test
  void tcgGuestIsKeptOffTheHostLoopbackToo() throws Exception {
    InstanceInfo isolated = run("isolated-tcg", "tcg", RunRequest.Isolation.DEFAULT);
    assertEquals("unreachable: " + url, Guests.get(isolated, "/cgi-bin/outbound"));
    assertEquals(0, served.get(), "no request reached the host service");
  }

  private InstanceInfo run(String name, String engine, RunRequest.Isolation isolation) {
    return manager.run(
        Guests.request(
            name, engine, List.of("80"), Map.of("probe_url", url), Map.of(), List.of(), isolation),
        TestImage.resolver(dirs),
        false,
        Guests.bootTimeout(engine),
        Guests::progress);
  }

  private String console(String name) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    manager.logs(name, false, out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
