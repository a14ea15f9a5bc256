package arm.run;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.method.Methods;
import arm.method.Stepper;
import arm.nn.Module;
import arm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whole-iteration parity of a device against the CPU: the same method, seed and initial weights
 * (init is seeded on the CPU, then uploaded), one recall iteration (recall_from_t = 0) on each,
 * then the change of every parameter and buffer compared. The measure per setting is max |Δ_dev −
 * Δ_cpu| / max |Δ_cpu| over all tensors.
 *
 * <p>Why the tolerance is not one number: ARM's input refinement (S steps of size η1 through
 * train-mode BatchNorm) is chaotic on the ResNet. On the CPU alone, scaling one weight by (1 +
 * 1e-6) changes ResNet18's deltas by ~2e-3 after S = 10 steps, against ~1e-7 after S = 0 or 1. So
 * each setting is judged against the CPU's own {@link #sensitivity} to such a perturbation (times
 * {@link #SENSITIVITY_FACTOR}), with {@link #TOLERANCE} as the floor: a real device bug shows at S
 * = 1, where the floor is tight, and float noise at S = 10 passes.
 */
public final class IterationParity {
    /** Accepted relative error where refinement does not amplify rounding (the floor). */
    public static final double TOLERANCE = 1e-3;

    /** Device error accepted as a multiple of the CPU's own sensitivity to a 1e-6 perturbation. */
    public static final double SENSITIVITY_FACTOR = 4;

    private IterationParity() {}

    /** One compared setting: the device's error and the tolerance it is held to. */
    public record Check(double error, double tolerance, double cpuSensitivity) {
        public boolean ok() {
            return error <= tolerance;
        }
    }

    /**
     * The MNIST MLP (published ARM options, S = 10) and ResNet18 nf = 20 on CIFAR-shaped data with
     * M = 10 at S = 1 and S = 10 (published CIFAR options otherwise), each trained one ARM
     * iteration on the CPU and on {@code device}.
     */
    public static Map<String, Check> run(String device) {
        Map<String, Check> out = new LinkedHashMap<>();
        out.put(
                "ARM iteration MLP mnist M10 S10",
                check("mnist", SyntheticData.mnistShaped(3), Map.of("recall_from_t", "0"), device));
        for (String steps : new String[] {"1", "10"})
            out.put(
                    "ARM iteration ResNet18 nf20 cifar M10 S" + steps,
                    check(
                            "cifar10",
                            SyntheticData.cifarShaped(3),
                            Map.of("recall_from_t", "0", "M", "10", "S", steps),
                            device));
        return out;
    }

    /**
     * ARM's dedup option against the replicated batch on one device: ResNet18 nf = 20 on
     * CIFAR-shaped data with the published M = 100, at S = 1 and S = 10, one iteration each way;
     * the error is judged against the CPU's sensitivity, as in {@link #run}.
     */
    public static Map<String, Check> dedup(String device) {
        Map<String, Check> out = new LinkedHashMap<>();
        ContinualData data = SyntheticData.cifarShaped(3);
        for (String steps : new String[] {"1", "10"}) {
            Map<String, String> off = Map.of("recall_from_t", "0", "S", steps, "dedup", "off");
            Map<String, String> on = Map.of("recall_from_t", "0", "S", steps, "dedup", "on");
            double sens = sensitivity("cifar10", data, off);
            double err =
                    compare(
                            deltas("cifar10", data, off, device, false),
                            deltas("cifar10", data, on, device, false));
            out.put(
                    "ARM iteration ResNet18 nf20 cifar M100 S"
                            + steps
                            + " dedup vs replicated on "
                            + device,
                    new Check(err, Math.max(TOLERANCE, SENSITIVITY_FACTOR * sens), sens));
        }
        return out;
    }

    /** {@code dedup [cpu|cuda]}: prints {@link #dedup}'s checks; exit status 1 when one fails. */
    public static void main(String[] args) {
        if (args.length < 1 || !args[0].equals("dedup"))
            throw new IllegalArgumentException("usage: IterationParity dedup [cpu|cuda]");
        boolean ok = true;
        for (var e : dedup(args.length > 1 ? args[1] : "cpu").entrySet()) {
            Check c = e.getValue();
            System.out.printf(
                    "%s %s: error %.3g, tolerance %.3g (CPU sensitivity %.3g)%n",
                    c.ok() ? "PASS" : "FAIL",
                    e.getKey(),
                    c.error(),
                    c.tolerance(),
                    c.cpuSensitivity());
            ok &= c.ok();
        }
        if (!ok) System.exit(1);
    }

    static Check check(
            String dataset, ContinualData data, Map<String, String> options, String device) {
        double sens = sensitivity(dataset, data, options);
        double err = relativeError(dataset, data, options, device);
        return new Check(err, Math.max(TOLERANCE, SENSITIVITY_FACTOR * sens), sens);
    }

    /**
     * CPU against CPU with the first weight scaled by (1 + 1e-6): how much rounding-size noise
     * grows.
     */
    public static double sensitivity(
            String dataset, ContinualData data, Map<String, String> options) {
        Map<String, float[]> ref = deltas(dataset, data, options, "cpu", false);
        Map<String, float[]> bumped = deltas(dataset, data, options, "cpu", true);
        return compare(ref, bumped);
    }

    /** max |Δ_dev − Δ_cpu| / max |Δ_cpu| after iteration t = 0 of ARM with {@code options}. */
    public static double relativeError(
            String dataset, ContinualData data, Map<String, String> options, String device) {
        return compare(
                deltas(dataset, data, options, "cpu", false),
                deltas(dataset, data, options, device, false));
    }

    private static double compare(Map<String, float[]> cpu, Map<String, float[]> dev) {
        double err = 0, scale = 0;
        for (var e : cpu.entrySet()) {
            float[] c = e.getValue(), g = dev.get(e.getKey());
            for (int i = 0; i < c.length; i++) {
                double d = Math.abs((double) g[i] - c[i]);
                err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
                scale = Math.max(scale, Math.abs(c[i]));
            }
        }
        return scale == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / scale;
    }

    /** name → (value after one iteration − value before), for every parameter and buffer. */
    public static Map<String, float[]> deltas(
            String dataset, ContinualData data, Map<String, String> options, String device) {
        return deltas(dataset, data, options, device, false);
    }

    private static Map<String, float[]> deltas(
            String dataset,
            ContinualData data,
            Map<String, String> options,
            String device,
            boolean bump) {
        Map<String, String> o = new LinkedHashMap<>(options);
        o.put("device", device);
        Stepper run = Stepper.create(Methods.create("ARM", dataset, o), data, 42);
        if (bump)
            run.model().namedParameters().values().iterator().next().value().data()[0] *= 1.000001f;
        Map<String, float[]> before = state(run.model());
        run.train(0);
        Map<String, float[]> after = state(run.model());
        for (var e : after.entrySet()) {
            float[] a = e.getValue(), b = before.get(e.getKey());
            for (int i = 0; i < a.length; i++) a[i] -= b[i];
        }
        return after;
    }

    public static Map<String, float[]> state(Module m) {
        Map<String, float[]> s = new LinkedHashMap<>();
        m.namedParameters().forEach((n, p) -> s.put(n, p.value().toArray()));
        for (Map.Entry<String, Tensor> e : m.namedBuffers().entrySet())
            s.put(e.getKey(), e.getValue().toArray());
        return s;
    }
}
