package arm.bench;

import arm.data.SyntheticData;
import arm.method.ContinualMethod;
import arm.method.Methods;
import arm.method.Stepper;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Tensor;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU time of one ARM iteration (CIFAR setting) goes, by Backend call and shape: every
 * call of the CPU backend is timed in the calling thread's CPU time (so run it with one kernel
 * thread, the default) and summed under a key such as {@code conv2dBackwardInput [100,40,16,16]
 * w[40,20,3,3] s2}. Not JMH: a diagnostic, printed as a table sorted by time.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn6g -cp
 * benchmarks/target/benchmarks.jar arm.bench.OpProfile [warmup] [reps] [KEY=VALUE...]}; {@code
 * method=Naive} (or any method's name) profiles that method's iteration instead of ARM's; {@code
 * evaluate=true} profiles an evaluation of f_cur (val + test, 800 images) after the warm-up
 * iterations instead; {@code dataset=mnist} times by wall clock unless {@code clock=cpu} (thread
 * CPU time: immune to other processes, but each reading costs ~1 µs of a 1–5 µs op).
 */
public final class OpProfile {
    private OpProfile() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** Nanoseconds and calls per key. */
    static final class Stat {
        long ns, calls;
    }

    private static final Map<String, Stat> STATS = new HashMap<>();
    private static boolean on;

    /** Wall clock for the MNIST MLP (its ops take microseconds), else the thread's CPU time. */
    private static boolean wallClock;

    private static long clock() {
        return wallClock ? System.nanoTime() : MX.getCurrentThreadCpuTime();
    }

    static Backend wrap(Backend inner) {
        InvocationHandler h =
                (proxy, m, args) -> {
                    if (!on) return invoke(inner, m, args);
                    long t0 = clock();
                    Object r = invoke(inner, m, args);
                    long dt = clock() - t0;
                    Stat s = STATS.computeIfAbsent(key(m.getName(), args), k -> new Stat());
                    s.ns += dt;
                    s.calls++;
                    return r;
                };
        return (Backend)
                Proxy.newProxyInstance(
                        Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    private static Object invoke(Backend inner, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(inner, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Method name, the first tensor's shape, a weight shape for convolutions, and int arguments.
     */
    static String key(String name, Object[] args) {
        StringBuilder sb = new StringBuilder(name);
        if (args == null) return sb.toString();
        if (name.equals("gemm")) { // op(A)·op(B) as m×k×n:ab, beta
            Tensor a = (Tensor) args[3], b = (Tensor) args[4];
            boolean ta = (Boolean) args[0], tb = (Boolean) args[1];
            int m = ta ? a.shape[1] : a.shape[0],
                    k = ta ? a.shape[0] : a.shape[1],
                    n = tb ? b.shape[0] : b.shape[1];
            return sb.append(' ')
                    .append(m)
                    .append('x')
                    .append(k)
                    .append('x')
                    .append(n)
                    .append(':')
                    .append(ta ? 't' : 'n')
                    .append(tb ? 't' : 'n')
                    .append(" beta=")
                    .append(args[5])
                    .toString();
        }
        int tensors = 0;
        for (Object a : args) {
            if (a instanceof Tensor t
                    && (tensors++ == 0 || name.startsWith("conv") && tensors == 2))
                sb.append(' ').append(Arrays.toString(t.shape).replace(" ", ""));
            else if (a instanceof Integer i && name.startsWith("conv")) sb.append(' ').append(i);
            else if (a instanceof int[] s && name.equals("zeros"))
                sb.append(' ').append(Arrays.toString(s).replace(" ", ""));
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 1,
                reps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Map<String, String> o = new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", "cpu"));
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        String dataset = o.getOrDefault("dataset", "cifar10");
        String method = o.getOrDefault("method", "ARM");
        o.remove("dataset");
        o.remove("method");
        if (method.equals("Naive")) o.remove("recall_from_t"); // it has no recall
        boolean eval = "true".equals(o.remove("evaluate"));
        String clock = o.remove("clock"); // wall (MNIST's default) or cpu
        wallClock = clock == null ? dataset.equals("mnist") : clock.equals("wall");
        Backends.set(wrap(Backends.cpu()));
        var data =
                dataset.equals("mnist")
                        ? SyntheticData.mnistShaped(1)
                        : SyntheticData.cifarShaped(1);
        Stepper run = Stepper.create(Methods.create(method, dataset, o), data, 42);
        int t = 0;
        for (int i = 0; i < warmup; i++) run.train(t++);
        if (eval) ContinualMethod.evaluate(run.model(), data, t, new int[0], 0);
        on = true;
        long total = 0, process = 0, wall = 0;
        OperatingSystemMXBean os =
                (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < reps; i++) {
            long t0 = MX.getCurrentThreadCpuTime(),
                    p0 = os.getProcessCpuTime(),
                    w0 = System.nanoTime();
            if (eval) ContinualMethod.evaluate(run.model(), data, t, new int[0], 0);
            else run.train(t++);
            total += MX.getCurrentThreadCpuTime() - t0;
            process += os.getProcessCpuTime() - p0;
            wall += System.nanoTime() - w0;
        }
        on = false;
        System.out.printf(
                "process CPU %.3f s, wall %.3f s per iteration%n",
                process / 1e9 / reps, wall / 1e9 / reps);
        print(total, reps);
        System.out.println(Backends.cpu().describe());
    }

    static void print(long total, int reps) {
        List<Map.Entry<String, Stat>> rows = new ArrayList<>(STATS.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue().ns, a.getValue().ns));
        long inOps = 0;
        Map<String, Long> byOp = new HashMap<>();
        for (Map.Entry<String, Stat> e : rows) {
            inOps += e.getValue().ns;
            byOp.merge(e.getKey().split(" ")[0], e.getValue().ns, Long::sum);
        }
        System.out.printf(
                "iteration thread CPU %.3f s (mean of %d), in backend calls %.3f s%n",
                total / 1e9 / reps, reps, inOps / 1e9 / reps);
        System.out.println("-- by op (s per iteration)");
        byOp.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(
                        e ->
                                System.out.printf(
                                        "%8.3f  %s%n", e.getValue() / 1e9 / reps, e.getKey()));
        System.out.println(
                "-- by op and shape (s per iteration, calls per iteration, ms per call)");
        for (Map.Entry<String, Stat> e : rows) {
            Stat s = e.getValue();
            if (s.ns < total / 1000) break;
            System.out.printf(
                    "%8.3f %6d %9.3f  %s%n",
                    s.ns / 1e9 / reps, s.calls / reps, s.ns / 1e6 / s.calls, e.getKey());
        }
    }
}
