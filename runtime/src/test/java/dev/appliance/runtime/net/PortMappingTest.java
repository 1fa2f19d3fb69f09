package dev.appliance.runtime.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortMappingTest {
  @Test
  void loopbackUnlessAnAddressIsGiven() {
    assertEquals(new PortMapping("127.0.0.1", 8080, 80, "tcp"), PortMapping.parse("8080:80"));
    assertEquals(new PortMapping("0.0.0.0", 8080, 80, "tcp"), PortMapping.parse("0.0.0.0:8080:80"));
    assertEquals(new PortMapping("127.0.0.1", 0, 80, "tcp"), PortMapping.parse("80"));
    assertEquals(new PortMapping("127.0.0.1", 5353, 53, "udp"), PortMapping.parse("5353:53/udp"));
    assertEquals(new PortMapping("::1", 8080, 80, "tcp"), PortMapping.parse("[::1]:8080:80"));
  }

  @Test
  void badSpecsNameTheValue() {
    for (String bad : List.of("", "x", "80:", "70000:80", "8080:0", "1.2.3.4:80", "8080:80/sctp")) {
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> PortMapping.parse(bad));
      assertTrue(e.getMessage().startsWith("port mapping " + bad), e.getMessage());
    }
  }

  @Test
  void portInUseIsAClearErrorAndFreePortsArePicked() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      ApplianceException e =
          assertThrows(
              ApplianceException.class,
              () -> PortAllocator.allocate(List.of(PortMapping.parse(port + ":80")), 80));
      assertTrue(
          e.getMessage().contains("127.0.0.1:" + port + "/tcp is already in use"), e.getMessage());
    }
    List<PublishedPort> ports =
        PortAllocator.allocate(List.of(PortMapping.parse("80"), PortMapping.parse("443")), 80);
    assertEquals(2, ports.size(), "the health port is covered by a user's port: no internal one");
    assertNotEquals(0, ports.get(0).hostPort());
    assertNotEquals(ports.get(0).hostPort(), ports.get(1).hostPort());
  }

  @Test
  void healthPortIsPublishedInternallyWhenTheUserDidNot() {
    List<PublishedPort> ports = PortAllocator.allocate(List.of(), 8080);
    assertEquals(1, ports.size());
    assertTrue(ports.get(0).internal());
    assertEquals("127.0.0.1", ports.get(0).address());
    assertEquals(8080, ports.get(0).guestPort());
  }

  @Test
  void sameHostPortTwiceIsRefused() {
    assertThrows(
        InvalidInputException.class,
        () ->
            PortAllocator.allocate(
                List.of(PortMapping.parse("18080:80"), PortMapping.parse("18080:81")), 0));
  }
}
