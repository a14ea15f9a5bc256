package arm.bench;

import arm.tensor.Profile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Profile.Sink} that sums, per phase of an ARM iteration (forward, recall loss, input
 * backward, step A, step B), the training thread's wall and CPU nanoseconds: with f_old's half on
 * the partner thread, wall minus CPU in a phase is the caller's wait for the partner, and what no
 * phase holds is serial work between them ({@code ArmIterationTiming … phases=on}).
 */
final class PhaseTimes implements Profile.Sink {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private final Thread owner = Thread.currentThread();
    private final Map<String, long[]> sums = new LinkedHashMap<>(); // wall, cpu
    private long wall0, cpu0;

    @Override
    public void begin(String phase) {
        if (Thread.currentThread() != owner) return;
        wall0 = System.nanoTime();
        cpu0 = MX.getCurrentThreadCpuTime();
    }

    @Override
    public void end(String phase) {
        if (Thread.currentThread() != owner) return;
        long[] s = sums.computeIfAbsent(phase, k -> new long[2]);
        s[0] += System.nanoTime() - wall0;
        s[1] += MX.getCurrentThreadCpuTime() - cpu0;
    }

    /** Prints seconds per iteration over {@code iterations}, and the rest of {@code wallNanos}. */
    void print(int iterations, long wallNanos) {
        long rest = wallNanos;
        for (var e : sums.entrySet()) {
            long[] s = e.getValue();
            rest -= s[0];
            System.out.printf(
                    "  phase %-15s wall %.4f s, calling-thread CPU %.4f s%n",
                    e.getKey(), s[0] / 1e9 / iterations, s[1] / 1e9 / iterations);
        }
        System.out.printf("  outside phases  wall %.4f s%n", rest / 1e9 / iterations);
    }
}
