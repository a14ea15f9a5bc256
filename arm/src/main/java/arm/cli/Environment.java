package arm.cli;

import arm.tensor.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a result was produced: compute engine (the CPU backend's own description, e.g. which GEMM
 * path is active), JDK, CPU. Written into every results.json.
 */
record Environment(String engine, String jdk, String jdkVendor, String cpu, int cores, String os) {

  static Environment detect() {
    String engine;
    try {
      engine = Backends.cpu().describe();
    } catch (RuntimeException e) {
      engine = "unavailable (" + e.getMessage() + ")";
    }
    return new Environment(
        engine, Runtime.version().toString(), System.getProperty("java.vendor"), cpuModel(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"));
  }

  /** "model name" from /proc/cpuinfo (Linux), else the architecture. */
  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch");
  }
}
