package dev.appliance.runtime.instance;

/** Finds an image by reference and makes it ready to boot (store, disk cache, kernels). */
@FunctionalInterface
public interface BootImageResolver {
  /**
   * @param progress receives one line per slow step (pull, disk assembly)
   * @throws dev.appliance.common.InvalidInputException when there is no such image or it is not an
   *     appliance
   */
  BootImage resolve(String reference, java.util.function.Consumer<String> progress);
}
