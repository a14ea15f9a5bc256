package arm.bench;

import arm.tensor.Profile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Profile.Sink} that sums, per phase of an ARM iteration (forward, recall loss, input
 * backward, step A, step B), the training thread's wall and CPU nanoseconds, and the CPU
 * nanoseconds that ARM's partner thread ({@code arm-pair}) and the kernel workers ({@code
 * arm-kernels-*}) spent meanwhile (idle spinning included): with f_old's half on the partner, wall
 * minus CPU in a phase is the caller's wait for it, and what no phase holds is serial work between
 * them ({@code ArmIterationTiming … phases=on}). The helper threads are those alive when it is made
 * (after the warm-up).
 */
final class PhaseTimes implements Profile.Sink {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private final Thread owner = Thread.currentThread();
    private final Map<String, long[]> sums = new LinkedHashMap<>(); // wall, cpu, partner, workers
    private final List<Thread> partner = new ArrayList<>(), workers = new ArrayList<>();
    private long wall0, cpu0, partner0, workers0;

    PhaseTimes() {
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t.getName().startsWith("arm-pair")) partner.add(t);
            else if (t.getName().startsWith("arm-kernels-")) workers.add(t);
    }

    private static long cpu(List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) sum += Math.max(0, MX.getThreadCpuTime(t.getId()));
        return sum;
    }

    @Override
    public void begin(String phase) {
        if (Thread.currentThread() != owner) return;
        wall0 = System.nanoTime();
        cpu0 = MX.getCurrentThreadCpuTime();
        partner0 = cpu(partner);
        workers0 = cpu(workers);
    }

    @Override
    public void end(String phase) {
        if (Thread.currentThread() != owner) return;
        long[] s = sums.computeIfAbsent(phase, k -> new long[4]);
        s[0] += System.nanoTime() - wall0;
        s[1] += MX.getCurrentThreadCpuTime() - cpu0;
        s[2] += cpu(partner) - partner0;
        s[3] += cpu(workers) - workers0;
    }

    /**
     * Prints seconds per iteration over {@code iterations}, and the rest of {@code wallNanos} and
     * of the threads' CPU ({@code cpuNanos}: calling thread, partner, kernel workers over the whole
     * timed loop).
     */
    void print(int iterations, long wallNanos, long[] cpuNanos) {
        long[] rest = {wallNanos, cpuNanos[0], cpuNanos[1], cpuNanos[2]};
        for (var e : sums.entrySet()) {
            long[] s = e.getValue();
            for (int i = 0; i < 4; i++) rest[i] -= s[i];
            line("phase " + e.getKey(), s, iterations);
        }
        line("outside phases", rest, iterations);
        line(
                "whole iteration",
                new long[] {wallNanos, cpuNanos[0], cpuNanos[1], cpuNanos[2]},
                iterations);
    }

    private static void line(String what, long[] s, int iterations) {
        System.out.printf(
                "  %-22s wall %.4f s, calling-thread CPU %.4f s, partner CPU %.4f s, kernel"
                        + " workers' CPU %.4f s%n",
                what,
                s[0] / 1e9 / iterations,
                s[1] / 1e9 / iterations,
                s[2] / 1e9 / iterations,
                s[3] / 1e9 / iterations);
    }

    /** CPU nanoseconds so far: calling thread, partner, kernel workers. */
    long[] cpuNow() {
        return new long[] {MX.getCurrentThreadCpuTime(), cpu(partner), cpu(workers)};
    }
}
