package arm.cli;

import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a result was produced: compute engine (the CPU backend's own description, e.g. which GEMM
 * path is active), JDK, CPU, and the device the methods train on with what its backend reports
 * (GPU, driver, cuBLAS / cuDNN versions, TF32). Written into every results.json.
 */
record Environment(
        String engine,
        String jdk,
        String jdkVendor,
        String cpu,
        int cores,
        String os,
        String device,
        Map<String, Object> deviceInfo) {

    static Environment detect() {
        return detect("cpu");
    }

    /**
     * @param device "cpu" or "cuda" (the --device option)
     */
    static Environment detect(String device) {
        Map<String, Object> info = Map.of();
        if (!device.equals("cpu")) {
            try {
                var be = Backends.get(Device.valueOf(device.toUpperCase()));
                info = new LinkedHashMap<>(be.info());
                info.putIfAbsent("describe", be.describe());
            } catch (RuntimeException e) {
                info = Map.of("error", String.valueOf(e.getMessage()));
            }
        }
        String engine;
        try {
            engine = Backends.cpu().describe();
        } catch (RuntimeException e) {
            engine = "unavailable (" + e.getMessage() + ")";
        }
        return new Environment(
                engine,
                Runtime.version().toString(),
                System.getProperty("java.vendor"),
                cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                device,
                info);
    }

    /**
     * What decides a run's numbers bit for bit, stored in its checkpoints and compared on resume:
     * the CPU kernel paths and the JDK, and the device backend's for a device run. Thread counts
     * are left out: they change who computes a part, never the result ({@link Backend#numerics}).
     *
     * @param device "cpu" or "cuda" (the --device option)
     */
    static String numerics(String device) {
        StringBuilder s = new StringBuilder();
        try {
            s.append(Backends.cpu().numerics());
        } catch (RuntimeException e) {
            s.append("cpu unavailable");
        }
        s.append("; JDK ").append(Runtime.version());
        if (!device.equals("cpu")) {
            try {
                s.append("; ")
                        .append(Backends.get(Device.valueOf(device.toUpperCase())).numerics());
            } catch (RuntimeException e) {
                s.append("; ").append(device).append(" unavailable");
            }
        }
        return s.toString();
    }

    /** "model name" from /proc/cpuinfo (Linux), else the architecture. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name"))
                    return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
