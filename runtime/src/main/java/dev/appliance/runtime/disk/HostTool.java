package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a host program (mke2fs, debugfs, qemu-img, ...) to completion with its
 * output captured in files, so a chatty tool cannot block on a full pipe.
 */
public final class HostTool {
    private HostTool() {}

    /** The result of one run. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /** Finds {@code name} in PATH or the sbin directories (e2fsprogs lives there; a user's PATH may lack them). */
    public static Path find(String name) {
        return HostTools.find(name).orElseThrow(() ->
                new ApplianceException(name + " not found; install the host packages (scripts/install-host-deps)"));
    }

    /** Runs the command and fails with its stderr unless it exits 0. */
    public static Result run(List<String> command, Path workDir) {
        Result result = runAllowingFailure(command, workDir, Map.of());
        if (result.exitCode() != 0) {
            throw new ApplianceException(Path.of(command.get(0)).getFileName() + " failed (exit " + result.exitCode() + "): "
                    + (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip());
        }
        return result;
    }

    public static Result runAllowingFailure(List<String> command, Path workDir, Map<String, String> env) {
        List<String> resolved = new ArrayList<>(command);
        if (!resolved.get(0).contains("/")) {
            resolved.set(0, find(resolved.get(0)).toString());
        }
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile(workDir, "tool", ".out");
            err = Files.createTempFile(workDir, "tool", ".err");
            ProcessBuilder pb = new ProcessBuilder(resolved).directory(workDir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process process = pb.start();
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new ApplianceException("interrupted while running " + resolved.get(0), e);
            }
            return new Result(code, new String(Files.readAllBytes(out), StandardCharsets.UTF_8), new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ApplianceException("cannot run " + resolved.get(0) + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file in a directory the caller removes anyway
            }
        }
    }
}
