package arm.bench;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.GemmStats;
import arm.kernels.cpu.fast.WeightPacks;
import arm.method.Method;
import arm.method.Methods;
import arm.method.Stepper;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.HostPool;
import arm.tensor.Profile;
import arm.tensor.Scope;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Wall time of one whole ARM recall iteration (or ADI's: {@code method=ADI}) on a device, without
 * JMH (the GPU check calls it: {@code arm.bench.DeviceCheckMain bench}). Settings as published
 * (ALGORITHM.md §2.4) on synthetic data shaped like the benchmark, recall from t = 0 so every
 * iteration recalls:
 *
 * <ul>
 *   <li>CIFAR: ResNet18 nf = 20, N = 10, M = 100, S = 10, η1 = 10 (the authors' PyTorch code: 12.8
 *       s on one CPU thread);
 *   <li>MNIST: MLP 784-400-400-10, N = 10, M = 10, S = 10, η1 = 25;
 *   <li>MiniImageNet: ResNet18 nf = 20 on 84×84, 100 outputs, N = 10, M = 100, S = 10.
 * </ul>
 *
 * Run here: {@code java --add-modules jdk.incubator.vector -cp 'benchmarks/target/...'
 * arm.bench.ArmIterationTiming [cpu|cuda] [mnist|cifar10|miniimagenet] [warmup] [reps]
 * [KEY=VALUE...]}. With {@code dedup=both} the replicated and the duplicate-aware recall (ARM's
 * dedup option) are timed in one process, alternating iterations, by wall clock and by the calling
 * thread's and the process's CPU time ({@link #compareDedup}): on a shared machine the CPU times
 * are the comparable numbers. {@code recycle=both} likewise alternates the refinement steps' host
 * arrays fresh from the JVM and recycled ({@link #compareRecycling}), {@code packhold=both}
 * convolution weights compared on every call and trusted while held ({@link #comparePackHolding}),
 * {@code pair=both} the MLP's steps on one thread and on two ({@link #comparePair}). {@code
 * each=on} adds a line per iteration, warm-up included: its wall and CPU times, the bytes its
 * threads allocated, the collections it met, the JIT compilers' time during it and what the array
 * pools hold after it.
 */
public final class ArmIterationTiming {
    private ArmIterationTiming() {}

    /**
     * Median seconds per ARM iteration in the CIFAR setting on {@code device} ("cpu" or "cuda").
     */
    public static double secondsPerIteration(String device, int warmup, int reps) {
        return secondsPerIteration("cifar10", device, warmup, reps, Map.of());
    }

    /** Median seconds per ARM iteration in the MNIST MLP setting on {@code device}. */
    public static double secondsPerIterationMnist(String device, int warmup, int reps) {
        return secondsPerIteration("mnist", device, warmup, reps, Map.of());
    }

    /**
     * Median of {@code reps} timed iterations after {@code warmup} untimed ones, waiting for the
     * device after each.
     *
     * @param dataset "mnist" (MLP) or "cifar10" (ResNet18)
     * @param options overrides of the published ARM options (e.g. M, resnet_nf for a quick run)
     */
    public static double secondsPerIteration(
            String dataset, String device, int warmup, int reps, Map<String, String> options) {
        if (reps < 1 || warmup < 0)
            throw new IllegalArgumentException("warmup " + warmup + ", reps " + reps);
        ContinualData data = SyntheticData.shapedLike(dataset, 1);
        Map<String, String> o = new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", device));
        o.putAll(options);
        Stepper run = Stepper.create(create(dataset, o), data, 42);
        Backend be = Backends.get(run.device());
        int t = 0;
        for (int i = 0; i < warmup; i++) run.train(t++);
        be.sync();
        double[] sec = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            run.train(t++);
            be.sync();
            sec[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(sec);
        return sec[reps / 2];
    }

    /**
     * Medians over {@code reps} iterations of one variant: wall, calling-thread CPU and process CPU
     * seconds, and the CPU seconds of the run's helper threads (ARM's partner thread {@code
     * arm-pair} and the kernel workers {@code arm-kernels-*}; spinning while idle included).
     */
    public record Times(double wall, double threadCpu, double processCpu, double helperCpu) {}

    /** CPU nanoseconds so far of the helper threads (see {@link Times#helperCpu}). */
    private static long helperCpu() {
        var bean = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t.getName().startsWith("arm-pair") || t.getName().startsWith("arm-kernels-"))
                sum += Math.max(0, bean.getThreadCpuTime(t.getId()));
        return sum;
    }

    /**
     * One stepper on the CPU: medians over {@code reps} iterations after {@code warmup} untimed
     * ones of wall, calling-thread CPU and process CPU seconds (on a shared machine the CPU times
     * are the comparable numbers).
     */
    public static Times timesPerIteration(
            String dataset, int warmup, int reps, Map<String, String> options) {
        ContinualData data = SyntheticData.shapedLike(dataset, 1);
        Map<String, String> o = new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", "cpu"));
        o.putAll(options);
        Stepper run = Stepper.create(create(dataset, o), data, 42);
        return alternate(new Stepper[] {run}, v -> {}, warmup, reps)[0];
    }

    /**
     * dedup off and on, one stepper each (same seed, so the same draws), stepped alternately after
     * {@code warmup} untimed iterations of each; returns {off, on}. CPU: the device must be "cpu".
     */
    public static Times[] compareDedup(
            String dataset, int warmup, int reps, Map<String, String> options) {
        ContinualData data = SyntheticData.shapedLike(dataset, 1);
        Stepper[] runs = new Stepper[2];
        for (int v = 0; v < 2; v++) {
            Map<String, String> o =
                    new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", "cpu"));
            o.putAll(options);
            o.put("dedup", v == 0 ? "off" : "on");
            runs[v] = Stepper.create(create(dataset, o), data, 42);
        }
        return alternate(runs, v -> {}, warmup, reps);
    }

    /**
     * The same iteration with the refinement steps' host arrays fresh from the JVM ({@code
     * -Darm.recycle=false}) and recycled through {@link HostPool} (the default), one stepper each,
     * stepped alternately; returns {fresh, recycled}. The results are bit-identical.
     */
    public static Times[] compareRecycling(
            String dataset, int warmup, int reps, Map<String, String> options) {
        return compareSwitch(dataset, warmup, reps, options, on -> Scope.recycle(on));
    }

    /**
     * The same iteration without and with weights held packed for the batch-10 forward ({@link
     * CpuGemm#holding}), one stepper each, stepped alternately; returns {not held, held}. The
     * results are bit-identical.
     */
    public static Times[] compareHolding(
            String dataset, int warmup, int reps, Map<String, String> options) {
        return compareSwitch(dataset, warmup, reps, options, on -> CpuGemm.holding(on));
    }

    /**
     * The same iteration with every convolution comparing its weights with their saved copy ({@code
     * -Darm.packs.hold=false}) and with held weights trusted ({@link WeightPacks#holding}, the
     * default), one stepper each, stepped alternately; returns {compared, trusted}. The results are
     * bit-identical.
     */
    public static Times[] comparePackHolding(
            String dataset, int warmup, int reps, Map<String, String> options) {
        return compareSwitch(dataset, warmup, reps, options, on -> WeightPacks.holding(on));
    }

    /**
     * The default ({@code -Darm.pair=auto}: for the MNIST MLP's ~1 ms steps every part on the
     * caller) and f_old's half of every step on the partner thread ({@code on}), one stepper each,
     * stepped alternately; returns {auto, on}. The bits are the same (PairThreadsTest). The mode is
     * package-private in arm.method, so it is set by reflection here.
     */
    public static Times[] comparePair(
            String dataset, int warmup, int reps, Map<String, String> options) {
        try {
            Class<?> pair = Class.forName("arm.method.Pair"),
                    mode = Class.forName("arm.method.Pair$Mode");
            java.lang.reflect.Method use = pair.getDeclaredMethod("use", mode);
            use.setAccessible(true);
            Object auto = null, on = null;
            for (Object m : mode.getEnumConstants()) {
                if (m.toString().equals("AUTO")) auto = m;
                if (m.toString().equals("ON")) on = m;
            }
            Object autoMode = auto, onMode = on;
            java.util.function.Consumer<Boolean> set =
                    v -> {
                        try {
                            use.invoke(null, v ? onMode : autoMode);
                        } catch (ReflectiveOperationException e) {
                            throw new IllegalStateException(e);
                        }
                    };
            Times[] t = compareSwitch(dataset, warmup, reps, options, set);
            set.accept(false);
            return t;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The second variant over the first: thread CPU, process CPU, wall. */
    private static void printRatios(String label, Times[] t) {
        System.out.printf(
                "%s: thread CPU %.3f, process CPU %.3f, wall %.3f%n",
                label,
                t[1].threadCpu() / t[0].threadCpu(),
                t[1].processCpu() / t[0].processCpu(),
                t[1].wall() / t[0].wall());
    }

    /**
     * Two steppers of the same iteration, stepped alternately with {@code set} switched off for the
     * first and on for the second; returns {off, on} and leaves the switch on.
     */
    private static Times[] compareSwitch(
            String dataset,
            int warmup,
            int reps,
            Map<String, String> options,
            java.util.function.Consumer<Boolean> set) {
        ContinualData data = SyntheticData.shapedLike(dataset, 1);
        Stepper[] runs = new Stepper[2];
        for (int v = 0; v < 2; v++) {
            Map<String, String> o =
                    new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", "cpu"));
            o.putAll(options);
            runs[v] = Stepper.create(create(dataset, o), data, 42);
        }
        Times[] t = alternate(runs, v -> set.accept(v == 1), warmup, reps);
        set.accept(true);
        return t;
    }

    /**
     * The method named by the option {@code method} (default ARM, e.g. method=ADI), with the other
     * options.
     */
    private static Method create(String dataset, Map<String, String> options) {
        Map<String, String> o = new LinkedHashMap<>(options);
        String method = o.remove("method");
        return Methods.create(method == null ? "ARM" : method, dataset, o);
    }

    private static String method(Map<String, String> o) {
        return o.getOrDefault("method", "ARM");
    }

    /**
     * {@code each=on}: one line per iteration, warm-up included (wall, CPU, the collections it
     * met), to tell the JIT's warm-up and the collector's pauses from the steady state.
     */
    private static boolean each;

    private static Times[] alternate(Stepper[] runs, IntConsumer before, int warmup, int reps) {
        var thread = ManagementFactory.getThreadMXBean();
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int k = runs.length;
        double[][][] s = new double[k][4][reps];
        for (int t = 0; t < warmup + reps; t++)
            for (int v = 0; v < k; v++) {
                long[] g0 = each ? gc() : null;
                long a0 = each ? allocated() : 0, j0 = each ? jitMillis() : 0;
                long w0 = System.nanoTime(),
                        c0 = thread.getCurrentThreadCpuTime(),
                        p0 = os.getProcessCpuTime(),
                        h0 = helperCpu();
                before.accept(v);
                runs[v].train(t);
                double wall = (System.nanoTime() - w0) / 1e9,
                        cpu = (thread.getCurrentThreadCpuTime() - c0) / 1e9,
                        process = (os.getProcessCpuTime() - p0) / 1e9,
                        helpers = (helperCpu() - h0) / 1e9;
                if (each) {
                    long[] g1 = gc();
                    System.out.printf(
                            "  iteration %d%s: wall %.4f s, thread CPU %.4f s, process CPU %.4f s,"
                                    + " helper threads' CPU %.4f s, allocated %.0f MB,"
                                    + " %d collection(s) %.3f s, JIT %.3f s, pools %.0f MB%n",
                            t,
                            k > 1 ? " variant " + v : "",
                            wall,
                            cpu,
                            process,
                            helpers,
                            (allocated() - a0) / (double) (1 << 20),
                            g1[0] - g0[0],
                            (g1[1] - g0[1]) / 1e3,
                            (jitMillis() - j0) / 1e3,
                            HostPool.heldFloats() * (double) Float.BYTES / (1 << 20));
                }
                if (t < warmup) continue;
                s[v][0][t - warmup] = wall;
                s[v][1][t - warmup] = cpu;
                s[v][2][t - warmup] = process;
                s[v][3][t - warmup] = helpers;
            }
        Times[] out = new Times[k];
        for (int v = 0; v < k; v++) {
            for (double[] a : s[v]) Arrays.sort(a);
            out[v] =
                    new Times(
                            s[v][0][reps / 2],
                            s[v][1][reps / 2],
                            s[v][2][reps / 2],
                            s[v][3][reps / 2]);
        }
        return out;
    }

    /** Bytes allocated so far by the live threads (the JVM's own count per thread). */
    private static long allocated() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : bean.getThreadAllocatedBytes(bean.getAllThreadIds())) sum += Math.max(0, b);
        return sum;
    }

    /** Milliseconds the JIT compilers have spent so far (their threads' time, all tiers). */
    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit.getTotalCompilationTime()
                : 0;
    }

    /** Collections so far over all collectors, and their milliseconds. */
    private static long[] gc() {
        long n = 0, ms = 0;
        for (var b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        return new long[] {n, ms};
    }

    public static void main(String[] args) {
        String device = args.length > 0 ? args[0] : "cpu",
                dataset = args.length > 1 ? args[1] : "cifar10";
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 1,
                reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        each = "on".equals(o.remove("each"));
        if ("both".equals(o.get("recycle"))) {
            o.remove("recycle");
            Times[] t = compareRecycling(dataset, warmup, reps, o);
            printPair(dataset, o, "recycle", t, reps, warmup);
            System.out.printf(
                    "recycled / fresh: thread CPU %.3f, process CPU %.3f%n",
                    t[1].threadCpu() / t[0].threadCpu(), t[1].processCpu() / t[0].processCpu());
            return;
        }
        if ("both".equals(o.get("packhold"))) {
            o.remove("packhold");
            Times[] t = comparePackHolding(dataset, warmup, reps, o);
            printPair(dataset, o, "packhold", t, reps, warmup);
            printRatios("trusted / compared", t);
            return;
        }
        if ("both".equals(o.get("pair"))) {
            o.remove("pair");
            Times[] t = comparePair(dataset, warmup, reps, o);
            printPair(dataset, o, "pair", t, reps, warmup);
            printRatios("pair on / auto", t);
            return;
        }
        if ("both".equals(o.get("hold"))) {
            o.remove("hold");
            Times[] t = compareHolding(dataset, warmup, reps, o);
            printPair(dataset, o, "hold", t, reps, warmup);
            printRatios("held / not", t);
            return;
        }
        if ("both".equals(o.get("dedup"))) {
            o.remove("dedup");
            Times[] t = compareDedup(dataset, warmup, reps, o);
            printPair(dataset, o, "dedup", t, reps, warmup);
            System.out.printf(
                    "dedup on / off: thread CPU %.3f, process CPU %.3f%n",
                    t[1].threadCpu() / t[0].threadCpu(), t[1].processCpu() / t[0].processCpu());
            System.out.println(Backends.cpu().describe());
            printPools();
            return;
        }
        if (device.equals("cpu") && "on".equals(o.remove("gemms"))) {
            gemms(dataset, warmup, reps, o);
            return;
        }
        if (device.equals("cpu") && "on".equals(o.remove("phases"))) {
            phases(dataset, warmup, reps, o);
            return;
        }
        if (device.equals("cpu")) {
            Times t = timesPerIteration(dataset, warmup, reps, o);
            System.out.printf(
                    "%s iteration %s on cpu %s: wall %.4f s, thread CPU %.4f s, process CPU %.4f"
                            + " s, helper threads' CPU %.4f s (medians of %d after %d warm-up)%n",
                    method(o),
                    dataset,
                    o,
                    t.wall(),
                    t.threadCpu(),
                    t.processCpu(),
                    t.helperCpu(),
                    reps,
                    warmup);
            System.out.println(Backends.cpu().describe());
            printPools();
            return;
        }
        double s = secondsPerIteration(dataset, device, warmup, reps, o);
        System.out.printf(
                "%s iteration %s on %s %s: %.4f s (median of %d after %d warm-up)%n",
                method(o), dataset, device, o, s, reps, warmup);
        if (!device.equals("cpu")) System.out.println(CapturedStep.summary());
        System.out.println(Backends.get(Device.valueOf(device.toUpperCase())).describe());
    }

    /**
     * {@code phases=on}: the calling thread's wall and CPU time per phase of the iteration, and the
     * partner's and the kernel workers' CPU meanwhile, per iteration over {@code reps} iterations
     * after {@code warmup} ({@link PhaseTimes}).
     */
    private static void phases(String dataset, int warmup, int reps, Map<String, String> options) {
        ContinualData data = SyntheticData.shapedLike(dataset, 1);
        Map<String, String> o = new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", "cpu"));
        o.putAll(options);
        Stepper run = Stepper.create(create(dataset, o), data, 42);
        int t = 0;
        for (; t < warmup; t++) run.train(t);
        PhaseTimes p = new PhaseTimes();
        Profile.Sink old = Profile.install(p);
        long w0 = System.nanoTime();
        long[] c0 = p.cpuNow();
        for (; t < warmup + reps; t++) run.train(t);
        long wall = System.nanoTime() - w0;
        long[] c1 = p.cpuNow();
        Profile.install(old);
        System.out.printf(
                "%s iteration %s on cpu %s: wall %.4f s per iteration (mean of %d after %d"
                        + " warm-up), by phase:%n",
                method(o), dataset, options, wall / 1e9 / reps, reps, warmup);
        p.print(reps, wall, new long[] {c1[0] - c0[0], c1[1] - c0[1], c1[2] - c0[2]});
        System.out.println(Backends.cpu().describe());
    }

    /**
     * {@code gemms=on} (with {@code -Darm.gemm.stats=true}): the GEMMs of {@code reps} iterations
     * after {@code warmup} by shape (calls per iteration, wall time per iteration, GFLOP/s), and
     * the calling thread's CPU time per iteration outside them.
     */
    private static void gemms(String dataset, int warmup, int reps, Map<String, String> options) {
        if (!GemmStats.ON) throw new IllegalStateException("needs -Darm.gemm.stats=true");
        ContinualData data = SyntheticData.shapedLike(dataset, 1);
        Map<String, String> o = new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", "cpu"));
        o.putAll(options);
        Stepper run = Stepper.create(create(dataset, o), data, 42);
        var thread = ManagementFactory.getThreadMXBean();
        int t = 0;
        for (; t < warmup; t++) run.train(t);
        GemmStats.reset();
        long w0 = System.nanoTime(), c0 = thread.getCurrentThreadCpuTime();
        for (; t < warmup + reps; t++) run.train(t);
        double wall = (System.nanoTime() - w0) / 1e9 / reps,
                cpu = (thread.getCurrentThreadCpuTime() - c0) / 1e9 / reps;
        System.out.printf(
                "%s iteration %s on cpu %s: wall %.4f s, thread CPU %.4f s per iteration (mean of"
                        + " %d after %d warm-up); GEMMs by shape (MxKxN:transposes):%n",
                method(o), dataset, options, wall, cpu, reps, warmup);
        double gemmSec = 0, flops = 0;
        for (GemmStats.Entry e : GemmStats.entries()) {
            double sec = e.nanos / 1e9 / reps, calls = e.calls / (double) reps;
            gemmSec += sec;
            flops += e.flopsPerCall * calls;
            System.out.printf(
                    "  %-16s %6.1f calls  %7.3f ms  %6.1f µs/call  %6.1f GFLOP/s%n",
                    e.shape,
                    calls,
                    sec * 1e3,
                    sec / calls * 1e6,
                    e.flopsPerCall * calls / sec / 1e9);
        }
        System.out.printf(
                "  all GEMMs        %7.3f ms wall per iteration, %.3f GFLOP, %.1f GFLOP/s; the"
                        + " iteration outside them %.3f ms of wall%n",
                gemmSec * 1e3, flops / 1e9, flops / gemmSec / 1e9, (wall - gemmSec) * 1e3);
    }

    /**
     * What the recycled host arrays hold at the end, against the heap (HostPool's cap), and the
     * collector's work.
     */
    private static void printPools() {
        System.out.printf(
                "host array pools hold %.0f MB, their threads' largest steps %.0f MB (heap %d"
                        + " MB)%n",
                HostPool.heldFloats() * (double) Float.BYTES / (1 << 20),
                HostPool.stepFloats() * (double) Float.BYTES / (1 << 20),
                Runtime.getRuntime().maxMemory() >> 20);
        StringBuilder gc = new StringBuilder("garbage collections over the whole process:");
        for (var b : ManagementFactory.getGarbageCollectorMXBeans())
            gc.append(
                    String.format(
                            " %s %d (%.2f s)",
                            b.getName(), b.getCollectionCount(), b.getCollectionTime() / 1e3));
        System.out.println(gc);
    }

    /** One line per variant (off, on) of an alternating comparison. */
    private static void printPair(
            String dataset, Map<String, String> o, String option, Times[] t, int reps, int warmup) {
        for (int v = 0; v < 2; v++)
            System.out.printf(
                    "%s iteration %s on cpu %s %s=%s: wall %.4f s, thread CPU %.4f s,"
                            + " process CPU %.3f s (medians of %d after %d warm-up, variants"
                            + " alternating)%n",
                    method(o),
                    dataset,
                    o,
                    option,
                    v == 0 ? "off" : "on",
                    t[v].wall(),
                    t[v].threadCpu(),
                    t[v].processCpu(),
                    reps,
                    warmup);
    }
}
