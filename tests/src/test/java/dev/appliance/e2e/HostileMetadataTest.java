package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.CraftedImage;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.LocalRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Images whose metadata (config labels) is hostile, made by the test, pushed with skopeo to a real
 * docker-registry and given to the real CLI: {@code appliance run 127.0.0.1:PORT/x:1} exits 2
 * naming the image and the label, writes nothing outside the store and the instance directories,
 * and leaves no process behind. One case per class of issue #12's metadata part: labels, parameter
 * names, kernel arguments, sizes.
 */
@EndToEnd
class HostileMetadataTest {
  private static LocalRegistry registry;
  private static ApplianceCli cli;
  private static Path work;

  @BeforeAll
  static void startRegistry() {
    work = E2eEnvironment.freshDirectory("hostile-metadata");
    registry = LocalRegistry.builder(work.resolve("registry")).start();
    cli = ApplianceCli.forTest("hm"); // short: instance paths hold Unix sockets
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * Pushes a crafted appliance image {@code name:1} with {@code labels} applied; returns its
   * reference.
   */
  private static String push(String name, UnaryOperator<CraftedImage> labels) throws IOException {
    Path dir = Files.createDirectories(work.resolve("images").resolve(name));
    return labels
        .apply(CraftedImage.appliance(name).file("etc/hostname", name + "\n"))
        .push(dir, registry, name + ":1");
  }

  /**
   * Runs {@code appliance run ARGS... REF}: exit 2, a message naming the image and containing
   * {@code expected}, no new file outside the store and instances, no process left.
   */
  private static CliResult refused(String reference, String expected, String... args)
      throws IOException {
    Set<String> before = filesOutsideStoreAndInstances();
    List<String> command = new ArrayList<>(List.of("run", "--name", "h"));
    command.addAll(List.of(args));
    command.add(reference);
    CliResult run = cli.run(command.toArray(String[]::new)).assertExit(2);
    assertTrue(
        run.stderr().contains(reference + ": ") && run.stderr().contains(expected), run.stderr());
    assertTrue(
        run.stderr().codePoints().allMatch(c -> c == '\n' || (c >= 0x20 && c != 0x7f)),
        "no control character from the image reaches the terminal: " + run.stderr());
    assertEquals(
        before,
        filesOutsideStoreAndInstances(),
        "files written outside the store and instance directories");
    assertFalse(
        Files.exists(cli.dirs().instances().resolve("h"), LinkOption.NOFOLLOW_LINKS),
        "the failed instance is removed");
    assertEquals(List.of(), processesOfThisHome());
    return run;
  }

  @Test
  void labelsBreakingTheRecipeRulesAreRefused() throws IOException {
    String crlf =
        push(
            "crlf",
            i ->
                i.label(
                        "dev.appliance.ports",
                        "[{\"name\":\"http\",\"port\":80,\"protocol\":\"tcp\"}]")
                    .label(
                        "dev.appliance.health",
                        "{\"type\":\"http\",\"port\":80,\"path\":\"/ HTTP/1.1\\r\\nHost: evil\\r\\n\","
                            + "\"status\":200,\"timeoutSeconds\":5}"));
    refused(
        crlf,
        "label dev.appliance.health path: '/ HTTP/1.1\\u000d\\u000aHost: evil\\u000d\\u000a' is not an HTTP path");

    String name = push("badname", i -> i.label("dev.appliance.name", "\u001b]0;owned\u0007../x"));
    refused(
        name, "label dev.appliance.name: '\\u001b]0;owned\\u0007../x' is not a valid image name");
    // The pulled image can still be looked at, its labels escaped rather than sent to the terminal.
    CliResult inspect = cli.run("inspect", name).assertSuccess();
    assertTrue(
        inspect.stdout().contains("dev.appliance.name = \\u001b]0;owned\\u0007../x"),
        inspect.stdout());
    assertFalse(inspect.stdout().contains("\u001b"), inspect.stdout());
  }

  /**
   * A first-boot parameter name used to become a path under the config disk's staging directory.
   */
  @Test
  void parameterNamesCannotNameAHostFile() throws IOException {
    Path target = work.resolve("pwned-by-param");
    String absolute =
        push(
            "absparam",
            i ->
                i.label(
                    "dev.appliance.params",
                    "[{\"name\":\""
                        + target
                        + "\",\"defaultValue\":\"owned\",\"secret\":false,\"description\":\"\"}]"));
    refused(
        absolute,
        "label dev.appliance.params params[0].name: '" + target + "' is not a parameter name");

    String dotdot =
        push(
            "dotdotparam",
            i ->
                i.label(
                    "dev.appliance.params",
                    "[{\"name\":\"../../../../../../../../.."
                        + target
                        + "\",\"defaultValue\":\"owned\",\"secret\":false,\"description\":\"\"}]"));
    refused(dotdot, "params[0].name: '../../../");
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * UML took the label's words as its own options: a host file as a disk, a console on a host port.
   */
  @Test
  void kernelArgumentsReachOnlyTheGuest() throws IOException {
    String disk =
        push("ubd", i -> i.label("dev.appliance.kernel-cmdline", "quiet ubd7=/etc/passwd"));
    refused(
        disk,
        "label dev.appliance.kernel-cmdline: 'ubd7=/etc/passwd' is a User-Mode Linux host option",
        "--engine",
        "uml");

    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String console = push("con", i -> i.label("dev.appliance.kernel-cmdline", "con1=port:" + port));
    refused(
        console, "'con1=port:" + port + "' is a User-Mode Linux host option", "--engine", "uml");
    assertThrows(
        ConnectException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
          }
        },
        "nothing listens on the port the image named");

    String memory = push("memarg", i -> i.label("dev.appliance.kernel-cmdline", "mem=64G"));
    refused(memory, "'mem=64G' is a User-Mode Linux host option");
    String newline =
        push("newline", i -> i.label("dev.appliance.kernel-cmdline", "quiet\nubd1=/etc/shadow"));
    refused(newline, "label dev.appliance.kernel-cmdline: character U+000A at offset 5");
  }

