package dev.appliance.cli;

import dev.appliance.runtime.capture.CaptureSource;
import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.RunRequest;
import dev.appliance.runtime.instance.VolumeMount;
import dev.appliance.runtime.net.PortMapping;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    description = {
      "Boot an appliance and wait until its health check passes, then print its URLs.",
      "The engine is chosen with --engine auto (default): kvm when a KVM guest really runs on this host,"
          + " else uml, else tcg; an engine that fails to start falls back to the next, saying why.",
      "In the foreground (default) Ctrl-C stops the appliance; with -d it keeps running."
    })
final class RunCommand extends RegistryCommand {
  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description =
          "Image in the local store, or REGISTRY/REPOSITORY[:TAG] (pulled when not local).")
  String image;

  @Option(
      names = {"-d", "--detach"},
      description = "Return once the appliance is healthy; it keeps running.")
  boolean detach;

  @Option(
      names = "--name",
      description = "Instance name (default: the image name and a random suffix).")
  String name;

  @Option(
      names = {"-p", "--publish"},
      paramLabel = "[[ADDR:]HOST:]GUEST[/tcp|udp]",
      converter = PortMappingConverter.class,
      description =
          "Publish a guest port; on 127.0.0.1 unless ADDR is given; without HOST a free port is picked.")
  List<PortMapping> ports = new ArrayList<>();

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      converter = MemoryConverter.class,
      description = "Guest memory, e.g. 1G or 512M; a bare number is MiB (default: the image's).")
  Long memory;

  @Option(names = "--cpus", description = "Virtual CPUs (default: the image's; uml runs one).")
  Integer cpus;

  @Option(
      names = "--engine",
      defaultValue = "auto",
      description = "auto, kvm, uml or tcg (default: ${DEFAULT-VALUE}).")
  String engine;

  @Mixin FirstBootOptions firstBoot;

  @Option(
      names = {"-v", "--volume"},
      paramLabel = "NAME:/GUEST/PATH",
      converter = VolumeMountConverter.class,
      description =
          "Persistent named volume mounted at the guest path; created on first use, kept by rm.")
  List<VolumeMount> volumes = new ArrayList<>();

  @Mixin HealthTimeoutOption timeout;

  @Mixin ImageLimitsOptions limits;

  @Mixin PolicyOptions policy;

  @Option(
      names = "--no-sandbox",
      description =
          "Run the engines without a sandbox: needed for an image from a registry"
              + " on a host that cannot sandbox (see doctor). The image's UML kernel or QEMU then runs with your user's"
              + " access to your files. See docs/security.md.")
  boolean noSandbox;

  @Option(
      names = "--allow-host-loopback",
      description =
          "Let the guest reach services on the host's 127.0.0.1"
              + " (as 10.0.2.2): other instances' ports, local registries and databases. Off by default.")
  boolean allowHostLoopback;

  @Option(
      names = "--capture-from",
      paramLabel = "pcap:FILE[,rate=recorded|max]|iface:NAME",
      converter = CaptureSourceConverter.class,
      description =
          "Feed the image's capture interface (recipe networks: role capture) once it is healthy:"
              + " replay a pcap file at its recorded pace (default) or as fast as the guest takes it,"
              + " or mirror a live host interface (needs root or CAP_NET_RAW). See docs/cli.md.")
  CaptureSource captureFrom;

  @Override
  public Integer call() {
    RunRequest request = request();
    InstanceManager manager = new InstanceManager(dirs());
    AtomicReference<String> created = new AtomicReference<>();
    AtomicReference<Boolean> done = new AtomicReference<>(false);
    if (!detach) {
      // Ctrl-C: stop the guest and wait for it, so the prompt returns with nothing left running.
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    if (created.get() != null && !done.get()) {
                      err().println("stopping " + created.get() + " ...");
                      err().flush();
                      manager.stop(created.get(), Duration.ofSeconds(30));
                    }
                  },
                  "stop-on-exit"));
    }
    InstanceInfo info =
        manager.run(
            request,
            bootImages(limits, policy),
            !detach,
            timeout.orImageDefault(),
            new InstanceManager.RunListener() {
              @Override
              public void progress(String line) {
                output.progress(err(), line);
              }

              @Override
              public void created(String instance) {
                created.set(instance);
              }
            });
    InstanceView.printStarted(info, output, out(), err());
    if (detach) {
      return 0;
    }
    output.progress(
        err(), info.name() + " runs in the foreground: Ctrl-C stops it (or run with -d)");
    InstanceInfo end = manager.awaitExit(info.name());
    done.set(true);
    output.progress(
        err(),
        info.name() + " " + end.state() + (end.message() == null ? "" : ": " + end.message()));
    return 0;
  }

  /** The options as a typed request; a value out of range is a usage error naming its option. */
  private RunRequest request() {
    try {
      return new RunRequest(
          image,
          name,
          ports,
          memory,
          cpus,
          engine,
          firstBoot.params(),
          firstBoot.secrets(System.in, registry),
          volumes,
          new RunRequest.Isolation(noSandbox, allowHostLoopback),
          captureFrom);
    } catch (RunRequest.Rejected e) {
      String option =
          switch (e.field()) {
            case MEMORY -> "--memory";
            case CPUS -> "--cpus";
          };
      throw new ParameterException(
          spec.commandLine(), e.getMessage() + " (option " + option + ")", e);
    }
  }
}
