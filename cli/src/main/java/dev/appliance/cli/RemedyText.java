package dev.appliance.cli;

import dev.appliance.builder.BuildRemedy;
import dev.appliance.common.Remedy;
import dev.appliance.recipe.RecipeRemedy;
import dev.appliance.registry.RegistryAccessException;
import dev.appliance.runtime.host.RunRemedy;
import dev.appliance.signing.KeyRemedy;
import dev.appliance.store.StoreVerifier;
import java.util.Optional;

/**
 * The libraries name a remedy in their own terms ({@link Remedy}); this is where it becomes this
 * CLI's option, appended to the library's message.
 */
final class RemedyText {
  private RemedyText() {}

  /** The library's message followed by its remedy's option, if it names one. */
  static String message(String message, Optional<Remedy> remedy) {
    return message + remedy.map(RemedyText::suffix).orElse("");
  }

  /** The text appended to a message (it starts with its own punctuation). */
  static String suffix(Remedy remedy) {
    if (remedy instanceof RegistryAccessException.Remedy r) {
      return switch (r) {
        case TRUST_CA -> " (options --ca-cert FILE, or --insecure)";
        case ALLOW_PLAIN_HTTP -> " (option --insecure)";
        case CREDENTIALS -> " (options --username and --password-stdin)";
      };
    }
    if (remedy instanceof RunRemedy r) {
      return switch (r) {
        case RAISE_DISK_LIMIT -> " (raise it with --max-disk-size if you trust this image)";
        case RUN_UNSANDBOXED -> "; or pass --no-sandbox to run it unconfined anyway";
        case STOP_FOR_BACKUP ->
            "; or pass --stop to stop it for the backup and start it again afterwards";
        case RAISE_BACKUP_LIMIT -> " (raise it with --max-size)";
        case LARGER_CHUNKS -> "; use a larger --chunk-size";
        case REPLACE_VOLUME -> ", or replace it with --force";
        case RESTORE_SNAPSHOT ->
            ": `appliance rollback --restore-volumes NAME`, or run the older image with"
                + " -v SNAPSHOT:/PATH";
        case EXPORT_TO_KUBEVIRT -> ": give --kubevirt";
      };
    }
    if (remedy instanceof BuildRemedy r) {
      return switch (r) {
        case NAME_MIRROR -> ", or give the build --mirror URL";
        case SNAPSHOT_MIRROR -> ", or point --mirror at a snapshot";
        case REBUILD_WITHOUT_CACHE -> "; 'appliance build --no-cache' names the run step";
        case REBUILD_FROM_DIRECTORY -> "; give the recipe's directory with --recipe-dir";
      };
    }
    if (remedy instanceof RecipeRemedy r) {
      return switch (r) {
        case PARAMETER_FROM_FILE_AT_RUN -> " (appliance run --param-file NAME=FILE)";
      };
    }
    if (remedy instanceof KeyRemedy r) {
      return switch (r) {
        case OTHER_NAME_OR_REPLACE -> "; choose another --output-key-prefix or pass --force";
      };
    }
    throw new IllegalArgumentException("no option renders the remedy " + remedy);
  }

  /** What {@code store verify} prints after "to fix:". */
  static String toFix(StoreVerifier.Problem problem) {
    if (!problem.repairable()) {
      return problem.advice();
    }
    return problem.damage() == StoreVerifier.Damage.NOT_A_BLOB
        ? problem.advice() + " (--repair sets it aside)"
        : "'appliance store verify --repair' sets it aside, then: " + problem.advice();
  }
}
