package dev.appliance.builder;

import java.nio.file.Path;

/**
 * Where {@code appliance verify --rebuild} takes the recipe and its lock file from: a git commit of
 * a work tree ({@link GitCommitRebuildSource}), a directory as it is ({@link
 * DirectoryRebuildSource}), or (once images carry one) a provenance record. The recipe's lock file
 * lies beside it ({@link LockFile#pathFor}); recipes it extends lie where its {@code extends:}
 * points. Closing removes whatever the source made (a checkout).
 */
public interface RebuildSource extends AutoCloseable {
  /** The recipe file to rebuild. */
  Path recipe();

  /** Where it came from, for the report (e.g. "commit 1a2b3c... of /src/app"). */
  String describe();

  @Override
  void close();
}
