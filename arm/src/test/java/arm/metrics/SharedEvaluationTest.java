package arm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.data.SyntheticData;
import arm.method.ContinualMethod;
import arm.nn.ResNet18;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A shared evaluation ({@link SharedEvaluation}: batches taken by the owner and a helping thread)
 * gives {@link Evaluator#evaluateRows}'s accuracies, whichever thread computed which batch.
 */
class SharedEvaluationTest {
    private static final int K = 7;

    /** Logits from the item's bytes (a function of the item alone), slowly. */
    private static Evaluator.RowLogits slowModel() {
        return (d, start, b) -> {
            float[] z = new float[b * K];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < d.itemSize(); j++)
                    z[i * K + (j % K)] +=
                            (d.pixels()[(start + i) * d.itemSize() + j] & 0xff) * (j + 1);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return z;
        };
    }

    private static Dataset data(String name, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 5];
        r.nextBytes(px);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(K);
        return new Dataset(name, px, y, new int[] {5});
    }

    @Test
    void ownerAndHelperGiveTheSequentialAccuracies() throws Exception {
        Dataset val = data("val", 103, 1), test = data("test", 250, 2);
        AtomicInteger serialBatches = new AtomicInteger();
        SharedEvaluation s =
                new SharedEvaluation(
                        SharedEvaluationTest::slowModel,
                        K,
                        (serial, batch) -> {
                            if (serial) serialBatches.incrementAndGet();
                            batch.run();
                        },
                        new Dataset[] {val, test},
                        new int[] {10, 7});
        AtomicInteger helped = new AtomicInteger();
        Thread helper = new Thread(() -> helped.set(s.help()));
        helper.start();
        Evaluator.Accuracy[] got = s.run();
        helper.join();
        assertThat(helped.get()).as("the helper's batches").isPositive();
        assertThat(serialBatches.get()).isGreaterThanOrEqualTo(helped.get());
        assertThat(s.left()).isZero();
        Evaluator.Accuracy[] want = {
            Evaluator.evaluateRows(slowModel(), val, K, 10),
            Evaluator.evaluateRows(slowModel(), test, K, 7)
        };
        for (int i = 0; i < 2; i++) {
            assertThat(got[i].perClass()).containsExactly(want[i].perClass());
            assertThat(got[i].pooled()).isEqualTo(want[i].pooled());
        }
        assertThat(want[1].pooled()).isBetween(0.01, 0.99);
        assertThat(s.help()).as("nothing left to help with").isZero();
    }

    @Test
    void aHelpersFailureReachesTheOwner() {
        Dataset val = data("val", 40, 3);
        AtomicReference<Thread> owner = new AtomicReference<>(Thread.currentThread());
        SharedEvaluation s =
                new SharedEvaluation(
                        () ->
                                (d, start, b) -> {
                                    if (Thread.currentThread() != owner.get())
                                        throw new IllegalStateException("helper's batch failed");
                                    return slowModel().logits(d, start, b);
                                },
                        K,
                        (serial, batch) -> batch.run(),
                        new Dataset[] {val},
                        new int[] {1});
        Thread helper = new Thread(s::help);
        helper.start();
        assertThatThrownBy(s::run).hasMessageContaining("helper's batch failed");
    }

    /** ResNet18 (eval mode, a training thread helping): the point of a plain evaluation. */
    @Test
    void resNetPointWithAHelperEqualsThePlainOne() throws Exception {
        ContinualData data = SyntheticData.cifarShaped(5);
        ResNet18 net = new ResNet18(ResNet18.Variant.CIFAR10, 4, new SplittableRandom(3));
        int[] seen = {0, 1, 2, 3};
        EvalPoint plain = ContinualMethod.evaluate(net, data, 7, seen, 1);
        Thread[] helper = new Thread[1];
        EvalPoint shared =
                ContinualMethod.evaluate(
                        net,
                        data,
                        7,
                        seen,
                        1,
                        s -> {
                            helper[0] = new Thread(s::help);
                            helper[0].start();
                        });
        helper[0].join();
        assertThat(shared.valPerClass()).containsExactly(plain.valPerClass());
        assertThat(shared.testPerClass()).containsExactly(plain.testPerClass());
        assertThat(net.isTraining()).isTrue();
    }
}
