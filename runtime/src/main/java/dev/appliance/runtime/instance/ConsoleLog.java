package dev.appliance.runtime.instance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/** An instance's console log: copied or followed for {@code logs}, its tail for error messages. */
final class ConsoleLog {
  private static final int TAIL_LINES = 25;

  private ConsoleLog() {}

  /** Copies the log to {@code out}; with {@code follow}, keeps copying until the instance stops. */
  static void copy(InstanceDir dir, boolean follow, OutputStream out) throws IOException {
    if (!Files.exists(dir.console())) {
      if (!follow) {
        return;
      }
      Files.createFile(dir.console());
    }
    try (InputStream in = Files.newInputStream(dir.console())) {
      byte[] buffer = new byte[8192];
      while (true) {
        int n = in.read(buffer);
        if (n > 0) {
          out.write(buffer, 0, n);
          continue;
        }
        out.flush();
        InstanceStatus s = dir.status();
        if (!follow
            || !(s.state().active() && InstanceProcesses.isOurs(s.supervisorPid(), dir.path()))) {
          return;
        }
        Pause.millis(250);
      }
    }
  }

  /** "\nlast console lines:\n ..." without terminal escapes, or "" when there is no log. */
  static String tail(InstanceDir dir) {
    try {
      if (!Files.exists(dir.console())) {
        return "";
      }
      List<String> lines =
          Files.readAllLines(dir.console(), StandardCharsets.UTF_8).stream()
              .map(l -> l.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").replace("\r", ""))
              .filter(l -> !l.isBlank())
              .toList();
      List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      return tail.isEmpty() ? "" : "\nlast console lines:\n  " + String.join("\n  ", tail);
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }
}
