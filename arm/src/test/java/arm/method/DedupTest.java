package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.GradCheck;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.kernels.cpu.CpuBatchNorm;
import arm.kernels.cpu.CpuGemm;
import arm.nn.CountedForward;
import arm.nn.Module;
import arm.nn.ResNet18;
import arm.run.Draws;
import arm.run.IterationParity;
import arm.tensor.Device;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * ARM's {@code dedup} option (the recalled batch as its distinct images with multiplicities,
 * ALGORITHM.md §2.1) against the faithful replicated batch, on ResNet18 (nf = 4 for speed;
 * train-mode BatchNorm) with CIFAR-shaped data, M = 100 drawn from N = 10.
 *
 * <p>Tolerances. The two paths sum in different orders, so they agree to float rounding, not
 * bitwise. Where nothing amplifies rounding the relative error (max |difference| / max |value|) is
 * held to about 10× what was observed: R to 1e-5 (observed ~1e-7), the per-copy input gradient and
 * step B's weight gradients to 1e-5 (observed 6e-7 to 9e-7), the BN running statistics to 1e-6
 * (observed 0: the fast kernel sums each plane in float and the planes in double, where w copies of
 * one plane sum exactly), X̂ after one step to 1e-5 (observed 1.2e-6), the weight and buffer
 * changes of a whole S = 1 iteration to 1e-6 (observed 2e-8). A mistaken count in the unbiased
 * running variance (m = U·H·W instead of M·H·W) shows as 2e-4 to 3e-4 in both (tried once by
 * mutation); one copy moved between two distinct images shows far above the tolerances ({@link
 * #aMiscountedBatchFailsTheTolerances}). After S = 10 input steps through train-mode BatchNorm the
 * refinement is chaotic (see {@link IterationParity}: a difference of ~1e-6 after the first step
 * grows to ~0.3), so there X̂ is held step by step to 4× the largest difference between the
 * replicated run and its rounding twins: the same replicated run with each other batch-norm kernel
 * (the same sums in another order) and with one weight × (1 + 1e-6). That bound does not depend on
 * which kernel is the default; the first step, before chaos sets in, is held to 1e-5 as with S = 1,
 * which is where a wrong count would show.
 */
class DedupTest {
    static final int NF = 4, N = 10, M = 100;

    @Test
    void onByDefaultExceptWithTheUncountedBatchStatisticsTerm() {
        assertThat(Methods.create("ARM", "cifar10", Map.of()).options())
                .containsEntry("dedup", "on");
        assertThat(Methods.create("ARM", "mnist", Map.of()).options()).containsEntry("dedup", "on");
        assertThat(Methods.create("ARM", "cifar10", Map.of("w_bs", "0.5")).options())
                .containsEntry("dedup", "off");
        assertThatThrownBy(
                        () ->
                                Methods.create(
                                        "ARM", "cifar10", Map.of("w_bs", "0.5", "dedup", "on")))
                .hasMessageContaining("dedup");
    }

    // ------------------------------------------------------------ one evaluation of R, one step B

    @Test
    void recallLossInputGradientAndStepBEqualTheReplicatedBatch() {
        SplittableRandom rng = new SplittableRandom(5);
        ResNet18 fOld = new ResNet18(ResNet18.Variant.CIFAR10, NF, new SplittableRandom(1));
        ResNet18 fCur = new ResNet18(ResNet18.Variant.CIFAR10, NF, new SplittableRandom(2));
        Tensor real = GradCheck.rand(3, 0, 1, N, 3, 32, 32);
        int[] drawn = RecallMethod.draw(rng, N, M);
        DistinctRows d = DistinctRows.of(drawn, N);
        assertThat(d.repeats()).isTrue();
        assertThat(Arrays.stream(d.counts()).sum()).isEqualTo(M);
        Tensor xRep = DistinctRows.pick(real, drawn), xDis = d.distinct(real);
        int[] present = {2, 3};
        for (RecallLoss.Divergence div : RecallLoss.Divergence.values()) {
            var w =
                    new RecallLoss.Weights(
                            div, 1f, 1f, 0.1f, 16f, 0.1f, 1f, 1f, new int[] {3, 32, 32});
            Module oldR = fOld.copy().train(),
                    curR = fCur.copy().train(),
                    oldD = fOld.copy().train(),
                    curD = fCur.copy().train();
            Var xr = Var.param(xRep), xd = Var.param(xDis);
            Var lossR = RecallLoss.arm(w, oldR.forward(xr), curR.forward(xr), xr, present);
            Var lossD =
                    RecallLoss.arm(
                            w,
                            ((CountedForward) oldD).forward(xd, d.counts()),
                            ((CountedForward) curD).forward(xd, d.counts()),
                            xd,
                            present,
                            d.counts());
            String s = div.toString();
            assertThat((double) lossD.value.item())
                    .as(s + " R")
                    .isCloseTo(
                            lossR.value.item(), Offset.offset(1e-5 * Math.abs(lossR.value.item())));
            float[] gR = Autograd.grad(lossR, xr)[0].toArray(),
                    gD = Autograd.grad(lossD, xd)[0].toArray();
            int per = gD.length / d.counts().length;
            float[] gDPerCopy =
                    new float[gR.length]; // the distinct image's gradient / w_u, at every copy
            for (int i = 0; i < M; i++)
                for (int j = 0; j < per; j++)
                    gDPerCopy[i * per + j] = gD[d.slot()[i] * per + j] / d.counts()[d.slot()[i]];
            double eg = relative(gDPerCopy, gR),
                    eo = relative(buffers(oldD), buffers(oldR)),
                    ec = relative(buffers(curD), buffers(curR));
            System.out.printf(
                    "%s: R %.3g vs %.3g, per-copy gradient %.3g, BN state f_old %.3g f_cur %.3g%n",
                    s, lossD.value.item(), lossR.value.item(), eg, eo, ec);
            assertThat(eg).as(s + " per-copy ∂R/∂X̂").isLessThan(1e-5);
            assertThat(eo).as(s + " f_old BN running statistics").isLessThan(1e-6);
            assertThat(ec).as(s + " f_cur BN running statistics").isLessThan(1e-6);
        }
        // step B's recalled part: λ0·softCE(f_cur(X̂), softmax(f_old(X̂))), weights' gradients
        for (boolean hard : new boolean[] {false, true}) {
            Module oldR = fOld.copy().train(),
                    curR = fCur.copy().train(),
                    oldD = fOld.copy().train(),
                    curD = fCur.copy().train();
            Var aR, aD;
            try (var ng = Autograd.noGrad()) {
                aR = oldR.forward(Var.constant(xRep));
                aD = ((CountedForward) oldD).forward(Var.constant(xDis), d.counts());
            }
            Var outR = curR.forward(Var.constant(xRep)),
                    outD = ((CountedForward) curD).forward(Var.constant(xDis), d.counts());
            Var lossR =
                    hard
                            ? F.crossEntropy(outR, RecallLoss.argmax(aR.value))
                            : F.softCrossEntropy(outR, F.softmax(aR));
            Var lossD =
                    hard
                            ? RecallLoss.crossEntropy(outD, RecallLoss.argmax(aD.value), d.counts())
                            : RecallLoss.softCrossEntropy(outD, F.softmax(aD), d.counts());
            assertThat((double) lossD.value.item())
                    .as("step B loss, hard=" + hard)
                    .isCloseTo(
                            lossR.value.item(), Offset.offset(1e-5 * Math.abs(lossR.value.item())));
            Tensor[] wR = Autograd.grad(lossR, curR.parameters().toArray(new Var[0]));
            Tensor[] wD = Autograd.grad(lossD, curD.parameters().toArray(new Var[0]));
            Map<String, float[]> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            for (int i = 0; i < wR.length; i++) {
                a.put("p" + i, wD[i].toArray());
                b.put("p" + i, wR[i].toArray());
            }
            System.out.printf(
                    "step B hard=%s: loss %.6g vs %.6g, weight gradients %.3g%n",
                    hard, lossD.value.item(), lossR.value.item(), relative(a, b));
            assertThat(relative(a, b)).as("step B weight gradients, hard=" + hard).isLessThan(1e-5);
        }
    }

    /**
     * The tolerances above catch a mis-counted batch: with one copy moved from one distinct image
     * to another (Σ w still M, so only the weighting is wrong), the per-copy ∂R/∂X̂ and the BN
     * running statistics differ from the replicated batch's by far more than the 1e-5 and 1e-6 that
     * hold for the correct counts, and so does X̂ after one refinement step (the same gradient).
     */
    @Test
    void aMiscountedBatchFailsTheTolerances() {
        SplittableRandom rng = new SplittableRandom(5);
        ResNet18 fOld = new ResNet18(ResNet18.Variant.CIFAR10, NF, new SplittableRandom(1));
        ResNet18 fCur = new ResNet18(ResNet18.Variant.CIFAR10, NF, new SplittableRandom(2));
        Tensor real = GradCheck.rand(3, 0, 1, N, 3, 32, 32);
        int[] drawn = RecallMethod.draw(rng, N, M);
        DistinctRows d = DistinctRows.of(drawn, N);
        int[] wrong = d.counts().clone();
        int from = wrong[0] > 1 ? 0 : 1;
        wrong[from]--;
        wrong[1 - from]++;
        Tensor xRep = DistinctRows.pick(real, drawn), xDis = d.distinct(real);
        var w =
                new RecallLoss.Weights(
                        RecallLoss.Divergence.values()[0],
                        1f,
                        1f,
                        0.1f,
                        16f,
                        0.1f,
                        1f,
                        1f,
                        new int[] {3, 32, 32});
        int[] present = {2, 3};
        Module oldR = fOld.copy().train(),
                curR = fCur.copy().train(),
                oldD = fOld.copy().train(),
                curD = fCur.copy().train();
        Var xr = Var.param(xRep), xd = Var.param(xDis);
        Var lossR = RecallLoss.arm(w, oldR.forward(xr), curR.forward(xr), xr, present);
        Var lossD =
                RecallLoss.arm(
                        w,
                        ((CountedForward) oldD).forward(xd, wrong),
                        ((CountedForward) curD).forward(xd, wrong),
                        xd,
                        present,
                        wrong);
        float[] gR = Autograd.grad(lossR, xr)[0].toArray(),
                gD = Autograd.grad(lossD, xd)[0].toArray();
        int per = gD.length / wrong.length;
        float[] gDPerCopy = new float[gR.length];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < per; j++)
                gDPerCopy[i * per + j] = gD[d.slot()[i] * per + j] / wrong[d.slot()[i]];
        double eg = relative(gDPerCopy, gR), eo = relative(buffers(oldD), buffers(oldR));
        System.out.printf(
                "one copy miscounted: per-copy gradient %.3g, BN state f_old %.3g%n", eg, eo);
        assertThat(eg).as("per-copy ∂R/∂X̂, miscounted").isGreaterThan(100 * 1e-5);
        assertThat(eo).as("f_old BN running statistics, miscounted").isGreaterThan(100 * 1e-6);
    }

    // ------------------------------------------------------------ one whole ARM iteration

    /**
     * f_cur's and f_old's state after iteration t = 0 (recall from t = 0), and X̂ after each step.
     */
    record Run(Map<String, float[]> fCur, Map<String, float[]> fOld, List<float[]> refined) {}

    static Run iteration(
            String dataset, ContinualData data, Map<String, String> options, boolean bump) {
        return iteration(dataset, data, options, bump ? 0 : -1);
    }

    /**
     * One iteration; with {@code bump} ≥ 0 the first weight of the bump-th parameter × (1 + 1e-6).
     */
    static Run iteration(
            String dataset, ContinualData data, Map<String, String> options, int bump) {
        Stepper run = Stepper.create(Methods.create("ARM", dataset, options), data, 42);
        if (bump >= 0)
            new ArrayList<>(run.model().namedParameters().values()).get(bump).value().data()[0] *=
                    1.000001f;
        var learner = (RecallMethod.RecallLearner) run.learner();
        List<float[]> refined =
                new ArrayList<>(); // the trace sees the M replicated images either way
        learner.trace(
                (event, t, xhat) -> {
                    if (event.equals("refine")) refined.add(xhat.toArray());
                });
        run.train(0);
        return new Run(state(run.model()), state(learner.fOld), refined);
    }

    static Map<String, float[]> state(Module m) {
        return IterationParity.state(m);
    }

    /** The BN running statistics and counters only. */
    static Map<String, float[]> buffers(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.namedBuffers().forEach((k, v) -> out.put(k, v.toArray()));
        return out;
    }

    /** max |a − b| / max |b| over every entry of every tensor (b: the replicated path). */
    static double relative(Map<String, float[]> a, Map<String, float[]> b) {
        double err = 0, scale = 0;
        for (var e : b.entrySet()) {
            float[] y = e.getValue(), x = a.get(e.getKey());
            assertThat(x).as(e.getKey()).hasSameSizeAs(y);
            for (int i = 0; i < y.length; i++) {
                double diff = Math.abs((double) x[i] - y[i]);
                err = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(err, diff);
                scale = Math.max(scale, Math.abs(y[i]));
            }
        }
        return err / scale;
    }

    static double relative(float[] a, float[] b) {
        return relative(Map.of("x", a), Map.of("x", b));
    }

    /** Element-wise a − b of two states. */
    static Map<String, float[]> minus(Map<String, float[]> a, Map<String, float[]> b) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : a.entrySet()) {
            float[] x = e.getValue().clone(), y = b.get(e.getKey());
            for (int i = 0; i < x.length; i++) x[i] -= y[i];
            out.put(e.getKey(), x);
        }
        return out;
    }

    static float[] minus(float[] a, float[] b) {
        float[] out = a.clone();
        for (int i = 0; i < out.length; i++) out[i] -= b[i];
        return out;
    }

    /**
     * The differences of one iteration, dedup against replicated, as max |Δ_dedup − Δ_rep| / max
     * |Δ_rep|.
     */
    record Errors(double fCur, double fOld, double firstStep, double lastStep) {}

    static Errors compare(
            Run dedup,
            Run rep,
            Map<String, float[]> fCur0,
            Map<String, float[]> fOld0,
            float[] x0) {
        return new Errors(
                relative(minus(dedup.fCur(), fCur0), minus(rep.fCur(), fCur0)),
                relative(minus(dedup.fOld(), fOld0), minus(rep.fOld(), fOld0)),
                relative(minus(dedup.refined().get(0), x0), minus(rep.refined().get(0), x0)),
                relative(
                        minus(dedup.refined().get(dedup.refined().size() - 1), x0),
                        minus(rep.refined().get(rep.refined().size() - 1), x0)));
    }

    /**
     * The state before iteration 0 (f_old is refreshed from f_cur at t = 0) and X̂'s initial value.
     */
    static Object[] initialState(String dataset, ContinualData data, Map<String, String> options) {
        Stepper run = Stepper.create(Methods.create("ARM", dataset, options), data, 42);
        var learner = (RecallMethod.RecallLearner) run.learner();
        Map<String, float[]> s = state(run.model());
        // replicated X̂ at t = 0: the rows the learner's draw stream picks from batch 0
        ContinualMethod.Batch b =
                ContinualMethod.batch(data, 0, 0, new boolean[data.numClasses()], Device.CPU);
        Tensor x0 =
                learner.initial(b.x(), Draws.at(learner.base, 0, Draws.RECALL_INIT), null)
                        .replicated();
        return new Object[] {s, x0.toArray()};
    }

    static Map<String, String> cifar(int steps, boolean dedup) {
        return Map.of(
                "recall_from_t",
                "0",
                "resnet_nf",
                Integer.toString(NF),
                "S",
                Integer.toString(steps),
                "dedup",
                dedup ? "on" : "off");
    }

    @Test
    void oneIterationWithOneStepMatchesTightly() {
        ContinualData data = SyntheticData.cifarShaped(3);
        Object[] init = initialState("cifar10", data, cifar(1, false));
        @SuppressWarnings("unchecked")
        Map<String, float[]> s0 = (Map<String, float[]>) init[0];
        float[] x0 = (float[]) init[1];
        Run rep = iteration("cifar10", data, cifar(1, false), false),
                dedup = iteration("cifar10", data, cifar(1, true), false);
        Errors e = compare(dedup, rep, s0, s0, x0);
        System.out.printf(
                "dedup vs replicated, S = 1: f_cur %.3g, f_old %.3g, X̂ step %.3g%n",
                e.fCur(), e.fOld(), e.firstStep());
        assertThat(e.firstStep()).as("X̂ after S = 1").isLessThan(1e-5);
        assertThat(e.fCur()).as("f_cur after the iteration").isLessThan(1e-6);
        assertThat(e.fOld()).as("f_old's running statistics").isLessThan(1e-6);
    }

    @Test
    void oneIterationWithTenStepsMatchesWithinRoundingsOwnSpread() {
        ContinualData data = SyntheticData.cifarShaped(3);
        Object[] init = initialState("cifar10", data, cifar(10, false));
        @SuppressWarnings("unchecked")
        Map<String, float[]> s0 = (Map<String, float[]>) init[0];
        float[] x0 = (float[]) init[1];
        Run rep = iteration("cifar10", data, cifar(10, false), false);
        Run dedup = iteration("cifar10", data, cifar(10, true), false);
        Map<String, Run> twins = roundingTwins(data, cifar(10, false));
        Errors e = compare(dedup, rep, s0, s0, x0);
        double sensLast = 0, sensCur = 0, sensOld = 0;
        for (Run b : twins.values()) {
            Errors sb = compare(b, rep, s0, s0, x0);
            sensLast = Math.max(sensLast, sb.lastStep());
            sensCur = Math.max(sensCur, sb.fCur());
            sensOld = Math.max(sensOld, sb.fOld());
        }
        System.out.printf(
                "S = 10: dedup vs replicated: f_cur %.3g, f_old %.3g, X̂ step 1 %.3g, step 10"
                        + " %.3g%n",
                e.fCur(), e.fOld(), e.firstStep(), e.lastStep());
        System.out.printf(
                "S = 10: replicated vs its %d rounding twins, largest: f_cur %.3g, f_old %.3g,"
                        + " X̂ step 10 %.3g%n",
                twins.size(), sensCur, sensOld, sensLast);
        // before chaos sets in: as tight as S = 1
        assertThat(e.firstStep()).as("X̂ after the first of 10 steps").isLessThan(1e-5);
        double[] spread = new double[10];
        for (int k = 0; k < 10; k++) {
            StringBuilder line = new StringBuilder();
            for (var t : twins.entrySet()) {
                double d = stepError(t.getValue(), rep, k, x0);
                spread[k] = Math.max(spread[k], d);
                line.append(String.format(" %s %.3g", t.getKey(), d));
            }
            System.out.printf(
                    "  X̂ after step %d: dedup %.3g; twins%s%n",
                    k + 1, stepError(dedup, rep, k, x0), line);
        }
        for (int k = 0; k < 10; k++)
            assertThat(stepError(dedup, rep, k, x0))
                    .as("X̂ after step " + (k + 1))
                    .isLessThanOrEqualTo(stepBound(spread, k));
        assertThat(e.lastStep()).as("X̂ after 10 steps").isLessThanOrEqualTo(tolerance(sensLast));
        assertThat(e.fCur()).as("f_cur").isLessThanOrEqualTo(tolerance(sensCur));
        assertThat(e.fOld())
                .as("f_old's running statistics")
                .isLessThanOrEqualTo(tolerance(sensOld));
    }

    /** max |X̂_k − X̂_k(rep)| / max |X̂_k(rep) − X̂_0| after step k + 1. */
    static double stepError(Run run, Run rep, int k, float[] x0) {
        return relative(minus(run.refined().get(k), x0), minus(rep.refined().get(k), x0));
    }

    /**
     * The bound after step k + 1: {@link IterationParity#SENSITIVITY_FACTOR} × the rounding twins'
     * largest difference at that step or the next (the refinement is chaotic: a difference of ~1e-7
     * grows to ~0.3 in a jump whose step depends on where the rounding fell, so one step of lead is
     * rounding too), and 1e-5 as the floor.
     */
    static double stepBound(double[] spread, int k) {
        double s = Math.max(spread[k], k + 1 < spread.length ? spread[k + 1] : 0);
        return Math.max(1e-5, IterationParity.SENSITIVITY_FACTOR * s);
    }

    /**
     * Runs that differ from the replicated run with the default kernels by rounding only: the same
     * run with each batch-norm kernel forced (the same sums in other orders; one of them may be the
     * default's own bits, which only adds a zero), and with one weight × (1 + 1e-6), for three
     * different weights.
     */
    static Map<String, Run> roundingTwins(ContinualData data, Map<String, String> options) {
        Map<String, Run> twins = new LinkedHashMap<>();
        List<String> kernels = new ArrayList<>(List.of("naive", "fast"));
        if (CpuGemm.active() == CpuGemm.Path.SIMD) kernels.add("simd");
        for (String k : kernels)
            twins.put(
                    "bn=" + k,
                    CpuBatchNorm.using(k, () -> iteration("cifar10", data, options, false)));
        for (int bump : new int[] {0, 3, 6})
            twins.put("bump" + bump, iteration("cifar10", data, options, bump));
        return twins;
    }

    static double tolerance(double sensitivity) {
        return Math.max(
                IterationParity.TOLERANCE, IterationParity.SENSITIVITY_FACTOR * sensitivity);
    }

    // ------------------------------------------------------------ where dedup does nothing, and
    // options

    @Test
    void withoutRepeatedDrawsDedupIsTheSameComputation() {
        // MNIST's MLP with M = N = 10: the draw is a permutation, nothing repeats, the bits are
        // equal
        Map<String, String> off = Map.of("recall_from_t", "0", "mlp_hidden", "32", "dedup", "off");
        Map<String, String> on = Map.of("recall_from_t", "0", "mlp_hidden", "32", "dedup", "on");
        ContinualData data = SyntheticData.mnistShaped(3);
        Run a = iteration("mnist", data, off, false), b = iteration("mnist", data, on, false);
        for (var e : a.fCur().entrySet())
            assertThat(b.fCur().get(e.getKey())).as(e.getKey()).containsExactly(e.getValue());
        for (int i = 0; i < a.refined().size(); i++)
            assertThat(b.refined().get(i)).containsExactly(a.refined().get(i));
    }

    @Test
    void mlpWithRepeatedDrawsMatches() {
        // M = 30 from N = 10 on the MLP: rows are independent, only the loss counts
        ContinualData data = SyntheticData.mnistShaped(3);
        Map<String, String> off =
                Map.of("recall_from_t", "0", "mlp_hidden", "32", "M", "30", "dedup", "off");
        Map<String, String> on =
                Map.of("recall_from_t", "0", "mlp_hidden", "32", "M", "30", "dedup", "on");
        Run a = iteration("mnist", data, off, false), b = iteration("mnist", data, on, false);
        assertThat(
                        relative(
                                b.refined().get(b.refined().size() - 1),
                                a.refined().get(a.refined().size() - 1)))
                .isLessThan(1e-4);
        assertThat(relative(b.fCur(), a.fCur())).isLessThan(1e-4);
    }

    @Test
    void dedupIsAnArmOptionAndRefusesTheUncountedBatchStatisticsTerm() {
        assertThat(Methods.create("ARM", "cifar10", Map.of("dedup", "off")).options())
                .containsEntry("dedup", "off");
        assertThatThrownBy(() -> Methods.create("ADI", "cifar10", Map.of("dedup", "on")))
                .hasMessageContaining("no option 'dedup'");
        assertThatThrownBy(
                        () ->
                                Methods.create(
                                        "ARM", "cifar10", Map.of("dedup", "on", "w_bs", "0.1")))
                .hasMessageContaining("dedup");
        assertThatThrownBy(() -> Methods.create("ARM", "cifar10", Map.of("dedup", "maybe")))
                .hasMessageContaining("dedup");
    }

    @Test
    void analysesStillSeeTheMReplicatedImages() {
        ContinualData data = SyntheticData.cifarShaped(3);
        Stepper run = Stepper.create(Methods.create("ARM", "cifar10", cifar(1, true)), data, 42);
        var learner = (RecallMethod.RecallLearner) run.learner();
        ContinualMethod.Batch b =
                ContinualMethod.batch(data, 0, 0, new boolean[data.numClasses()], Device.CPU);
        RecallMethod.RecallLearner.Recalled r =
                learner.frozenCopy(new SplittableRandom(1)).recallOnly(b);
        assertThat(r.xhat().shape).containsExactly(M, 3, 32, 32);
        assertThat(r.oldLogits().shape).containsExactly(M, 10);
        float[] x = r.xhat().toArray();
        int per = 3 * 32 * 32;
        for (int i = 1; i < M; i++) // copies of one real row are the same image
        for (int j = 0; j < i; j++)
                if (r.rows()[i] == r.rows()[j]) {
                    assertThat(Arrays.copyOfRange(x, i * per, (i + 1) * per))
                            .containsExactly(Arrays.copyOfRange(x, j * per, (j + 1) * per));
                    break;
                }
    }

    @Test
    void distinctRowsOfDraws() {
        DistinctRows d = DistinctRows.of(new int[] {3, 1, 3, 3, 0, 1}, 5);
        assertThat(d.rows()).containsExactly(3, 1, 0);
        assertThat(d.counts()).containsExactly(3, 2, 1);
        assertThat(d.slot()).containsExactly(0, 1, 0, 0, 2, 1);
        assertThat(d.repeats()).isTrue();
        assertThat(DistinctRows.of(new int[] {2, 0, 1}, 3).repeats()).isFalse();
        Tensor t = Tensor.of(new float[] {10, 11, 20, 21, 30, 31}, 3, 2);
        assertThat(d.expand(t).toArray())
                .containsExactly(10, 11, 20, 21, 10, 11, 10, 11, 30, 31, 20, 21);
    }
}
