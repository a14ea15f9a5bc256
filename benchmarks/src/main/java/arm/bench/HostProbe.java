package arm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * How fast this machine's cores are right now, apart from our code: a fixed floating-point loop (12
 * independent chains of scalar FMAs, bound by the FMA ports, no memory) timed in thread CPU time,
 * first on one thread, then on two threads at once. Thread CPU time per unit of work does not grow
 * when other processes share the cores (they only take turns), but it does grow when the hypervisor
 * slows the virtual CPUs: a lower clock, or two virtual CPUs placed on the two hardware threads of
 * one physical core (then the two-thread figure rises well above the one-thread one). {@code
 * benchmarks/plain-vs-authors.sh} writes one line before each of its runs (probe.txt), so that a
 * slow run can be told apart from slow code.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar arm.bench.HostProbe [seconds per measurement, default 0.5]
 * probe: 1 thread 1.23 ns/unit; 2 threads 1.24 / 1.25 ns/unit (cpu time per unit of work; 2/1 = 1.01)
 * </pre>
 */
public final class HostProbe {
    private HostProbe() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** 12 chains of n FMAs each; returns a value so that the JIT keeps the loop. */
    static double work(long n) {
        double a0 = 1, a1 = 2, a2 = 3, a3 = 4, a4 = 5, a5 = 6, a6 = 7, a7 = 8, a8 = 9, a9 = 10;
        double a10 = 11, a11 = 12, m = 0.999999, c = 1e-7;
        for (long i = 0; i < n; i++) {
            a0 = Math.fma(a0, m, c);
            a1 = Math.fma(a1, m, c);
            a2 = Math.fma(a2, m, c);
            a3 = Math.fma(a3, m, c);
            a4 = Math.fma(a4, m, c);
            a5 = Math.fma(a5, m, c);
            a6 = Math.fma(a6, m, c);
            a7 = Math.fma(a7, m, c);
            a8 = Math.fma(a8, m, c);
            a9 = Math.fma(a9, m, c);
            a10 = Math.fma(a10, m, c);
            a11 = Math.fma(a11, m, c);
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    static volatile double sink;

    /** Thread CPU nanoseconds per unit (one iteration: 12 FMAs) over n units on this thread. */
    static double cpuPerUnit(long n) {
        long t0 = MX.getCurrentThreadCpuTime();
        sink += work(n);
        return (MX.getCurrentThreadCpuTime() - t0) / (double) n;
    }

    public static void main(String[] args) throws InterruptedException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.5;
        for (int i = 0; i < 20; i++) sink += work(200_000); // compiled before it is timed
        // units for the wanted time, from a short timed run
        long n = Math.max(1_000_000L, (long) (seconds * 1e9 / cpuPerUnit(2_000_000)));
        double one = cpuPerUnit(n);
        double[] two = new double[2];
        Thread other = new Thread(() -> two[1] = cpuPerUnit(n), "probe-2");
        other.start();
        two[0] = cpuPerUnit(n);
        other.join();
        System.out.printf(
                "probe: 1 thread %.3f ns/unit; 2 threads %.3f / %.3f ns/unit (cpu time per unit"
                        + " of work; 2/1 = %.2f)%n",
                one, two[0], two[1], Math.max(two[0], two[1]) / one);
    }
}
