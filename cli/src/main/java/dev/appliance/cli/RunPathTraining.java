package dev.appliance.cli;

import dev.appliance.common.FileTrees;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The part of the class-data training ({@link CdsTraining}) for what {@code run} and each
 * instance's supervisor JVM load, which the training cannot do for real (it boots no guest): it
 * loads, without initialising, every class of the product and of Jackson (the supervisor reads and
 * writes its instance's JSON records), and exercises the JDK's parts they use: a child process with
 * redirects, temporary files and a directory walk, and an HTTP request over {@link
 * HttpURLConnection} (the health probe) to the training registry. Measured (bench/README.md): these
 * classes were parsed and verified from the jar at every {@code run}, in both JVMs, before the
 * engine started.
 */
final class RunPathTraining {
  /** Jar entries loaded by name: the product and Jackson, which its records go through. */
  private static final String[] PREFIXES = {"dev/appliance/", "com/fasterxml/jackson/"};

  private RunPathTraining() {}

  static void exercise(String registryHost) {
    loadClasses();
    try {
      jdkParts(registryHost);
    } catch (IOException | InterruptedException | URISyntaxException e) {
      // A training step that fails leaves its classes out of the archive, nothing more.
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void loadClasses() {
    ClassLoader loader = RunPathTraining.class.getClassLoader();
    Path jar;
    try {
      jar =
          Path.of(
              RunPathTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return;
    }
    if (!Files.isRegularFile(jar)) {
      return; // tests' class directories: no archive is made for them
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
        String name = entries.nextElement().getName();
        if (name.endsWith(".class")
            && !name.endsWith("module-info.class")
            && Stream.of(PREFIXES).anyMatch(name::startsWith)) {
          try {
            Class.forName(
                name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                false,
                loader);
          } catch (ClassNotFoundException | LinkageError e) {
            // an optional dependency missing: that class stays out of the archive
          }
        }
      }
    } catch (IOException e) {
      // no archive entries from the jar: the training goes on
    }
  }

  private static void jdkParts(String registryHost)
      throws IOException, InterruptedException, URISyntaxException {
    Path dir = Files.createTempDirectory("cds-run");
    try {
      Path out = Files.createTempFile(dir, "tool", ".out");
      Process p =
          new ProcessBuilder("true")
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
              .redirectErrorStream(true)
              .start();
      p.onExit().join();
      p.waitFor();
      HttpURLConnection c =
          (HttpURLConnection)
              new URI("http://" + registryHost + "/v2/").toURL().openConnection(Proxy.NO_PROXY);
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      int status = c.getResponseCode();
      try (InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        if (body != null) {
          body.readAllBytes();
        }
      }
      c.disconnect();
    } finally {
      FileTrees.delete(dir);
    }
  }
}
