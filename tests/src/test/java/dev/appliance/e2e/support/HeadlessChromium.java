package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's chromium, headless, driven over the DevTools protocol on {@code
 * --remote-debugging-pipe}: two FIFOs (fds 3 and 4 of chromium) instead of a debugging port that
 * any local user could connect to, and every URL is sent through the pipe, so a token in a URL
 * fragment never shows on a command line.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration CALL = Duration.ofSeconds(30);

  /** The launch flags that work on these hosts (root, no GPU, no network of its own). */
  private static final List<String> FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--remote-debugging-pipe");

  private final ObjectMapper json = new ObjectMapper();
  private final Process process;
  private final OutputStream commands;
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<String> problems = new CopyOnWriteArrayList<>();

  private HeadlessChromium(Process process, OutputStream commands, InputStream messages) {
    this.process = process;
    this.commands = commands;
    Thread reader = new Thread(() -> read(messages), "chromium-devtools");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts chromium with a fresh profile under {@code work}; its output goes to a log there. */
  public static HeadlessChromium start(Path work) throws IOException {
    if (!Files.isExecutable(CHROMIUM)) {
      fail(CHROMIUM + " is missing: scripts/install-host-deps installs Debian's chromium");
    }
    Files.createDirectories(work);
    Path in = work.resolve("devtools-in");
    Path out = work.resolve("devtools-out");
    BuildUser.exec(List.of("mkfifo", in.toString(), out.toString()));
    List<String> command =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "in=$1; out=$2; shift 2; exec \"$@\" 3<\"$in\" 4>\"$out\"",
                "sh",
                in.toString(),
                out.toString(),
                CHROMIUM.toString()));
    command.addAll(FLAGS);
    command.add("--user-data-dir=" + Files.createDirectories(work.resolve("profile")));
    Path log = work.resolve("chromium.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    // The shell opens fd 3 (our write end) first, then fd 4: the same order here.
    OutputStream commands = new FileOutputStream(in.toFile());
    InputStream messages = new BufferedInputStream(new FileInputStream(out.toFile()));
    System.out.println("chromium: log " + log);
    return new HeadlessChromium(process, commands, messages);
  }

  /** A new tab (its own sessionStorage) showing {@code url}, loaded. */
  public Tab open(String url) {
    String target =
        call("Target.createTarget", Map.of("url", "about:blank"), null).get("targetId").asText();
    String session =
        call("Target.attachToTarget", Map.of("targetId", target, "flatten", true), null)
            .get("sessionId")
            .asText();
    Tab tab = new Tab(session);
    call("Runtime.enable", Map.of(), session);
    call("Log.enable", Map.of(), session);
    call("Page.enable", Map.of(), session);
    call(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", 1280, "height", 900, "deviceScaleFactor", 1, "mobile", false),
        session);
    tab.navigate(url);
    return tab;
  }

  /**
   * Console errors, uncaught exceptions and Content-Security-Policy violations seen in any tab so
   * far: a page that works within its policy leaves none.
   */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /** One tab, attached by a DevTools session. */
  public final class Tab {
    private final String session;

    private Tab(String session) {
      this.session = session;
    }

    /** Loads {@code url} and waits until its document and deferred scripts ran. */
    public void navigate(String url) {
      JsonNode result = call("Page.navigate", Map.of("url", url), session);
      if (result.hasNonNull("errorText")) {
        fail("chromium could not load " + url + ": " + result.get("errorText").asText());
      }
      awaitTrue("document.readyState === 'complete'", Duration.ofSeconds(30), "page loaded");
    }

    /** The value of a JavaScript expression (promises awaited), as JSON. */
    public JsonNode evaluate(String expression) {
      JsonNode result =
          call(
              "Runtime.evaluate",
              Map.of("expression", expression, "returnByValue", true, "awaitPromise", true),
              session);
      if (result.has("exceptionDetails")) {
        fail("in the page, " + expression + " threw " + result.get("exceptionDetails"));
      }
      return result.get("result").path("value");
    }

    /** Waits until {@code condition} (a JavaScript expression) is true. */
    public void awaitTrue(String condition, Duration timeout, String what) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!evaluate("Boolean(" + condition + ")").asBoolean()) {
        if (System.nanoTime() > deadline) {
          fail("after " + timeout + ", still not " + what + " (" + condition + ")");
        }
        sleep(250);
      }
    }

    /** Types {@code text} into the focused element, as a keyboard would. */
    public void type(String text) {
      call("Input.insertText", Map.of("text", text), session);
    }

    /** Clicks the centre of the element {@code selector} with the mouse. */
    public void click(String selector) {
      JsonNode box =
          evaluate(
              "(() => { const r = document.querySelector("
                  + json.valueToTree(selector)
                  + ").getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()");
      for (String type : List.of("mousePressed", "mouseReleased")) {
        call(
            "Input.dispatchMouseEvent",
            Map.of(
                "type",
                type,
                "x",
                box.get(0).asDouble(),
                "y",
                box.get(1).asDouble(),
                "button",
                "left",
                "clickCount",
                1),
            session);
      }
    }

    /** A PNG of the whole page, written to {@code file} and named on the test's output. */
    public Path screenshot(Path file) throws IOException {
      JsonNode shot =
          call(
              "Page.captureScreenshot",
              Map.of("format", "png", "captureBeyondViewport", true),
              session);
      Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
      System.out.println("screenshot: " + file);
      return file;
    }

    /** Closes this tab. */
    public void close() {
      call("Page.close", Map.of(), session);
    }
  }

  private JsonNode call(String method, Map<String, Object> params, String session) {
    int id = ids.incrementAndGet();
    ObjectNode message = json.createObjectNode().put("id", id).put("method", method);
    message.set("params", json.valueToTree(params));
    if (session != null) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      synchronized (commands) {
        commands.write(json.writeValueAsBytes(message));
        commands.write(0);
        commands.flush();
      }
      JsonNode reply = answer.get(CALL.toSeconds(), TimeUnit.SECONDS);
      if (reply.has("error")) {
        fail("chromium: " + method + " failed: " + reply.get("error"));
      }
      return reply.get("result");
    } catch (IOException e) {
      throw new UncheckedIOException("chromium: cannot send " + method, e);
    } catch (ExecutionException | TimeoutException e) {
      return fail("chromium: no answer to " + method + " (is it running? see chromium.log)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted", e);
    } finally {
      pending.remove(id);
    }
  }

  /** Messages are JSON texts each ended by a NUL byte. */
  private void read(InputStream messages) {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    try (messages) {
      for (int b; (b = messages.read()) >= 0; ) {
        if (b != 0) {
          message.write(b);
          continue;
        }
        dispatch(json.readTree(message.toString(StandardCharsets.UTF_8)));
        message.reset();
      }
    } catch (IOException e) {
      problems.add("devtools pipe: " + e);
    }
    IOException closed = new IOException("chromium closed its DevTools pipe");
    pending.values().forEach(p -> p.completeExceptionally(closed));
  }

  private void dispatch(JsonNode message) {
    if (message.has("id")) {
      CompletableFuture<JsonNode> answer = pending.get(message.get("id").asInt());
      if (answer != null) {
        answer.complete(message);
      }
      return;
    }
    JsonNode params = message.path("params");
    switch (message.path("method").asText()) {
      case "Runtime.exceptionThrown" ->
          problems.add("exception: " + params.get("exceptionDetails"));
      case "Log.entryAdded" -> {
        JsonNode entry = params.path("entry");
        // HTTP error statuses are the test's to check, not problems of the page
        if (entry.path("level").asText().equals("error")
            && !entry.path("source").asText().equals("network")) {
          problems.add(entry.path("source").asText() + ": " + entry.path("text").asText());
        }
      }
      case "Runtime.consoleAPICalled" -> {
        if (params.path("type").asText().equals("error")) {
          problems.add("console.error: " + params.path("args"));
        }
      }
      default -> {
        // other events: not needed
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      commands.write(json.writeValueAsBytes(Map.of("id", 0, "method", "Browser.close")));
      commands.write(0);
      commands.flush();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      commands.close();
    }
  }
}
