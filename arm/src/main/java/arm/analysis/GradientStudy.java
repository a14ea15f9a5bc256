package arm.analysis;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.Dataset;
import arm.nn.Module;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CpuStorage;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The gradient-correlation study of the paper's appendix A.7.6 (Fig. 7, Tables 9–10; ALGORITHM.md
 * §8), for which the authors released no code. On a frozen model, for every recalled sample x̂:
 *
 * <pre>
 * class 1 = originator: label of the real image x̂ was initialised from
 * class 2 = target:     argmax f_old(x̂)
 * g_r  = ∇_θ CE(f(x̂), class 2)              (hard target)   or   ∇_θ softCE(f(x̂), softmax f_old(x̂))   (soft)
 * g_1  = ∇_θ CE(f(x_1), class 1),  x_1 a random real sample of class 1
 * g_2  = ∇_θ CE(f(x_2), class 2),  x_2 a random real sample of class 2
 * per parameter block b (each weight and each bias):  c_k(b) = ⟨g_r(b), g_k(b)⟩ / (‖g_r(b)‖ ‖g_k(b)‖)
 * per layer L:  c_k(L) = mean of c_k(b) over the blocks of L;   "All": mean over every block
 * table: mean ± std over the recalled samples of c_k(L)
 * </pre>
 *
 * Our choices where the paper is silent: the model runs in eval mode (single-sample gradients;
 * BatchNorm uses its running statistics); the same x_1, x_2 serve the hard and the soft variant; a
 * block whose gradient is zero on either side (a cosine with no direction) is left out of that
 * sample's layer mean, and a sample with no usable block in a layer is left out of that layer's
 * statistic; std is the population std (ddof = 0, as the authors' numpy reports); BatchNorm γ/β are
 * blocks of their layer unless {@code includeNorm} is false.
 */
public final class GradientStudy {

    /**
     * One recalled sample.
     *
     * @param x x̂, one item, flat
     * @param originator class 1
     * @param softTarget softmax(f_old(x̂)), K values; its argmax is class 2
     */
    public record Recalled(float[] x, int originator, float[] softTarget) {
        public int target() {
            int best = 0;
            for (int c = 1; c < softTarget.length; c++)
                if (softTarget[c] > softTarget[best]) best = c;
            return best;
        }
    }

    public enum Targets {
        HARD,
        SOFT
    }

    /** Mean and population std over n samples. */
    public record Stat(double mean, double std, int n) {}

    /** One table row: a layer (or "All") and its correlation with class 1 and class 2. */
    public record Row(String layer, Stat class1, Stat class2) {}

    /**
     * One recalled sample's correlations: [layer] with "All" last; NaN where no block was usable.
     */
    public record Sample(
            int originator,
            int target,
            double[] hard1,
            double[] hard2,
            double[] soft1,
            double[] soft2) {}

    /**
     * @param layers layer names in parameter order, then "All"
     * @param blocks parameter names used as blocks, in order
     * @param samples per recalled sample (those with real samples of both classes)
     * @param skipped recalled samples left out because the real pool had no sample of a class
     */
    public record Result(
            List<String> layers,
            List<String> blocks,
            List<Sample> samples,
            int skipped,
            double seconds) {
        public List<Row> table(Targets targets) {
            List<Row> rows = new ArrayList<>();
            for (int l = 0; l < layers.size(); l++) {
                int layer = l;
                rows.add(
                        new Row(
                                layers.get(l),
                                stat(
                                        samples.stream()
                                                .mapToDouble(
                                                        s ->
                                                                (targets == Targets.HARD
                                                                                ? s.hard1()
                                                                                : s.soft1())
                                                                        [layer])
                                                .toArray()),
                                stat(
                                        samples.stream()
                                                .mapToDouble(
                                                        s ->
                                                                (targets == Targets.HARD
                                                                                ? s.hard2()
                                                                                : s.soft2())
                                                                        [layer])
                                                .toArray())));
            }
            return rows;
        }

        /** Recalled samples whose target class equals their originator class. */
        public long sameClass() {
            return samples.stream().filter(s -> s.originator() == s.target()).count();
        }
    }

    private GradientStudy() {}

    /**
     * Runs the study on the device the model lives on (inputs are uploaded there, gradients copied
     * back). The model is switched to eval mode and its parameters are only read.
     *
     * @param model the final model f_cur
     * @param recalled the recalled samples
     * @param real the real pool the x_1, x_2 are drawn from (labels in 0..K−1)
     * @param includeNorm whether BatchNorm γ/β count as blocks
     * @param rng draws x_1 and x_2
     */
    public static Result run(
            Module model,
            List<Recalled> recalled,
            Dataset real,
            boolean includeNorm,
            SplittableRandom rng) {
        long start = System.nanoTime();
        model.eval();
        Backend be =
                Backends.get(
                        model.device()); // inputs go where the model lives; gradients come back
        Set<String> norm = includeNorm ? Set.of() : normParameters(model);
        List<String> blocks = new ArrayList<>();
        List<Var> params = new ArrayList<>();
        for (var e : model.namedParameters().entrySet()) {
            if (norm.contains(e.getKey())) continue;
            blocks.add(e.getKey());
            params.add(e.getValue().var);
        }
        Map<String, List<Integer>> layerBlocks = new LinkedHashMap<>();
        for (int b = 0; b < blocks.size(); b++)
            layerBlocks.computeIfAbsent(layerOf(blocks.get(b)), k -> new ArrayList<>()).add(b);
        List<String> layers = new ArrayList<>(layerBlocks.keySet());
        layers.add("All");
        List<List<Integer>> groups = new ArrayList<>(layerBlocks.values());
        List<Integer> all = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) all.add(b);
        groups.add(all);

        List<List<Integer>> byClass = byClass(real);
        List<Sample> samples = new ArrayList<>();
        int skipped = 0;
        for (Recalled r : recalled) {
            int c1 = r.originator(), c2 = r.target();
            if (!has(byClass, c1) || !has(byClass, c2)) {
                skipped++;
                continue;
            }
            int j1 = pick(byClass.get(c1), rng), j2 = pick(byClass.get(c2), rng);
            // on a device each sample's graphs are freed after it; on the CPU its arrays (graphs
            // and
            // the four gradients, read only by cosines below) go back to the thread's pool for the
            // next sample instead of being zeroed afresh (~20 GB per 1000-sample study)
            try (Scope scope = Scope.recycling()) {
                Var xr = Var.constant(be.upload(r.x(), batchShape(real.itemShape())));
                float[][] hard =
                        gradients(F.crossEntropy(model.forward(xr), new int[] {c2}), params);
                Var soft = Var.constant(be.upload(r.softTarget(), 1, r.softTarget().length));
                float[][] softG = gradients(F.softCrossEntropy(model.forward(xr), soft), params);
                float[][] g1 = realGradients(model, be, real, j1, params),
                        g2 = realGradients(model, be, real, j2, params);
                double[][] cos = cosines(hard, softG, g1, g2);
                samples.add(
                        new Sample(
                                c1,
                                c2,
                                layerMeans(cos[0], groups),
                                layerMeans(cos[1], groups),
                                layerMeans(cos[2], groups),
                                layerMeans(cos[3], groups)));
            }
        }
        return new Result(layers, blocks, samples, skipped, (System.nanoTime() - start) * 1e-9);
    }

    /** ⟨a, b⟩ / (‖a‖ ‖b‖) in double; NaN when either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length)
            throw new IllegalArgumentException("lengths " + a.length + " and " + b.length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? Double.NaN : dot / Math.sqrt(na * nb);
    }

    /**
     * The paper's layer of a parameter: MLP fc1..fc3 → "FC 1".."FC 3"; ResNet18 stem (conv1, bn1) →
     * "Conv 1", layer1..layer4 (the stages conv2_x..conv5_x) → "Conv 2".."Conv 5", linear → "FC".
     * Anything else is grouped by its first name component.
     */
    public static String layerOf(String param) {
        int dot = param.indexOf('.');
        String head = dot < 0 ? param : param.substring(0, dot);
        if (head.matches("fc\\d+")) return "FC " + head.substring(2);
        if (head.equals("conv1") || head.equals("bn1")) return "Conv 1";
        if (head.matches("layer\\d+")) return "Conv " + (Integer.parseInt(head.substring(5)) + 1);
        if (head.equals("linear") || head.equals("fc")) return "FC";
        return head;
    }

    /** Mean and population std of the non-NaN values. */
    static Stat stat(double[] v) {
        double sum = 0;
        int n = 0;
        for (double x : v)
            if (!Double.isNaN(x)) {
                sum += x;
                n++;
            }
        if (n == 0) return new Stat(Double.NaN, Double.NaN, 0);
        double mean = sum / n, var = 0;
        for (double x : v) if (!Double.isNaN(x)) var += (x - mean) * (x - mean);
        return new Stat(mean, Math.sqrt(var / n), n);
    }

    // ---------------------------------------------------------------------------------------------

    /** ∇ loss with respect to every block, as flat host arrays. */
    static float[][] gradients(Var loss, List<Var> params) {
        Tensor[] g = Autograd.grad(loss, params.toArray(Var[]::new));
        float[][] out = new float[g.length][];
        for (int i = 0; i < g.length; i++) out[i] = values(g[i]);
        return out;
    }

    /**
     * A gradient's values: a host tensor's own array when it is exactly that (valid while the scope
     * that made it is open), else a copy (a view, a device tensor).
     */
    private static float[] values(Tensor g) {
        if (g.storage instanceof CpuStorage c && g.offset == 0 && c.data.length == g.numel())
            return c.data;
        return g.toArray();
    }

    private static float[][] realGradients(
            Module model, Backend be, Dataset real, int j, List<Var> params) {
        Tensor x = real.batch(new int[] {j});
        Var logits = model.forward(Var.constant(be.upload(x.data(), x.shape)));
        return gradients(F.crossEntropy(logits, new int[] {real.labels()[j]}), params);
    }

    /**
     * Per block, the cosines of (hard, g1), (hard, g2), (soft, g1) and (soft, g2), each exactly
     * {@link #cosine}'s: the four dot products and four squared norms are eight sums, each added in
     * cosine's order, computed in one pass over the block. Eight independent chains keep the adders
     * busy where cosine's three wait on each other (a sample's study costs one pass over its four
     * gradients instead of four over two each), and every norm is summed once.
     */
    static double[][] cosines(float[][] hard, float[][] soft, float[][] g1, float[][] g2) {
        int blocks = hard.length;
        double[][] out = new double[4][blocks];
        for (int i = 0; i < blocks; i++) {
            float[] h = hard[i], s = soft[i], a = g1[i], b = g2[i];
            int n = h.length;
            if (s.length != n || a.length != n || b.length != n)
                throw new IllegalArgumentException(
                        "block "
                                + i
                                + " lengths "
                                + n
                                + ", "
                                + s.length
                                + ", "
                                + a.length
                                + ", "
                                + b.length);
            double ha = 0, hb = 0, sa = 0, sb = 0, hh = 0, ss = 0, aa = 0, bb = 0;
            for (int j = 0; j < n; j++) {
                double hj = h[j], sj = s[j], aj = a[j], bj = b[j];
                ha += hj * aj;
                hb += hj * bj;
                sa += sj * aj;
                sb += sj * bj;
                hh += hj * hj;
                ss += sj * sj;
                aa += aj * aj;
                bb += bj * bj;
            }
            out[0][i] = hh == 0 || aa == 0 ? Double.NaN : ha / Math.sqrt(hh * aa);
            out[1][i] = hh == 0 || bb == 0 ? Double.NaN : hb / Math.sqrt(hh * bb);
            out[2][i] = ss == 0 || aa == 0 ? Double.NaN : sa / Math.sqrt(ss * aa);
            out[3][i] = ss == 0 || bb == 0 ? Double.NaN : sb / Math.sqrt(ss * bb);
        }
        return out;
    }

    /**
     * For each group of blocks: the mean cosine over its blocks with a usable cosine (NaN if none).
     */
    private static double[] layerMeans(double[] cos, List<List<Integer>> groups) {
        double[] out = new double[groups.size()];
        for (int g = 0; g < out.length; g++) {
            double sum = 0;
            int n = 0;
            for (int i : groups.get(g))
                if (!Double.isNaN(cos[i])) {
                    sum += cos[i];
                    n++;
                }
            out[g] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    private static List<List<Integer>> byClass(Dataset real) {
        int k = 0;
        for (int y : real.labels()) k = Math.max(k, y + 1);
        List<List<Integer>> out = new ArrayList<>();
        for (int c = 0; c < k; c++) out.add(new ArrayList<>());
        for (int i = 0; i < real.size(); i++) out.get(real.labels()[i]).add(i);
        return out;
    }

    private static boolean has(List<List<Integer>> byClass, int c) {
        return c >= 0 && c < byClass.size() && !byClass.get(c).isEmpty();
    }

    private static int pick(List<Integer> idx, SplittableRandom rng) {
        return idx.get(rng.nextInt(idx.size()));
    }

    private static int[] batchShape(int[] item) {
        int[] s = new int[item.length + 1];
        s[0] = 1;
        System.arraycopy(item, 0, s, 1, item.length);
        return s;
    }

    /** Names of the parameters that belong to BatchNorm modules. */
    static Set<String> normParameters(Module root) {
        Set<String> out = new HashSet<>();
        collectNorm(root, "", out);
        return out;
    }

    private static void collectNorm(Module m, String prefix, Set<String> out) {
        if (m.getClass().getSimpleName().startsWith("BatchNorm"))
            for (String n : m.namedParameters().keySet()) out.add(prefix + n);
        for (var e : m.children().entrySet())
            collectNorm(e.getValue(), prefix + e.getKey() + ".", out);
    }
}