  @Test
  void sizesAreBoundedAndTheDiskMaximumIsTheUsers() throws IOException {
    String huge =
        push("hugedisk", i -> i.label("dev.appliance.disk-bytes", Long.toString(1L << 40)));
    refused(
        huge,
        "label dev.appliance.disk-bytes asks for a 1T disk, more than the maximum disk size of 64G"
            + " (raise it with --max-disk-size");
    refused(huge, "more than the maximum disk size of 512G", "--max-disk-size", "512G");
    String absurd =
        push("absurddisk", i -> i.label("dev.appliance.disk-bytes", "1152921504606846976"));
    refused(absurd, "label dev.appliance.disk-bytes: 1048576T is out of range (64M to 16T)");
    String memory = push("hugemem", i -> i.label("dev.appliance.memory-mib", "1000000000000"));
    refused(memory, "label dev.appliance.memory-mib: 1000000000000 is out of range (64-1048576)");
    String cpus = push("hugecpus", i -> i.label("dev.appliance.cpus", "100000"));
    refused(cpus, "label dev.appliance.cpus: 100000 is out of range (1-64)");

    CliResult option = cli.run("run", "--max-disk-size", "1.5G", huge).assertExit(2);
    assertTrue(
        option.stderr().contains("--max-disk-size")
            && option.stderr().contains("'1.5G' is not a size: no fractions"),
        option.stderr());
  }

  /**
   * Every file (not directory: the first run creates APPLIANCE_HOME's layout) under APPLIANCE_HOME
   * but the store (pulls write there) and the instance directories.
   */
  private static Set<String> filesOutsideStoreAndInstances() throws IOException {
    Path home = cli.home();
    Path store = cli.dirs().store();
    Path instances = cli.dirs().instances();
    Set<String> files = new TreeSet<>();
    if (Files.exists(home)) {
      try (Stream<Path> walk = Files.walk(home)) {
        walk.filter(
                p ->
                    !p.startsWith(store)
                        && !p.startsWith(instances)
                        && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
            .forEach(p -> files.add(home.relativize(p).toString()));
      }
    }
    try (Stream<Path> walk = Files.walk(work)) {
      walk.filter(p -> p.getFileName().toString().startsWith("pwned"))
          .forEach(p -> files.add(p.toString()));
    }
    return files;
  }

  /**
   * Processes started for this CLI's instances (supervisors and engines carry the instance marker).
   */
  private static List<String> processesOfThisHome() throws IOException {
    String marker = "APPLIANCE_INSTANCE=" + cli.dirs().instances().toAbsolutePath();
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
          if (Stream.of(env.split("\0")).anyMatch(v -> v.startsWith(marker))) {
            found.add(
                new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' '));
          }
        } catch (IOException gone) {
          // exited meanwhile, or not ours to read
        }
      }
    }
    return found;
  }
}
