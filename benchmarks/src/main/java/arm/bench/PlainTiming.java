package arm.bench;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.data.SyntheticData;
import arm.method.ContinualMethod;
import arm.method.Methods;
import arm.method.Stepper;
import arm.tensor.Backends;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The two parts of a plain CIFAR10 run (Naive, Distill) timed apart, on random CIFAR-shaped data:
 * training iterations of N = 10 (ResNet18 nf = 20, the method's own step, recall from t = 0 so that
 * Distill distils at every step) and one evaluation of val + test (eval-mode forwards without
 * autograd, as a run's evaluation). Prints wall, process CPU and calling-thread CPU per iteration
 * and per 1,000 evaluated images; {@code -Darm.threads} sets the kernel threads. Not JMH: the proxy
 * of a full-length run that {@code benchmarks/plain-vs-authors.sh} times whole.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp
 * benchmarks/target/benchmarks.jar arm.bench.PlainTiming [method] [warmup] [iterations] [eval
 * images] [eval rounds] [shared]}; {@code shared}: each evaluation as a run's last one, its batches
 * shared by the calling thread and a helping thread (both with serial kernels), instead of one
 * thread whose kernels split over the kernel workers.
 */
public final class PlainTiming {
    private PlainTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) {
        String method = args.length > 0 ? args[0] : "Naive";
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 60,
                reps = args.length > 2 ? Integer.parseInt(args[2]) : 100,
                evalImages = args.length > 3 ? Integer.parseInt(args[3]) : 2500,
                evalRounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        boolean shared = args.length > 5 && args[5].equals("shared");
        ContinualData data = data(evalImages);
        Map<String, String> o = new LinkedHashMap<>(Map.of("device", "cpu"));
        if (!method.equals("Naive")) o.put("recall_from_t", "0");
        Stepper run = Stepper.create(Methods.create(method, "cifar10", o), data, 42);
        System.out.println("# " + Backends.cpu().describe());
        int t = 0;
        for (int i = 0; i < warmup; i++) run.train(t++);
        long[] c = clocks();
        for (int i = 0; i < reps; i++) run.train(t++);
        print(method + " iteration", c, reps, 1);
        for (int r = 0; r < evalRounds; r++) {
            c = clocks();
            Thread[] helper = new Thread[1];
            ContinualMethod.evaluate(
                    run.model(),
                    data,
                    t,
                    run.seenClasses(),
                    run.lastTask(),
                    !shared
                            ? null
                            : s -> {
                                helper[0] = new Thread(s::help, "helper");
                                helper[0].start();
                            });
            if (helper[0] != null) join(helper[0]);
            print(
                    shared ? "evaluation, shared" : "evaluation (val + test)",
                    c,
                    1,
                    2 * evalImages / 1000.0);
        }
    }

    /** The CIFAR-shaped stream, with val and test sets of {@code evalImages} random images each. */
    static ContinualData data(int evalImages) {
        ContinualData s = SyntheticData.cifarShaped(1);
        SplittableRandom rng = new SplittableRandom(7);
        byte[] px = new byte[evalImages * 3 * 32 * 32];
        rng.nextBytes(px);
        int[] labels = new int[evalImages];
        Arrays.setAll(labels, i -> i % 10);
        Dataset eval = new Dataset("eval", px, labels, new int[] {3, 32, 32});
        return new ContinualData(
                s.train(), s.stream(), eval, eval, s.numClasses(), s.classesPerTask(), 10);
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long[] clocks() {
        return new long[] {System.nanoTime(), OS.getProcessCpuTime(), MX.getCurrentThreadCpuTime()};
    }

    private static void print(String what, long[] c, int reps, double per) {
        long[] e = clocks();
        double d = reps * per;
        System.out.printf(
                "%-26s wall %8.4f s  process CPU %8.4f s  thread CPU %8.4f s  (per %s, over %d,"
                        + " load %.2f)%n",
                what,
                (e[0] - c[0]) / 1e9 / d,
                (e[1] - c[1]) / 1e9 / d,
                (e[2] - c[2]) / 1e9 / d,
                per == 1 ? "iteration" : "1000 images",
                reps,
                OS.getSystemLoadAverage());
    }
}
