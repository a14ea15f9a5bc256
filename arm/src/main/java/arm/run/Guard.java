package arm.run;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.kernels.cpu.Finite;
import arm.method.RecallLoss;
import arm.nn.Module;
import arm.nn.Parameter;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CpuStorage;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The numerical guard: losses, gradients and recalled inputs are checked for NaN and ±Inf where
 * they are made, before an optimiser step or an input step uses them, so a broken run stops with
 * the iteration, the method and the term instead of training on garbage for hours. A failing recall
 * loss is taken apart term by term (only then, so the check costs nothing when all is well) to name
 * the first term that is not finite.
 *
 * <p>Cost: one scalar read per loss, one pass over each gradient ({@link Finite}: a vector sum of
 * x·0, or an integer OR over exponent bits without the Vector API; on a device, one reduction per
 * gradient and one read per step). {@code -Darm.guard=false} turns the gradient and input scans
 * off; the loss checks stay.
 */
public final class Guard {
    private Guard() {}

    public static final boolean SCAN = !"false".equals(System.getProperty("arm.guard"));

    /** A scalar loss; returns its value. */
    public static float loss(Var loss, String term) {
        float v = loss.value.item();
        if (!Float.isFinite(v)) throw new NumericalException(term, term + " is " + v);
        return v;
    }

    /** Every element of {@code x}. */
    public static void tensor(Tensor x, String what) {
        if (!SCAN) return;
        if (!finite(x)) throw new NumericalException(what, what + " holds NaN or Inf");
    }

    /**
     * The gradients of f_cur's parameters after a backward pass, before the optimiser step. Device
     * gradients are checked all at once: one flag per tensor on the device, one download.
     */
    public static void gradients(Module m, String step) {
        if (!SCAN) return;
        List<String> names = new ArrayList<>();
        List<Tensor> onDevice = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            if (g == null) continue;
            if (!(g.storage instanceof CpuStorage)) {
                names.add(e.getKey());
                onDevice.add(g);
            } else if (!finite(g)) {
                throw badGradient(e.getKey(), step);
            }
        }
        int bad = firstNonFinite(onDevice);
        if (bad >= 0) throw badGradient(names.get(bad), step);
    }

    /** The failure of a non-finite gradient of {@code parameter} in {@code step}. */
    public static NumericalException badGradient(String parameter, String step) {
        String what = "gradient of " + parameter + " in " + step;
        return new NumericalException(what, what + " holds NaN or Inf");
    }

    /**
     * The index of the first device tensor holding NaN or Inf, or -1: each tensor is summed into
     * its own slot of one flags tensor on the device (a NaN or Inf anywhere makes its sum
     * non-finite), and the host reads the flags once instead of waiting once per tensor.
     */
    static int firstNonFinite(List<Tensor> xs) {
        if (xs.isEmpty()) return -1;
        Backend b = Backends.of(xs.get(0));
        float[] sums;
        try (Scope sc = Scope.open()) { // frees the flags
            Tensor flags = b.empty(xs.size());
            for (int i = 0;
                    i < xs.size();
                    i++) { // kernels take whole tensors: sum, then copy into slot i
                Tensor sum = b.empty(1);
                b.sumTo(xs.get(i), sum);
                b.copyAlongAxis(sum, 0, 0, flags, i, 1);
            }
            sums = b.download(flags);
        }
        for (int i = 0; i < sums.length; i++) if (!Float.isFinite(sums[i])) return i;
        return -1;
    }

    /** True when no element is NaN or ±Inf. */
    static boolean finite(Tensor x) {
        if (x.storage instanceof CpuStorage) {
            // by vectors where the Vector API is there (the scalar twin: an OR over exponent bits)
            return Finite.all(x.data(), x.offset, x.offset + x.numel());
        }
        Backend b =
                Backends.of(x); // a device tensor: a NaN or Inf anywhere makes the sum non-finite
        try (Scope sc = Scope.open()) { // frees the scalar
            Tensor s = b.zeros(1);
            b.sumTo(x, s);
            return Float.isFinite(s.item());
        }
    }

    /**
     * Names the first non-finite term of ARM's recall loss (ALGORITHM.md §2.3), or of ADI's when
     * {@code chosen} is not null, by evaluating each term on its own; called only once the sum is
     * known to be non-finite.
     */
    public static String firstBadTerm(
            RecallLoss.Weights w,
            float classesWeight,
            Var a,
            Var b,
            Var x,
            int[] present,
            int[] chosen,
            Var batchStats) {
        Map<String, Supplier<Var>> terms = new LinkedHashMap<>();
        terms.put("recalled inputs X̂", () -> x);
        terms.put("f_old logits on X̂", () -> a);
        terms.put("f_cur logits on X̂", () -> b);
        if (chosen != null)
            put(
                    terms,
                    classesWeight,
                    "classes_weight·CE(f_old(X̂), chosen classes)",
                    () -> F.crossEntropy(a, chosen));
        put(
                terms,
                w.wD(),
                "w_D·R_D (divergence)",
                () -> RecallLoss.divergence(w.divergence(), a, b));
        if (chosen == null) {
            put(
                    terms,
                    w.lambda1(),
                    "λ1·R_NL on f_old (not-local)",
                    () -> RecallLoss.notLocal(F.logSoftmax(a), present));
            put(
                    terms,
                    w.lambda2(),
                    "λ2·R_NL on f_cur (not-local)",
                    () -> RecallLoss.notLocal(F.logSoftmax(b), present));
            put(terms, w.lambda3(), "λ3·R_div (diversity)", () -> RecallLoss.diversity(a));
        }
        put(
                terms,
                w.lambda4(),
                "λ4·R_sharp (sharpen)",
                () -> RecallLoss.sharpen(a, F.logSoftmax(a)));
        put(terms, w.lambda5(), "λ5·R_L2", () -> RecallLoss.l2(x));
        int[] chw = w.imageShape();
        put(
                terms,
                w.lambda6(),
                "λ6·R_TV (total variation)",
                () -> RecallLoss.totalVariation(x, chw[0], chw[1], chw[2]));
        if (batchStats != null) terms.put("w_bs·R_bs (batch statistics)", () -> batchStats);
        try (var ng = Autograd.noGrad()) {
            for (var e : terms.entrySet()) {
                try {
                    if (!finite(e.getValue().get().value)) return e.getKey();
                } catch (RuntimeException ex) {
                    return e.getKey() + " (cannot be evaluated: " + ex.getMessage() + ")";
                }
            }
        }
        return "none on its own: the weighted sum overflows";
    }

    /** A term with a non-zero weight (0 · Inf would be NaN and blame a term that is off). */
    private static void put(
            Map<String, Supplier<Var>> terms, float weight, String name, Supplier<Var> term) {
        if (weight != 0) terms.put(name, () -> F.scale(term.get(), weight));
    }
}
