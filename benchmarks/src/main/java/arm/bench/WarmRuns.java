package arm.bench;

import arm.cli.Main;
import arm.cli.MethodFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The same {@code arm train} command N times in one JVM, one after another, each into its own
 * results folder: the first run pays the JVM's start and the JIT's warm-up, the later ones show
 * what a run costs once every kernel is compiled. Prints each run's wall and process CPU seconds
 * and its runs.csv line, and fails when two runs' results differ (the bits of a seed must not
 * depend on the JIT's state). A run that fails has its error output printed.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx12g -Xmn256m @arm/jit.args \
 *     @arm/jit-mnist.args -Darm.home=. -Darm.tty=false -cp benchmarks/target/benchmarks.jar \
 *     arm.bench.WarmRuns \
 *     6 OUT train --method ARM --rng authors --gradient-samples 0 --no-figures
 * </pre>
 */
public final class WarmRuns {
    private WarmRuns() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: WarmRuns N OUT_DIR train ARGS... (without --out)");
            System.exit(2);
        }
        int n = Integer.parseInt(args[0]);
        Path out = Path.of(args[1]);
        List<String> command = Arrays.asList(args).subList(2, args.length);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String first = null;
        for (int i = 0; i < n; i++) {
            List<String> a = new ArrayList<>(command);
            Path dir = out.resolve("run-" + i);
            a.add("--out");
            a.add(dir.toString());
            long wall = System.nanoTime(), cpu = processCpu();
            err.reset();
            int rc =
                    Main.run(
                            a.toArray(new String[0]),
                            MethodFactory.PUBLISHED,
                            quiet,
                            new PrintStream(err, true, StandardCharsets.UTF_8));
            double s = (System.nanoTime() - wall) / 1e9, c = (processCpu() - cpu) / 1e9;
            if (rc != 0) {
                System.err.print(err.toString(StandardCharsets.UTF_8));
                throw new IllegalStateException("run " + i + " exited with " + rc);
            }
            String line = results(dir.resolve("runs.csv"));
            System.out.printf("run %d: %.2f s wall, %.2f s CPU  %s%n", i, s, c, line);
            if (first == null) first = line;
            else if (!first.equals(line))
                throw new IllegalStateException("run " + i + " differs from run 0: " + line);
        }
    }

    /** The first run's method, seed, accuracies and forgetting (not its times). */
    private static String results(Path csv) throws IOException {
        String[] f = Files.readAllLines(csv).get(1).split(",");
        return String.join(",", Arrays.copyOf(f, Math.min(7, f.length)));
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
