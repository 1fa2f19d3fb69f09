package dev.appliance.runtime.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The one host CPU that a uniprocessor UML guest runs on ({@code taskset}). UML runs the guest's
 * kernel and each guest process as host processes that hand the CPU to one another on every system
 * call and page fault. Left to the host's scheduler they wake each other across CPUs, which on a
 * virtual host costs an inter-processor interrupt each time: pinned to one CPU, the LAMP appliance
 * was healthy in 2.6-2.9 s instead of 6.2 s (bench/README.md, 2026-12-07). The CPU is the allowed
 * one that the fewest running UML guests are pinned to, so that guests spread over the host.
 *
 * @param cpu the CPU's number
 */
record CpuPin(int cpu) {
  private static final Path TASKSET = Path.of("/usr/bin/taskset");

  /** The words that run a command on this CPU only. */
  List<String> prefix() {
    return List.of(TASKSET.toString(), "--cpu-list", Integer.toString(cpu));
  }

  /**
   * The CPU for a new guest, from {@code proc} (the host's /proc): empty when this process may run
   * on one CPU only (nothing to choose) or when taskset is missing.
   *
   * @param kernelName the file name of UML kernels, by which running guests are recognised
   */
  static Optional<CpuPin> choose(Path proc, String kernelName) {
    if (!Files.isExecutable(TASKSET)) {
      return Optional.empty();
    }
    return choose(proc, kernelName, allowed(proc.resolve("self/status")));
  }

  static Optional<CpuPin> choose(Path proc, String kernelName, List<Integer> allowed) {
    if (allowed.size() < 2) {
      return Optional.empty();
    }
    Map<Integer, Integer> guests = guestsPerCpu(proc, kernelName);
    int best = allowed.get(0);
    for (int cpu : allowed) {
      // ties go to the higher CPU: CPU 0 tends to take the host's interrupts and housekeeping
      if (guests.getOrDefault(cpu, 0) <= guests.getOrDefault(best, 0)) {
        best = cpu;
      }
    }
    return Optional.of(new CpuPin(best));
  }

  /** The CPUs in a status file's {@code Cpus_allowed_list} (e.g. {@code 0-3,6}); empty if none. */
  static List<Integer> allowed(Path status) {
    return field(lines(status), "Cpus_allowed_list:").map(CpuPin::cpuList).orElse(List.of());
  }

  static List<Integer> cpuList(String list) {
    TreeSet<Integer> cpus = new TreeSet<>();
    try {
      for (String part : list.strip().split(",")) {
        String[] range = part.split("-", 2);
        int from = Integer.parseInt(range[0]);
        int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
        for (int cpu = from; cpu <= to && cpus.size() < 4096; cpu++) {
          cpus.add(cpu);
        }
      }
    } catch (NumberFormatException e) {
      return List.of();
    }
    return new ArrayList<>(cpus);
  }

  /**
   * How many running UML guests are pinned to each CPU: processes whose program is a UML kernel and
   * whose parent is not (a guest's own processes are its kernel's children).
   */
  private static Map<Integer, Integer> guestsPerCpu(Path proc, String kernelName) {
    Map<Long, Optional<Integer>> kernels = new HashMap<>(); // pid -> its single CPU, if pinned
    Map<Long, Long> parents = new HashMap<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path dir : pids) {
        if (!isKernel(dir.resolve("cmdline"), kernelName)) {
          continue;
        }
        long pid = Long.parseLong(dir.getFileName().toString());
        List<String> status = lines(dir.resolve("status"));
        List<Integer> cpus =
            field(status, "Cpus_allowed_list:").map(CpuPin::cpuList).orElse(List.of());
        kernels.put(pid, cpus.size() == 1 ? Optional.of(cpus.get(0)) : Optional.empty());
        field(status, "PPid:").ifPresent(p -> parents.put(pid, Long.parseLong(p)));
      }
    } catch (IOException | NumberFormatException e) {
      return Map.of(); // no count: any allowed CPU will do
    }
    Map<Integer, Integer> count = new HashMap<>();
    kernels.forEach(
        (pid, cpu) -> {
          if (cpu.isPresent() && !kernels.containsKey(parents.getOrDefault(pid, 0L))) {
            count.merge(cpu.get(), 1, Integer::sum);
          }
        });
    return count;
  }

  private static boolean isKernel(Path cmdline, String kernelName) {
    try {
      byte[] raw = Files.readAllBytes(cmdline);
      int end = 0;
      while (end < raw.length && raw[end] != 0) {
        end++;
      }
      String program = new String(raw, 0, end, StandardCharsets.UTF_8);
      return program.endsWith("/" + kernelName);
    } catch (IOException e) {
      return false; // gone, or not ours to read
    }
  }

  /** A /proc file's lines; none when the process is gone or not ours to read. */
  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static Optional<String> field(List<String> status, String name) {
    return status.stream()
        .filter(line -> line.startsWith(name))
        .findFirst()
        .map(line -> line.substring(name.length()).strip());
  }
}
