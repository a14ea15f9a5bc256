package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.IdxFiles;
import arm.io.Checkpoint;
import arm.metrics.EvalPoint;
import arm.run.RunState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Shared by the robustness tests of the CLI: a small MNIST folder, runs, comparisons. */
final class CliRuns {
    private CliRuns() {}

    /** 60 training and 5 test images per class: enough for --samples-per-class 50 (max_t = 50). */
    static Path mnist(Path dir) throws IOException {
        int[] train = new int[10], test = new int[10];
        Arrays.fill(train, 60);
        Arrays.fill(test, 5);
        IdxFiles.writeMnist(dir, train, test, false);
        return dir;
    }

    /**
     * A short real ARM command: 2 runs × max_t 30 (T = 6), MLP width 32, S = 5, checkpoints every 4
     * iterations and at task ends (t = 4, 6, 8, 12, 16, 18, …).
     */
    static List<String> armArgs(Path data, Path out) {
        return new ArrayList<>(
                List.of(
                        "train",
                        "--method",
                        "ARM",
                        "--runs",
                        "2",
                        "--threads",
                        "1",
                        "--samples-per-class",
                        "30",
                        "--checkpoint-every",
                        "4",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "--mlp_hidden",
                        "32",
                        "--S",
                        "5",
                        "--keep-checkpoints"));
    }

    record Outcome(int code, String out, String err) {}

    static Outcome run(MethodFactory f, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code =
                Main.run(
                        args.toArray(String[]::new),
                        f,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * results.json without what may differ between equal runs: times, paths, thread counts,
     * provenance.
     */
    static JsonNode comparable(Path dir) throws IOException {
        ObjectNode root =
                (ObjectNode) new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        ObjectNode cfg = (ObjectNode) root.get("config");
        for (String k : List.of("started", "out", "resumed", "threads", "data")) cfg.remove(k);
        root.remove(List.of("environment", "provenance", "resumes"));
        dropTimes(root);
        return root;
    }

    /**
     * Removes every "seconds" and "secondsPerRun" field (run timings, the gradient study's time).
     */
    private static void dropTimes(JsonNode n) {
        if (n instanceof ObjectNode o) {
            o.remove(List.of("seconds", "secondsPerRun"));
            o.forEach(CliRuns::dropTimes);
        } else if (n instanceof ArrayNode a) {
            a.forEach(CliRuns::dropTimes);
        }
    }

    /** The final checkpoints of two folders hold the same weights, bit for bit, and evaluations. */
    static void assertSameFinalCheckpoints(Path a, Path b, String method, int runs)
            throws IOException {
        for (int r = 0; r < runs; r++) {
            String f = "checkpoints/" + method + "-run" + r + ".safetensors";
            RunState x = Checkpoint.read(a.resolve(f)).state(),
                    y = Checkpoint.read(b.resolve(f)).state();
            assertThat(x.complete()).as(f).isTrue();
            assertThat(y.complete()).as(f).isTrue();
            assertThat(y.tensors().keySet()).as(f).isEqualTo(x.tensors().keySet());
            for (var e : x.tensors().entrySet()) {
                float[] p = e.getValue().toArray(), q = y.tensors().get(e.getKey()).toArray();
                assertThat(q.length).isEqualTo(p.length);
                for (int i = 0; i < p.length; i++)
                    if (Float.floatToRawIntBits(p[i]) != Float.floatToRawIntBits(q[i]))
                        throw new AssertionError(
                                f + " " + e.getKey() + "[" + i + "]: " + p[i] + " vs " + q[i]);
            }
            assertThat(y.evals()).hasSameSizeAs(x.evals());
            for (int i = 0; i < x.evals().size(); i++) {
                EvalPoint p = x.evals().get(i), q = y.evals().get(i);
                assertThat(q.testPerClass()).as(f).containsExactly(p.testPerClass());
                assertThat(q.valPerClass()).as(f).containsExactly(p.valPerClass());
            }
        }
    }

    /** The java command, class path and flags for a child JVM running {@code mainClass}. */
    static List<String> childJava(String mainClass, String... props) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                java,
                                "--add-modules",
                                "jdk.incubator.vector",
                                "-Xmx256m",
                                "-XX:+UseSerialGC",
                                "-Darm.tty=false",
                                "-cp",
                                cp));
        for (String p : props) cmd.add("-D" + p);
        cmd.add(mainClass);
        return cmd;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
