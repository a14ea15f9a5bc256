package arm.sweep;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The command that starts {@code arm run-one} in a fresh JVM: this JVM's java binary, its options
 * (heap, --add-modules jdk.incubator.vector, …) and class path, so that a run started by a sweep
 * computes exactly what a run of this process would.
 */
public final class Launch {
    private Launch() {}

    /** java, JVM options, -cp, class path, arm.cli.Main. */
    public static List<String> javaCommand() {
        return javaCommand(null, null);
    }

    /** The same for runs of {@code benchmark} of any method (see the next). */
    public static List<String> javaCommand(String benchmark, String mem) {
        return javaCommand(benchmark, List.of(), mem);
    }

    /**
     * The same for runs of {@code benchmark} by {@code methods} (empty: any) in a task of {@code
     * mem} memory (Slurm's --mem: 2G, 2048M, 2048; null: keep this JVM's heap): the heap 3/4 of it,
     * and the young generation sized as ./arm.sh sizes it (256 MB for MNIST's MLP; 1 GB for ResNets
     * trained by plain methods only, when the heap has 4 GB; half the heap for the other ResNet
     * runs).
     */
    public static List<String> javaCommand(
            String benchmark, Collection<String> methods, String mem) {
        List<String> opts = jvmOptions();
        Long mb = megabytes(mem);
        Long taskHeap = mb == null ? null : Math.max(256, mb * 3 / 4);
        if (benchmark != null) {
            opts.removeIf(
                    a -> a.startsWith("-Xmn") || a.contains("NewRatio") || a.contains("NewSize"));
            long heap = taskHeap != null ? taskHeap : Runtime.getRuntime().maxMemory() >> 20;
            if (benchmark.equals("mnist")) opts.add("-Xmn256m");
            else if (plain(methods) && heap >= PLAIN_YOUNG_MIN_HEAP_MB) opts.add("-Xmn1g");
            else opts.add("-XX:NewRatio=1");
        }
        if (taskHeap != null) {
            opts.removeIf(a -> a.startsWith("-Xmx") || a.contains("MaxRAMPercentage"));
            opts.add("-Xmx" + taskHeap + "m");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(opts);
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("arm.cli.Main");
        return cmd;
    }

    /**
     * The heap from which plain ResNet runs get a 1 GB young generation: arm.sh's 4 GB, a little
     * lower because this JVM's {@code maxMemory()} reports its -Xmx less one survivor space.
     */
    static final long PLAIN_YOUNG_MIN_HEAP_MB = 4000;

    /**
     * Whether every method takes plain small steps (Naive, Stationary, Distill, ER with any buffer:
     * batches of 10 or 20 images in recycled arrays), as arm.sh decides; an empty list is not
     * plain.
     */
    static boolean plain(Collection<String> methods) {
        return !methods.isEmpty()
                && methods.stream()
                        .allMatch(m -> m.matches("(?i)naive|stationary|distill|er|er-[0-9]+"));
    }

    /**
     * Slurm's memory size in MB (K, M, G, T suffixes; none = MB), or null when absent or
     * unreadable.
     */
    static Long megabytes(String mem) {
        if (mem == null) return null;
        var m = Pattern.compile("(?i)\\s*(\\d+)\\s*([KMGT]?)B?\\s*").matcher(mem);
        if (!m.matches()) return null;
        long v = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase()) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            case "T" -> v * 1024 * 1024;
            default -> v;
        };
    }

    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** This JVM's options without debugger and agent attachments (a test's coverage agent). */
    public static List<String> jvmOptions() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (!a.startsWith("-agentlib")
                    && !a.startsWith("-javaagent")
                    && !a.startsWith("-Dsurefire")
                    && !a.startsWith("-XX:+HeapDumpOnOutOfMemoryError")
                    && !a.startsWith("-Dbasedir")) out.add(a);
        if (out.stream().noneMatch(a -> a.contains("jdk.incubator.vector")))
            out.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        return out;
    }

    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isEmpty()) cp = System.getProperty("java.class.path");
        List<String> abs = new ArrayList<>(); // a task may start in another folder
        for (String e : cp.split(File.pathSeparator))
            if (!e.isEmpty()) abs.add(Path.of(e).toAbsolutePath().normalize().toString());
        return String.join(File.pathSeparator, abs);
    }

    /** Single-quoted for bash. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
