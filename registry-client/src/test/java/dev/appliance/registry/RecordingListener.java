package dev.appliance.registry;

import dev.appliance.oci.Descriptor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers what a transfer reported, for assertions. */
class RecordingListener implements TransferListener {
  final List<String> stages = new CopyOnWriteArrayList<>();
  final Set<String> finished = ConcurrentHashMap.newKeySet();
  final Set<String> skipped = ConcurrentHashMap.newKeySet();

  @Override
  public void stage(String message) {
    stages.add(message);
  }

  @Override
  public void blobFinished(Descriptor blob, boolean wasSkipped) {
    finished.add(blob.digest().toString());
    if (wasSkipped) {
      skipped.add(blob.digest().toString());
    }
  }
}
