package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The snort appliance's operator page ({@code /page}) in a headless chromium tab, used the way an
 * operator does: the token typed into its form or given in the URL fragment, the sid filter, the
 * table of alerts. What it reads is what the browser rendered (cell text, elements).
 */
public final class OperatorPage {
  private final HeadlessChromium.Tab tab;
  private final Path screenshots;

  /** One alert row as shown. */
  public record Row(
      String time,
      String signature,
      String sid,
      String source,
      String destination,
      String severity,
      String request) {}

  private OperatorPage(HeadlessChromium.Tab tab, Path screenshots) {
    this.tab = tab;
    this.screenshots = screenshots;
  }

  /**
   * A new tab at {@code base + "/page" + fragment} (fragment: "" or e.g. "#token=...&sid=N");
   * screenshots go to {@code screenshots}.
   */
  public static OperatorPage open(
      HeadlessChromium chromium, String base, String fragment, Path screenshots) {
    return new OperatorPage(chromium.open(base + "/page" + fragment), screenshots);
  }

  /** Whether the page asks for the token. */
  public boolean asksForToken() {
    return tab.evaluate("!document.getElementById('login').hidden").asBoolean();
  }

  /** Types the token into the page's form and clicks its button. */
  public void signIn(String token) {
    tab.awaitTrue(
        "!document.getElementById('login').hidden", Duration.ofSeconds(10), "asking for the token");
    tab.evaluate("document.getElementById('token').focus()");
    tab.type(token);
    tab.click("#login button[type=submit]");
  }

  /** Types {@code sid} into the filter field ("" for all) and clicks Filter. */
  public void filter(String sid) {
    tab.evaluate("document.getElementById('sid').value = ''");
    tab.evaluate("document.getElementById('sid').focus()");
    if (!sid.isEmpty()) {
      tab.type(sid);
    }
    tab.click("#filter button[type=submit]");
  }

  /** The alert rows shown, newest first. */
  public List<Row> rows() {
    JsonNode cells =
        tab.evaluate(
            "[...document.querySelectorAll('#alerts tbody tr')]"
                + ".map(tr => [...tr.cells].map(td => td.textContent))");
    List<Row> rows = new ArrayList<>();
    for (JsonNode c : cells) {
      rows.add(
          new Row(
              c.get(0).asText(),
              c.get(1).asText(),
              c.get(2).asText(),
              c.get(3).asText(),
              c.get(4).asText(),
              c.get(5).asText(),
              c.get(6).asText()));
    }
    return rows;
  }

  /** Waits (polling what is rendered) until the rows satisfy {@code condition}; returns them. */
  public List<Row> awaitRows(Predicate<List<Row>> condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Row> rows = rows();
    while (!condition.test(rows)) {
      if (System.nanoTime() > deadline) {
        return fail("after " + timeout + " the page does not show " + what + ": " + rows);
      }
      sleep();
      rows = rows();
    }
    return rows;
  }

  /** Waits until the page shows an error message; returns its text. */
  public String awaitError(Duration timeout) {
    tab.awaitTrue("!document.getElementById('error').hidden", timeout, "showing an error");
    return tab.evaluate("document.getElementById('error').textContent").asText();
  }

  /**
   * Elements inside the alert cells: alert text rendered as text leaves none, markup parsed as HTML
   * would leave its elements.
   */
  public int elementsInAlertCells() {
    return tab.evaluate("document.querySelectorAll('#alerts td *').length").asInt();
  }

  /** The global that the test's HTML payloads would set if any of them ran as script. */
  public boolean payloadRan() {
    return tab.evaluate("window.pwned !== undefined").asBoolean();
  }

  /**
   * Whether the page's policy refuses HTML parsed from a string (Trusted Types): an innerHTML
   * assignment throws. Reports a violation to the console, so call it last.
   */
  public boolean refusesInnerHtml() {
    return tab.evaluate(
            "(() => { try { document.createElement('div').innerHTML = '<b>x</b>'; return false; }"
                + " catch (e) { return e instanceof TypeError; } })()")
        .asBoolean();
  }

  /** The address bar. */
  public String location() {
    return tab.evaluate("location.href").asText();
  }

  /** The rules section: term to value, as shown. */
  public Map<String, String> rulesSummary() {
    tab.awaitTrue(
        "document.querySelectorAll('#rules-summary dt').length > 0",
        Duration.ofSeconds(30),
        "showing the rules summary");
    JsonNode terms =
        tab.evaluate(
            "[...document.querySelectorAll('#rules-summary dt')]"
                + ".map(dt => [dt.textContent, dt.nextElementSibling.textContent])");
    Map<String, String> summary = new LinkedHashMap<>();
    terms.forEach(t -> summary.put(t.get(0).asText(), t.get(1).asText()));
    return summary;
  }

  /** A screenshot named {@code name}.png in the screenshot directory (named on the output). */
  public Path screenshot(String name) throws IOException {
    return tab.screenshot(screenshots.resolve(name + ".png"));
  }

  /** Closes the tab. */
  public void close() {
    tab.close();
  }

  private static void sleep() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
