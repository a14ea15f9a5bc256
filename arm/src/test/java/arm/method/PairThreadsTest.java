package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.kernels.cpu.CpuThreads;
import arm.run.IterationParity;
import arm.tensor.HostPool;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ARM's and ADI's steps give the same bits whether f_old's half runs on the partner thread or on
 * the caller ({@link Pair}): several iterations from a fixed seed, f_cur's and f_old's weights and
 * BatchNorm statistics compared bit for bit, on a small ResNet18 (dedup on and off, ARM with the
 * batch-statistics term, ADI with aux_distill) and on the MNIST MLP. ADI recalls from the second
 * task on (it needs a past class), so its runs go three iterations into it.
 */
class PairThreadsTest {
    @AfterEach
    void restore() {
        Pair.use(Pair.mode(System.getProperty("arm.pair", "auto")));
    }

    @Test
    void autoPairsLargeStepsWithTwoOrMoreThreads() {
        Pair.use(Pair.Mode.AUTO);
        boolean two = CpuThreads.threads() > 1;
        assertThat(Pair.worth(0, false)).isFalse(); // not measured yet
        assertThat(Pair.worth(1_000_000, false)).isFalse(); // the MNIST MLP's ~1 ms steps
        assertThat(Pair.worth(60_000_000, false)).isEqualTo(two); // ResNet18's
        assertThat(Pair.worth(Pair.LARGE_NANOS / 2, true)).isEqualTo(two);
        Pair.use(Pair.Mode.OFF);
        assertThat(Pair.worth(60_000_000, false)).isFalse();
        Pair.use(Pair.Mode.ON);
        assertThat(Pair.worth(0, false)).isTrue();
    }

    @Test
    void resnetGivesTheSameBitsOnOneOrTwoThreads() {
        ContinualData data = SyntheticData.cifarShaped(3);
        Map<String, String> small = Map.of("resnet_nf", "4", "S", "3", "recall_from_t", "0");
        same("ARM", "cifar10", data, small, 3);
        same("ARM", "cifar10", data, with(small, "dedup", "off"), 2);
        same("ARM", "cifar10", data, with(small, "w_bs", "0.5"), 2);
        same("ADI", "cifar10", data, with(small, "aux_distill", "on"), 8 + 3);
    }

    /**
     * Convolution weights held through each recall (WeightPacks trusting them instead of comparing
     * them every call) give the bits of comparing every call, over iterations whose SGD steps
     * change f_cur and refreshes that change f_old (lag unit), with and without the partner.
     */
    @Test
    void heldConvolutionWeightsGiveTheComparedBits() {
        ContinualData data = SyntheticData.cifarShaped(3);
        Map<String, String> small =
                Map.of("resnet_nf", "4", "S", "3", "recall_from_t", "0", "lag", "unit");
        try {
            for (boolean partner : new boolean[] {false, true}) {
                arm.kernels.cpu.fast.WeightPacks.holding(false);
                Map<String, float[]> compared = run("ARM", "cifar10", data, small, 4, partner);
                arm.kernels.cpu.fast.WeightPacks.holding(true);
                Map<String, float[]> held = run("ARM", "cifar10", data, small, 4, partner);
                assertThat(held.keySet()).isEqualTo(compared.keySet());
                for (String k : compared.keySet())
                    assertThat(Arrays.equals(held.get(k), compared.get(k)))
                            .as("partner " + partner + ": " + k)
                            .isTrue();
            }
        } finally {
            arm.kernels.cpu.fast.WeightPacks.holding(true);
        }
    }

    /**
     * Step B's backward per branch (the real part's on the partner) gives the bits of the joint
     * backward on the summed loss, with and without the partner.
     */
    @Test
    void stepBsBranchesGiveTheJointBackwardsBits() {
        ContinualData data = SyntheticData.cifarShaped(3);
        Map<String, String> small = Map.of("resnet_nf", "4", "S", "2", "recall_from_t", "0");
        Map<String, float[]> joint = run("ARM", "cifar10", data, small, 3, false, false);
        for (boolean partner : new boolean[] {false, true}) {
            Map<String, float[]> split = run("ARM", "cifar10", data, small, 3, partner, true);
            assertThat(split.keySet()).isEqualTo(joint.keySet());
            for (String k : joint.keySet())
                assertThat(Arrays.equals(split.get(k), joint.get(k)))
                        .as("partner " + partner + ": " + k)
                        .isTrue();
        }
    }

