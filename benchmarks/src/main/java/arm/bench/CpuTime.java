package arm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The benchmark thread's CPU time per operation, printed at the end of each JMH iteration beside
 * JMH's wall-clock score. On a shared, oversubscribed machine the wall clock includes the time
 * other processes held the core; the thread's CPU time does not (it still includes their cache and
 * memory-bandwidth interference). With {@code arm.threads} &gt; 1 it counts only the calling
 * thread's part of the work, so quote it for one-thread runs.
 */
final class CpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private long start, ops;

    void begin() {
        start = MX.getCurrentThreadCpuTime();
        ops = 0;
    }

    void op() {
        ops++;
    }

    void end(String what) {
        long ns = MX.getCurrentThreadCpuTime() - start;
        if (ops > 0)
            System.out.printf(
                    "# %s: thread CPU %.1f ms per op over %d ops%n", what, ns / 1e6 / ops, ops);
    }
}
