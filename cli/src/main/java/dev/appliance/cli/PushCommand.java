package dev.appliance.cli;

import dev.appliance.registry.ImagePusher;
import dev.appliance.registry.PushResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "push", description = {
        "Push an image from the local store to a registry.",
        "Prints the manifest digest, which is the same in the store and in the registry."})
final class PushCommand extends RegistryCommand {
    @Parameters(index = "0", paramLabel = "LOCAL", description = "Image in the local store (tag or digest).")
    String local;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REMOTE",
            description = "REGISTRY/REPOSITORY[:TAG] to push to; default: LOCAL, which must then name a registry.")
    String remote;

    @Override
    public Integer call() {
        PushResult result = new ImagePusher(store(), registryOptions(), transferProgress("pushing")).push(local, remote);
        Pushed json = new Pushed(result.target(), result.digest().toString(), result.bytesSent(), result.blobsSent(),
                result.blobsSkipped());
        TransferProgress.printResult(out(), err(), output, json, json.digest(), "pushed " + result.target() + ": sent "
                + Sizes.human(result.bytesSent()) + " in " + result.blobsSent() + " blobs, " + result.blobsSkipped()
                + " already there");
        return 0;
    }

    /** What --json prints. */
    record Pushed(String target, String digest, long bytesSent, int blobsSent, int blobsSkipped) {}
}
