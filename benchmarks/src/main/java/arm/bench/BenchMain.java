package arm.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Main class of {@code benchmarks.jar}: JMH's own command line, with every fork's heap sized from
 * this machine's memory (unless an argument already names {@code -Xmx}).
 *
 * <p>Heap: a third of the physical memory, between 1 and 16 GiB (a larger share, pre-touched by the
 * ResNet benchmarks, leaves too little to other jobs on a shared machine); young generation three
 * quarters of it, so that a ResNet iteration's temporaries (gigabytes) die young and a timed pass
 * rarely meets a collection. The sizes are passed as {@code -jvmArgsPrepend} (one option each, as
 * JMH does not split the value), before the benchmarks' own {@code @Fork} options ({@code
 * --add-modules jdk.incubator.vector}, the collector, {@code -XX:+AlwaysPreTouch}); a {@code
 * -jvmArgsPrepend} of the caller's is kept beside it.
 */
public final class BenchMain {
    private BenchMain() {}

    private static final long MIB = 1L << 20;

    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(withHeap(args, physicalMemory()));
    }

    /** {@code args} with the heap options for a machine of {@code memoryBytes} added. */
    static String[] withHeap(String[] args, long memoryBytes) {
        for (String a : args) if (a.contains("-Xmx")) return args;
        List<String> out = new ArrayList<>();
        for (String o : heapOptions(memoryBytes)) out.addAll(List.of("-jvmArgsPrepend", o));
        out.addAll(List.of(args));
        return out.toArray(String[]::new);
    }

    /** -Xms, -Xmx and -Xmn for a machine of {@code memoryBytes}. */
    static List<String> heapOptions(long memoryBytes) {
        long heap = Math.max(1024, Math.min(16384, memoryBytes / MIB / 3));
        long young = heap * 3 / 4;
        return List.of("-Xms" + heap + "m", "-Xmx" + heap + "m", "-Xmn" + young + "m");
    }

    private static long physicalMemory() {
        var os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize();
    }
}
