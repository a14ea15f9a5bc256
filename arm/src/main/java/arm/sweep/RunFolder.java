package arm.sweep;

import arm.io.AtomicFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The folder of one run under a sweep's output root: the run's own results folder (results.json,
 * checkpoints/, …, as {@code arm train} writes it) plus run.json, where {@code arm run-one} notes
 * the run's settings and state (running, done, failed, cancelled), the host and process or Slurm
 * task running it, and when.
 */
public final class RunFolder {
    public static final String STATE = "run.json";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@code arm sweep --status} reports for a run. */
    public enum Status {
        done,
        running,
        failed,
        pending
    }

    private RunFolder() {}

    /** True when results.json lists the run as finished and no failure. */
    public static boolean done(Path dir) {
        Path f = dir.resolve("results.json");
        if (!Files.isRegularFile(f)) return false;
        try {
            JsonNode root = JSON.readTree(f.toFile());
            return root.path("runs").size() >= 1 && root.path("failures").isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** run.json, or an empty object when there is none or it cannot be read. */
    public static JsonNode state(Path dir) {
        try {
            Path f = dir.resolve(STATE);
            return Files.isRegularFile(f) ? JSON.readTree(f.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** Rewrites run.json (atomically) with {@code fields} on top of what it holds. */
    public static synchronized void note(Path dir, Map<String, Object> fields) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        JsonNode old = state(dir);
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) old::fields)
            m.put(e.getKey(), e.getValue());
        m.putAll(fields);
        Files.createDirectories(dir);
        AtomicFile.write(
                dir.resolve(STATE), JSON.writeValueAsString(m).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The run's status from its folder alone. A run noted as running whose process is gone (same
     * host, pid not alive) is failed; one on another host or in a Slurm task is running unless the
     * caller knows better (squeue).
     */
    public static Status status(Path dir) {
        if (done(dir)) return Status.done;
        JsonNode s = state(dir);
        String st = s.path("state").asText("");
        switch (st) {
            case "running" -> {
                if (s.hasNonNull("slurmJob")) return Status.running;
                if (host().equals(s.path("host").asText()) && s.has("pid"))
                    return ProcessHandle.of(s.path("pid").asLong())
                                    .map(ProcessHandle::isAlive)
                                    .orElse(false)
                            ? Status.running
                            : Status.failed;
                return Status.running;
            }
            case "failed", "cancelled", "done" -> {
                return Status
                        .failed; // "done" without a finished results.json: something removed it
            }
            default -> {
                return Status.pending;
            }
        }
    }

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
