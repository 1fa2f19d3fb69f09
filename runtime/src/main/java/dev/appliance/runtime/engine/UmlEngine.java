package dev.appliance.runtime.engine;

import dev.appliance.common.HostTools;
import dev.appliance.oci.KernelArguments;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.net.PublishedPort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * User-Mode Linux: the image's own UML kernel as an ordinary host process, in
 * seccomp mode when the kernel has it (several times faster than ptrace mode),
 * rootless. Network: UML's vector driver joined through a point-to-point VDE
 * socket to a separate {@code vde_plug} running slirp with the host forwards
 * (slirp options inside UML's own argument do not parse).
 */
public final class UmlEngine implements Engine {
    static final String VDE_PLUG = "vde_plug";
    private static final String SLIRP_PLUGIN = "/usr/lib/x86_64-linux-gnu/vdeplug/libvdeplug_slirp.so";
    /** UML has ubd0..ubd7; ubd0 is the root disk. */
    public static final int MAX_EXTRA_DISKS = 7;

    @Override
    public EngineKind kind() {
        return EngineKind.UML;
    }

    @Override
    public Optional<String> unavailable(BootSpec spec) {
        if (spec.kernels().umlKernel() == null) {
            return Optional.of("the image has no UML kernel");
        }
        if (HostTools.find(VDE_PLUG).isEmpty()) {
            return Optional.of(VDE_PLUG + " is not installed (Debian package vdeplug)");
        }
        if (!Files.exists(Path.of(SLIRP_PLUGIN))) {
            return Optional.of("the slirp plugin for vde_plug is not installed (Debian package libvdeplug-slirp)");
        }
        if (spec.extraDisks().size() > MAX_EXTRA_DISKS) {
            return Optional.of("UML attaches at most " + MAX_EXTRA_DISKS + " disks besides the root disk");
        }
        return Optional.empty();
    }

    @Override
    public EngineRun start(BootSpec spec, ProcessStarter starter) throws IOException {
        Path socket = spec.workDir().resolve("vde.sock");
        Files.deleteIfExists(socket);
        Files.deleteIfExists(spec.workDir().resolve("vde.sock+"));
        Process plug = starter.startLogged(List.of(VDE_PLUG, "ptp://" + socket, slirpUrl(spec.ports())),
                spec.workDir().resolve("network.log"));
        try {
            awaitSocket(plug, socket);
            boolean seccomp = HostTool.run(List.of(spec.kernels().umlKernel().toAbsolutePath().toString(), "--help"),
                    spec.workDir(), HostTool.Options.SHORT.merged()).stdout().contains("seccomp=");
            Process uml = starter.startPiped(command(spec, socket, seccomp));
            Path mconsole = spec.workDir().resolve("uml/mconsole");
            return new EngineRun(uml, List.of(plug), () -> MConsole.send(mconsole, "cad"));
        } catch (IOException | RuntimeException e) {
            plug.destroyForcibly();
            throw e;
        }
    }

    static String slirpUrl(List<PublishedPort> ports) {
        StringBuilder url = new StringBuilder("slirp://");
        for (String protocol : List.of("tcp", "udp")) {
            String forwards = ports.stream().filter(p -> p.protocol().equals(protocol))
                    .map(p -> p.address() + ":" + p.hostPort() + ":" + BootSpec.GUEST_ADDRESS + ":" + p.guestPort())
                    .collect(Collectors.joining(","));
            if (!forwards.isEmpty()) {
                url.append('/').append(protocol).append("fwd=").append(forwards);
            }
        }
        return url.toString();
    }

    List<String> command(BootSpec spec, Path socket, boolean seccomp) {
        Path overlay = spec.overlay(EngineKind.DiskFormat.UML_COW);
        List<String> c = new ArrayList<>(List.of(spec.kernels().umlKernel().toString(),
                "mem=" + spec.memoryMiB() + "M",
                "root=/dev/ubda", "rw",
                "ubd0=" + overlay.toAbsolutePath() + "," + spec.baseDisk().toAbsolutePath()));
        if (seccomp) {
            c.add("seccomp=on");
        }
        for (int i = 0; i < spec.extraDisks().size(); i++) {
            c.add("ubd" + (i + 1) + "=" + spec.extraDisks().get(i).toAbsolutePath());
        }
        c.addAll(List.of("vec0:transport=vde,vnl=ptp://" + socket.toAbsolutePath(),
                "umid=uml", "uml_dir=" + spec.workDir().toAbsolutePath(),
                // console to stdout (the supervisor's pipe); no xterms for other lines
                "con0=null,fd:1", "con=null", "ssl=null", "noreboot"));
        if (!spec.kernelCmdline().isEmpty()) {
            c.addAll(KernelArguments.split(spec.kernelCmdline(), "kernel command line")); // guest-only, checked again here
        }
        return c;
    }

    private static void awaitSocket(Process plug, Path socket) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.exists(socket)) {
            if (!plug.isAlive()) {
                throw new IOException("vde_plug exited (" + plug.exitValue() + ") before creating its socket;"
                        + " see network.log in the instance directory");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("vde_plug did not create " + socket + " within 5 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
