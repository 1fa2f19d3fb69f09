package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.OptionalLong;

@Command(name = "start", description = "Start a stopped instance (detached) with its disk as it was, and wait until healthy.")
final class StartCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long to wait for the health check (default: the image's).")
    Long timeoutSeconds;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        InstanceManager manager = new InstanceManager(dirs());
        manager.start(name, OptionalLong.empty());
        Duration timeout = timeoutSeconds == null ? manager.defaultTimeout(name) : Duration.ofSeconds(timeoutSeconds);
        InstanceInfo info;
        try {
            info = manager.awaitUp(name, timeout, line -> {
                if (!output.quiet) {
                    err().println(line);
                    err().flush();
                }
            });
        } catch (RuntimeException e) {
            manager.stop(name, Duration.ofSeconds(10));
            throw e;
        }
        InstanceView.printStarted(info, output, out(), err());
        return 0;
    }
}