    /**
     * Step A with the convolutions' weight gradients on the partner (jobs beside the rest of the
     * backward) gives the bits of the one-thread backward.
     */
    @Test
    void stepAsWeightGradientsOnThePartnerGiveTheOneThreadBits() {
        ContinualData data = SyntheticData.cifarShaped(3);
        Map<String, String> small = Map.of("resnet_nf", "4", "S", "2", "recall_from_t", "0");
        Map<String, float[]> one = run("ARM", "cifar10", data, small, 3, false, true, true),
                plain = run("ARM", "cifar10", data, small, 3, true, true, false),
                split = run("ARM", "cifar10", data, small, 3, true, true, true);
        for (Map<String, float[]> other : List.of(plain, split)) {
            assertThat(other.keySet()).isEqualTo(one.keySet());
            for (String k : one.keySet())
                assertThat(Arrays.equals(other.get(k), one.get(k))).as(k).isTrue();
        }
    }

    @Test
    void mlpGivesTheSameBitsOnOneOrTwoThreads() {
        ContinualData data = SyntheticData.mnistShaped(3);
        Map<String, String> opts = Map.of("S", "4", "recall_from_t", "0", "lag", "unit");
        same("ARM", "mnist", data, opts, 6);
        same("ADI", "mnist", data, opts, 4 + 3);
    }

    @Test
    void aFinishedRunDropsThePartnersPool() {
        run(
                "ARM",
                "cifar10",
                SyntheticData.cifarShaped(3),
                Map.of("resnet_nf", "4", "S", "2", "recall_from_t", "0"),
                2,
                true);
        HostPool.clear();
        long withPartner = HostPool.heldFloats();
        Pair.clearPartnerPool();
        long after = HostPool.heldFloats();
        assertThat(after).as("f_old's halves left arrays on the partner").isLessThan(withPartner);
        Pair.clearPartnerPool();
        assertThat(HostPool.heldFloats()).isEqualTo(after);
    }

    private static void same(
            String method,
            String dataset,
            ContinualData data,
            Map<String, String> options,
            int iterations) {
        Map<String, float[]> one = run(method, dataset, data, options, iterations, false),
                two = run(method, dataset, data, options, iterations, true);
        assertThat(Thread.getAllStackTraces().keySet())
                .as("the partner thread ran")
                .anyMatch(t -> t.getName().equals("arm-pair"));
        assertThat(two.keySet()).isEqualTo(one.keySet());
        for (String k : one.keySet())
            assertThat(Arrays.equals(two.get(k), one.get(k)))
                    .as(method + " " + options + ": " + k)
                    .isTrue();
    }

    private static Map<String, float[]> run(
            String method,
            String dataset,
            ContinualData data,
            Map<String, String> options,
            int iterations,
            boolean partner) {
        return run(method, dataset, data, options, iterations, partner, true);
    }

    private static Map<String, float[]> run(
            String method,
            String dataset,
            ContinualData data,
            Map<String, String> options,
            int iterations,
            boolean partner,
            boolean splitStepB) {
        return run(method, dataset, data, options, iterations, partner, splitStepB, true);
    }

    private static Map<String, float[]> run(
            String method,
            String dataset,
            ContinualData data,
            Map<String, String> options,
            int iterations,
            boolean partner,
            boolean splitStepB,
            boolean splitStepA) {
        Pair.use(partner ? Pair.Mode.ON : Pair.Mode.OFF);
        Stepper run = Stepper.create(Methods.create(method, dataset, options), data, 11);
        var learner = (RecallMethod.RecallLearner) run.learner();
        learner.splitStepB = splitStepB;
        learner.splitStepA = splitStepA;
        for (int t = 0; t < iterations; t++) run.train(t);
        Map<String, float[]> out = new LinkedHashMap<>();
        IterationParity.state(run.model()).forEach((k, v) -> out.put("f_cur." + k, v));
        IterationParity.state(learner.fOld).forEach((k, v) -> out.put("f_old." + k, v));
        return out;
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        Map<String, String> out = new LinkedHashMap<>(m);
        out.put(k, v);
        return out;
    }
}
