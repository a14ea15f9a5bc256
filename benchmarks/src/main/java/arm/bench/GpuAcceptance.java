package arm.bench;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.data.SyntheticData;
import arm.method.Method;
import arm.method.Methods;
import arm.method.Stepper;
import arm.nn.Module;
import arm.run.IterationParity;
import arm.run.RunResult;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.Profile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The measurements a GPU task runs (gpu/device-check.sh), each printing lines the script's table
 * reads. On a machine without a GPU every subcommand also runs with device "cpu".
 *
 * <pre>
 * java -cp 'app/*' arm.bench.GpuAcceptance profile cuda [dedup=on|off]   PROFILE lines: one ARM iteration per phase
 * java -cp 'app/*' arm.bench.GpuAcceptance dedup cuda                    BENCH lines: iteration time, dedup on and off
 * java -cp 'app/*' arm.bench.GpuAcceptance determinism cuda              two same-seed ResNet runs: identical bits?
 * java -cp 'app/*' arm.bench.GpuAcceptance methods cuda                  Naive, Distill, ADI, ER vs the CPU
 * java -cp 'app/*' arm.bench.GpuAcceptance run cuda [iterations]         a whole CIFAR10-shaped ARM run, timed
 * </pre>
 */
public final class GpuAcceptance {
    private GpuAcceptance() {}

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "profile",
                device = args.length > 1 ? args[1] : "cuda";
        // the CPU side of the comparisons trains ResNets too: use the cores (read when the CPU
        // kernels first load)
        if (System.getProperty("arm.threads") == null)
            System.setProperty(
                    "arm.threads",
                    Integer.toString(Math.min(8, Runtime.getRuntime().availableProcessors())));
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++)
            if (args[i].contains("=")) o.put(args[i].split("=", 2)[0], args[i].split("=", 2)[1]);
        boolean ok =
                switch (what) {
                    case "profile" -> profile(device, o);
                    case "dedup" -> dedup(device);
                    case "determinism" -> determinism(device);
                    case "methods" -> methods(device);
                    case "run" ->
                            run(
                                    device,
                                    args.length > 2 && !args[2].contains("=")
                                            ? Integer.parseInt(args[2])
                                            : 4750);
                    default ->
                            throw new IllegalArgumentException(
                                    "unknown subcommand "
                                            + what
                                            + " (profile|dedup|determinism|methods|run)");
                };
        System.out.println(Backends.get(Device.valueOf(device.toUpperCase())).describe());
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    /**
     * The published CIFAR ARM options (ResNet18 nf = 20, N = 10, M = 100, S = 10), recalling from t
     * = 0.
     */
    static Map<String, String> cifar(String device, Map<String, String> more) {
        Map<String, String> o = new LinkedHashMap<>(Map.of("recall_from_t", "0", "device", device));
        o.putAll(more);
        return o;
    }

    /**
     * One warm-up iteration (three with {@code -Darm.graphs=reuse}, so that the profiled one
     * replays graphs captured before it rather than capturing), then one profiled: device time,
     * launches and host waits per phase.
     */
    static boolean profile(String device, Map<String, String> more) {
        Stepper run =
                Stepper.create(
                        Methods.create("ARM", "cifar10", cifar(device, more)),
                        SyntheticData.cifarShaped(1),
                        42);
        Backend be = Backends.get(run.device());
        int warm = "reuse".equals(System.getProperty("arm.graphs")) ? 3 : 1;
        for (int t = 0; t < warm; t++) run.train(t);
        be.sync();
        Profile.Recorder rec = be.profileRecorder();
        Profile.Sink old = Profile.install(rec);
        long t0 = System.nanoTime();
        try {
            run.train(warm);
            be.sync();
        } finally {
            Profile.install(old);
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        String tag = more.isEmpty() ? "" : " " + more;
        double ms = 0;
        long launches = 0, syncs = 0;
        for (var e : rec.phases().entrySet()) {
            Profile.Phase p = e.getValue();
            System.out.printf(
                    "PROFILE %-16s calls %3d  %9.2f ms  launches %6d  syncs %4d%s%n",
                    e.getKey(), p.calls(), p.millis(), p.launches(), p.syncs(), tag);
            if (!e.getKey().equals("forward")
                    && !e.getKey().equals("recall loss")
                    && !e.getKey().equals("input backward")
                    && !e.getKey().equals(CapturedStep.REPLAY)) continue;
            ms += p.millis();
            launches += p.launches();
            syncs += p.syncs();
        }
        System.out.printf(
                "PROFILE %-16s %9.2f ms wall (refinement phases %.2f ms, %d launches, %d"
                        + " syncs)%s%n",
                "iteration", wall, ms, launches, syncs, tag);
        if (!device.equals("cpu")) System.out.println("PROFILE " + CapturedStep.summary());
        return true;
    }

    /** Iteration time with dedup on and off (the default is on). */
    static boolean dedup(String device) {
        for (String d : new String[] {"on", "off"}) {
            double s =
                    ArmIterationTiming.secondsPerIteration(
                            "cifar10", device, 2, 5, Map.of("dedup", d));
            System.out.printf(
                    "BENCH %-44s %12.4f %s%n",
                    "ARM iteration CIFAR dedup=" + d + " (ours, " + device + ")", s * 1e3, "ms");
        }
        return true;
    }

    /**
     * Parameters and buffers after {@code iterations} iterations of {@code method} from seed 42.
     */
    static Map<String, float[]> state(
            String method,
            String dataset,
            ContinualData data,
            Map<String, String> o,
            int iterations) {
        return state(method, dataset, data, o, iterations, false);
    }

    /** The same, the first weight scaled by (1 + 1e-6) before training when {@code bump}. */
    static Map<String, float[]> state(
            String method,
            String dataset,
            ContinualData data,
            Map<String, String> o,
            int iterations,
            boolean bump) {
        Stepper run = Stepper.create(Methods.create(method, dataset, o), data, 42);
        if (bump)
            run.model().namedParameters().values().iterator().next().value().data()[0] *= 1.000001f;
        for (int t = 0; t < iterations; t++) run.train(t);
        Map<String, float[]> s = new LinkedHashMap<>();
        Module m = run.model();
        m.namedParameters().forEach((n, p) -> s.put(n, p.value().toArray()));
        m.namedBuffers().forEach((n, b) -> s.put(n, b.toArray()));
        return s;
    }

    /**
     * Two same-seed ResNet ARM runs of 3 iterations on one device: bit-identical weights and
     * buffers?
     */
    static boolean determinism(String device) {
        ContinualData data = SyntheticData.cifarShaped(1);
        Map<String, float[]> a = state("ARM", "cifar10", data, cifar(device, Map.of()), 3);
        Map<String, float[]> b = state("ARM", "cifar10", data, cifar(device, Map.of()), 3);
        long differing = 0, total = 0;
        for (var e : a.entrySet()) {
            float[] x = e.getValue(), y = b.get(e.getKey());
            for (int i = 0; i < x.length; i++, total++)
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) differing++;
        }
        boolean same = differing == 0;
        System.out.printf(
                "%s determinism: two same-seed ARM ResNet18 runs (3 iterations, M100 S10) on %s: %d"
                        + " of %d values differ%n",
                same ? "PASS" : "FAIL", device, differing, total);
        return same;
    }

    /**
     * Naive, Distill, ADI and ER for a short run on the device and on the CPU from the same seed:
     * max |Δ| / max |value| over every parameter and buffer. ADI needs a past class to recall, so
     * its run covers the first batches of task 2.
     */
    static boolean methods(String device) {
        boolean ok = true;
        for (String dataset : new String[] {"mnist", "cifar10"}) {
            ContinualData data =
                    dataset.equals("mnist")
                            ? SyntheticData.mnistShaped(1)
                            : SyntheticData.cifarShaped(1);
            int iterations = data.batchesPerTask() + 2;
            for (String m : List.of("Naive", "Distill", "ADI", "ER")) {
                Map<String, String> o = new LinkedHashMap<>(Map.of("device", device));
                if (m.equals("ADI")) o.put("recall_from_t", "0");
                double err, sens;
                try {
                    Map<String, float[]> dev = state(m, dataset, data, o, iterations);
                    o.put("device", "cpu");
                    Map<String, float[]> cpu = state(m, dataset, data, o, iterations);
                    err = relativeError(cpu, dev);
                    sens = relativeError(cpu, state(m, dataset, data, o, iterations, true));
                } catch (RuntimeException e) {
                    System.out.println("FAIL " + m + " " + dataset + " on " + device + ": " + e);
                    ok = false;
                    continue;
                }
                // a floor (ADI refines inputs through BatchNorm: rounding grows), raised to the
                // CPU's own sensitivity to a 1e-6 weight change, as the iteration parity does:
                // after ten steps of ResNet training, rounding-size differences have grown
                double tol =
                        Math.max(
                                m.equals("ADI") ? 1e-2 : 1e-3,
                                IterationParity.SENSITIVITY_FACTOR * sens);
                boolean pass = err <= tol;
                ok &= pass;
                System.out.printf(
                        "%s %s %s, %d iterations, %s vs cpu: rel err %.2e (tolerance %.2e; CPU"
                                + " sensitivity to a 1e-6 weight change %.2e)%n",
                        pass ? "PASS" : "FAIL", m, dataset, iterations, device, err, tol, sens);
            }
        }
        return ok;
    }

    static double relativeError(Map<String, float[]> cpu, Map<String, float[]> dev) {
        double err = 0, scale = 0;
        for (var e : cpu.entrySet()) {
            float[] c = e.getValue(), g = dev.get(e.getKey());
            for (int i = 0; i < c.length; i++) {
                double d = Math.abs((double) g[i] - c[i]);
                err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
                scale = Math.max(scale, Math.abs(c[i]));
            }
        }
        return scale == 0 ? err : err / scale;
    }

    /**
     * A whole ARM run on CIFAR10-shaped random data (5 tasks, 4,750 iterations of N = 10 as the
     * real split gives, the published options, evaluations on 2,500 validation and 10,000 test
     * images), timed; prints a RUN line every 250 iterations so a run cut short still tells its
     * pace.
     */
    static boolean run(String device, int iterations) {
        ContinualData data = cifarRun(iterations);
        Method arm = Methods.create("ARM", "cifar10", Map.of("device", device));
        long t0 = System.nanoTime();
        RunResult r =
                arm.run(
                        data,
                        0,
                        (t, maxT) -> {
                            if ((t + 1) % 250 == 0 || t + 1 == maxT)
                                System.out.printf(
                                        "RUN %d of %d iterations, %.1f s%n",
                                        t + 1, maxT, (System.nanoTime() - t0) / 1e9);
                        });
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "BENCH %-44s %12.4f %s%n",
                "whole ARM run CIFAR10-shaped " + iterations + " it (ours, " + device + ")",
                s,
                "s");
        System.out.println("evaluations: " + r.evals().size());
        return true;
    }

    /**
     * 10 classes, {@code iterations}·N training images in label order, 250 per class to validate,
     * 1,000 to test.
     */
    static ContinualData cifarRun(int iterations) {
        int n = 10, perClass = iterations * n / 10, d = 3 * 32 * 32;
        SplittableRandom rng = new SplittableRandom(1);
        Dataset train = images("cifar-shaped-run", rng, perClass, d),
                val = images("cifar-shaped-val", rng, 250, d),
                test = images("cifar-shaped-test", rng, 1000, d);
        int[] stream = new int[10 * perClass];
        for (int i = 0; i < stream.length; i++) stream[i] = i;
        return new ContinualData(train, stream, val, test, 10, 2, n);
    }

    private static Dataset images(String name, SplittableRandom rng, int perClass, int d) {
        byte[] px = new byte[10 * perClass * d];
        rng.nextBytes(px);
        int[] labels = new int[10 * perClass];
        for (int i = 0; i < labels.length; i++) labels[i] = i / perClass;
        return new Dataset(name, px, labels, new int[] {3, 32, 32});
    }
}
