package dev.appliance.build.host;

import dev.appliance.common.HostCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuilderHostChecksTest {
    @TempDir
    Path dir;

    @Test
    void mirrorComesFromDeb822SourcesSkippingSecurity() throws IOException {
        Path apt = Files.createDirectories(dir.resolve("apt/sources.list.d"));
        Files.writeString(apt.resolve("debian.sources"), """
                Types: deb
                URIs: http://security.example/debian-security
                Suites: bookworm-security

                Types: deb
                # a comment
                URIs: http://mirror.example/debian
                Suites: bookworm
                """);
        assertEquals(Optional.of("http://mirror.example/debian"), checks(apt.getParent()).debianMirror());
    }

    @Test
    void mirrorComesFromOneLineSourcesWithOptions() throws IOException {
        Path apt = Files.createDirectories(dir.resolve("apt"));
        Files.writeString(apt.resolve("sources.list"), """
                # deb http://commented.example/debian bookworm main
                deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.example/debian bookworm main
                """);
        assertEquals(Optional.of("http://mirror.example/debian"), checks(apt).debianMirror());
    }

    @Test
    void noSourcesIsAGapWithAFix() throws IOException {
        Path apt = Files.createDirectories(dir.resolve("apt"));
        HostCheck mirror = find(checks(apt).run(), "builder.debian-mirror");
        assertFalse(mirror.ok());
        assertTrue(mirror.fix().contains("sources.list.d"), mirror.fix());
    }

    @Test
    void overlayfsIsReadFromTheKernelsList() throws IOException {
        Path apt = Files.createDirectories(dir.resolve("apt"));
        Path with = Files.writeString(dir.resolve("with"), "nodev\tsysfs\nnodev\toverlay\n\text4\n");
        Path without = Files.writeString(dir.resolve("without"), "nodev\tsysfs\n\text4\n");
        assertTrue(find(new BuilderHostChecks(apt, with).run(), "builder.overlayfs").ok());
        HostCheck gap = find(new BuilderHostChecks(apt, without).run(), "builder.overlayfs");
        assertFalse(gap.ok());
        assertTrue(gap.fix().contains("modprobe overlay"), gap.fix());
    }

    /** The real host: every check answers, and every gap says how to close it. */
    @Test
    void everyCheckOnThisHostHasADetailAndEveryGapAFix() {
        List<HostCheck> checks = new BuilderHostChecks().run();
        assertEquals(List.of("builder.mmdebstrap", "builder.privileges", "builder.overlayfs", "builder.debian-mirror"),
                checks.stream().map(HostCheck::name).toList());
        for (HostCheck check : checks) {
            assertFalse(check.detail().isBlank(), check.name());
            if (!check.ok()) {
                assertNotNull(check.fix(), check.name());
            }
        }
    }

    private BuilderHostChecks checks(Path apt) {
        return new BuilderHostChecks(apt, Path.of("/proc/filesystems"));
    }

    private static HostCheck find(List<HostCheck> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
