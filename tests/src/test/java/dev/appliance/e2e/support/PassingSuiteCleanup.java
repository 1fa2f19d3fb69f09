package dev.appliance.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Once every test of a suite has passed, deletes what the suite made under target/e2e/ (homes,
 * registries, exported disks) but its step logs, screenshots and {@code *.log} files. A suite
 * leaves gigabytes; kept for every suite, a CI run held 35 GB at its end and ran out of disk on a
 * smaller machine (stop 25). A failing suite keeps everything for diagnosis.
 *
 * <p>The suite's directories are those {@link E2eEnvironment#freshDirectory} made in this JVM since
 * the suite began (each fork runs one suite at a time; a marker file per directory, under
 * target/e2e/.made-by/, names the JVM and the time).
 */
public final class PassingSuiteCleanup implements BeforeAllCallback, TestWatcher, AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PassingSuiteCleanup.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NAMESPACE).put("began", System.currentTimeMillis());
    context.getStore(NAMESPACE).put("failed", new AtomicBoolean());
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    // A store looks up its parents: this finds the suite's flag from a method or a parameterized
    // test's invocation alike.
    context.getStore(NAMESPACE).get("failed", AtomicBoolean.class).set(true);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    if (store.get("failed", AtomicBoolean.class).get()
        || context.getExecutionException().isPresent()) {
      return;
    }
    long began = store.get("began", Long.class);
    Path work = E2eEnvironment.work();
    if (!Files.isDirectory(work)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(work)) {
      for (Path dir : dirs.toList()) {
        Optional<E2eEnvironment.Maker> maker = E2eEnvironment.madeBy(dir);
        if (maker.isPresent() && maker.get().isThisJvmSince(began)) {
          cutDownToLogs(dir);
        }
      }
    }
  }

  private static void cutDownToLogs(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      BuildUser.removeTrees(
          children
              .filter(
                  child -> {
                    String name = child.getFileName().toString();
                    return !(name.startsWith("steps")
                        || name.equals("screenshots")
                        || name.endsWith(".log"));
                  })
              .toList());
    }
  }
}
