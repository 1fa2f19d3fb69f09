package dev.appliance.runtime.engine;

import dev.appliance.common.ApplianceException;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short-lived host tools (qemu-img, patchelf, mke2fs): run, wait, fail loudly. */
public final class HostCommands {
    private HostCommands() {}

    /** Runs {@code command} to completion and returns its standard output. */
    public static String run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new ApplianceException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        try (InputStream in = process.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new ApplianceException(command.get(0) + " did not finish in 120 s");
            }
            String output = out.toString(StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new ApplianceException(String.join(" ", command) + " failed (exit " + process.exitValue()
                        + "): " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new ApplianceException("reading output of " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ApplianceException("interrupted while running " + command.get(0), e);
        }
    }
}
