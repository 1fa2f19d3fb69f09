package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Bad input to the instance commands is exit code 2 with a message naming the problem, found before
 * any image is read or engine started. Real boots are the runtime module's tests.
 */
class InstanceCommandsTest {
  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void secretOnTheCommandLineIsRefusedWithoutEchoingIt() {
    Result r = run("run", "--secret", "db_password=hunter2", "lamp:1.0.0");
    assertEquals(2, r.exit());
    assertTrue(
        r.err().contains("--secret db_password=...: expected NAME=@FILE or NAME=-"), r.err());
    assertFalse(r.err().contains("hunter2"));
  }

  @Test
  void badPortEngineVolumeAndTimeoutAreInvalidInput() {
    Result port = run("run", "-p", "70000:80", "lamp:1.0.0");
    assertEquals(2, port.exit());
    assertTrue(
        port.err().contains("option '--publish'")
            && port.err()
                .contains("port mapping 70000:80: host port 70000 is not between 1 and 65535"),
        port.err());
    Result engine = run("run", "--engine", "vmware", "lamp:1.0.0");
    assertEquals(2, engine.exit());
    assertTrue(engine.err().contains("unknown engine 'vmware'"), engine.err());
    Result volume = run("run", "--volume", "data:relative/path", "lamp:1.0.0");
    assertEquals(2, volume.exit());
    assertTrue(
        volume.err().contains("option '--volume'")
            && volume
                .err()
                .contains("volume mount data:relative/path: the guest path must be absolute"),
        volume.err());
    for (String command : new String[] {"run", "start"}) {
      Result timeout = run(command, "--timeout", "0", "lamp-x7");
      assertEquals(2, timeout.exit(), timeout.err());
      assertTrue(timeout.err().contains("--timeout 0: must be at least 1 second"), timeout.err());
    }
  }

  @Test
  void sizesAndTheDiskMaximumAreBoundedBeforeAnyImageIsRead() {
    assertInvalidInput(
        "option '--max-disk-size': '1.5G' is not a size: no fractions",
        "run",
        "--max-disk-size",
        "1.5G",
        "lamp:1.0.0");
    assertInvalidInput("'1024' has no unit", "export", "--max-disk-size", "1024", "lamp:1.0.0");
    assertInvalidInput(
        "maximum disk size 1M is out of range (64M to 16T)",
        "run",
        "--max-disk-size",
        "1M",
        "lamp:1.0.0");
    assertInvalidInput(
        "cpus 1000: must be from 1 to 64 (option --cpus)", "run", "--cpus", "1000", "lamp:1.0.0");
    assertInvalidInput(
        "memory 2097152 MiB is more than 1T (option --memory)",
        "run",
        "--memory",
        "2048G",
        "lamp:1.0.0");
    assertInvalidInput(
        "memory 16 MiB is less than the 64M an appliance needs (option --memory)",
        "run",
        "--memory",
        "16",
        "lamp:1.0.0");
    assertInvalidInput("'12Q' is not a memory size", "run", "--memory", "12Q", "lamp:1.0.0");
    assertInvalidInput("option '--memory'", "run", "--memory", "12Q", "lamp:1.0.0");
  }

  private static void assertInvalidInput(String message, String... args) {
    Result r = run(args);
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains(message), r.err());
  }

  @Test
  void unknownInstanceIsInvalidInput() {
    for (String command : new String[] {"stop", "start", "rm", "logs"}) {
      Result r = run(command, "no-such-instance-x7");
      assertEquals(2, r.exit(), command + ": " + r.err());
      assertTrue(r.err().contains("no instance named no-such-instance-x7"), r.err());
    }
    Result secret = run("secret", "no-such-instance-x7", "ids_token");
    assertEquals(2, secret.exit(), secret.err());
    assertTrue(secret.err().contains("no instance named no-such-instance-x7"), secret.err());
    assertEquals("", secret.out());
  }
}
