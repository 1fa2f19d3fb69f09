package dev.appliance.registry;

import dev.appliance.oci.Descriptor;
import dev.appliance.store.ImageStore;
import java.nio.file.Path;

/**
 * A pull in its own process, for tests that kill it: {@code PullMain STORE REMOTE}. Each 64 KiB
 * received waits a little, so that a kill lands in the middle of a blob.
 */
public final class PullMain {
  private PullMain() {}

  public static void main(String[] args) {
    TransferListener slow =
        new TransferListener() {
          @Override
          public void blobProgress(Descriptor blob, long bytesDone) {
            try {
              Thread.sleep(5);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    RegistryOptions options =
        RegistryOptions.defaults().withDockerConfig(Path.of("/nonexistent/config.json"));
    System.out.println(
        new ImagePuller(ImageStore.open(Path.of(args[0])), options, slow).pull(args[1]).digest());
  }
}
