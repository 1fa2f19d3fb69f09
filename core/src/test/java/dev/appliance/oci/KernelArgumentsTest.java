package dev.appliance.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelArgumentsTest {
  @Test
  void plainGuestArgumentsAreSplitOnSpaces() {
    assertEquals(
        List.of(
            "quiet",
            "console=ttyS0,115200",
            "systemd.unit=rescue.target",
            "net.ifnames=0",
            "appliance.config=disk"),
        KernelArguments.split(
            "  quiet console=ttyS0,115200  systemd.unit=rescue.target net.ifnames=0 appliance.config=disk ",
            "x"));
    assertEquals(List.of(), KernelArguments.split("", "x"));
    assertEquals(
        List.of("init=/sbin/init", "loglevel=3", "rd.break"),
        KernelArguments.split("init=/sbin/init loglevel=3 rd.break", "x"));
  }

  /**
   * Every host option User-Mode Linux would take from the image's line (matched by prefix, as UML
   * does).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "ubd7=/etc/passwd",
        "ubd0=/home/user/.ssh/id_rsa",
        "ubdb=/dev/sda",
        "con1=port:9999",
        "con=pts",
        "con0=fd:0,fd:1",
        "consoleblank=0",
        "ssl=port:2222",
        "ssl3=tty:/dev/tty1",
        "mem=64G",
        "umid=other",
        "uml_dir=/home/user",
        "hostfs=/",
        "mconsole=notify:/tmp/sock",
        "vec0:transport=raw,ifname=eth0",
        "eth0=tuntap,tap0",
        "seccomp=off",
        "time-travel",
        "time-travel=inf-cpu",
        "time-travel-start=0",
        "initrd=/etc/shadow",
        "iomem=x,/etc/passwd",
        "ncpus=64",
        "xterm=/usr/bin/evil",
        "stderr=1",
        "debug",
        "debug=1",
        "skas0",
        "mode=skas0",
        "noprocmm",
        "nosysemu",
        "dsp=/dev/dsp",
        "mixer=/dev/mixer",
        "fake_ide",
        "aio=2.4",
        "virtio_uml.device=/tmp/vhost.sock:1",
        "hostaudio.dsp=/dev/dsp",
        "harddog.mconsole_socket=x",
        "version",
        "help"
      })
  void umlHostOptionsAreRefusedNamingTheArgument(String argument) {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                KernelArguments.split(
                    "quiet " + argument + " rw", "img: label dev.appliance.kernel-cmdline"));
    assertTrue(
        e.getMessage().startsWith("img: label dev.appliance.kernel-cmdline: '" + argument + "'"),
        e.getMessage());
    assertTrue(e.getMessage().contains("User-Mode Linux host option"), e.getMessage());
  }

  /**
   * Not of the shape key or key=value: host-program flags, quotes that would split differently, odd
   * keys.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "--help",
        "-s",
        "--",
        "a=\"b",
        "\"quoted\"",
        "=value",
        "key!=x",
        "$(id)",
        "a;b",
        "`x`"
      })
  void anythingButKeyOrKeyValueIsRefused(String argument) {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> KernelArguments.split(argument, "img"));
    assertTrue(e.getMessage().contains("is not a plain kernel argument"), e.getMessage());
  }

  @Test
  void controlCharactersAndNonAsciiAreRefusedWithTheirPosition() {
    for (String bad :
        List.of(
            "quiet\nubd7=/etc/passwd",
            "quiet\tx",
            "a\u0000b",
            "a\u001b[2Jb",
            "a\u007f",
            "caf\u00e9",
            "x\u202e")) {
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> KernelArguments.split(bad, "img"));
      assertTrue(e.getMessage().startsWith("img: character U+"), e.getMessage());
      assertTrue(
          e.getMessage().chars().allMatch(c -> c >= 0x20 && c < 0x7f),
          "the message itself stays printable: " + e.getMessage());
    }
  }

  @Test
  void theWholeLineIsBounded() {
    String longest = "a=" + "x".repeat(KernelArguments.MAX_LENGTH - 2);
    assertEquals(List.of(longest), KernelArguments.split(longest, "img"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> KernelArguments.split(longest + "x", "img"));
    assertTrue(e.getMessage().contains("1025 characters long, more than 1024"), e.getMessage());
  }
}
