package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.Cifar10;
import arm.data.ContinualData;
import arm.method.ContinualMethod.Batch;
import arm.nn.Module;
import arm.nn.ResNet18;
import arm.nn.Sgd;
import arm.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ARM end to end on synthetic data in the real CIFAR-10 binary format: files → {@link Cifar10}
 * protocol → ResNet18 (nf = 4 for speed) → the ARM learner with M = 20 recalled images drawn from N
 * = 10. Checks that training lowers the loss, that recall changes the inputs, and that duplicated
 * recalled images stay bitwise identical through refinement (ALGORITHM.md §2.1).
 */
class ResNetArmSmokeTest {
    @TempDir Path dir;

    /** 100 images per class: a random prototype per class plus noise, in 5 binary files + test. */
    ContinualData writeAndLoad() throws IOException {
        SplittableRandom r = new SplittableRandom(11);
        byte[][] proto = new byte[10][Cifar10.IMAGE_BYTES];
        for (byte[] p : proto) r.nextBytes(p);
        Path bin = Files.createDirectories(dir.resolve(Cifar10.BIN_DIR));
        for (int f = 0; f <= 5; f++) {
            int n = f < 5 ? 200 : 20;
            byte[] out = new byte[n * Cifar10.RECORD_BYTES];
            for (int i = 0; i < n; i++) {
                int c = (i * 7 + f) % 10, o = i * Cifar10.RECORD_BYTES;
                out[o] = (byte) c;
                for (int j = 0; j < Cifar10.IMAGE_BYTES; j++)
                    out[o + 1 + j] =
                            (byte)
                                    Math.max(
                                            0,
                                            Math.min(
                                                    255,
                                                    (proto[c][j] & 0xFF) + r.nextInt(81) - 40));
            }
            Files.write(
                    bin.resolve(f < 5 ? "data_batch_" + (f + 1) + ".bin" : "test_batch.bin"), out);
        }
        return Cifar10.load(dir, 1);
    }

    /**
     * Mean CE of a copy of the model (train-mode BN, no grad) on images idx: the model is
     * untouched.
     */
    static float loss(Module net, ContinualData d, int[] idx) {
        Module probe = net.copy();
        try (var ng = Autograd.noGrad()) {
            return F.crossEntropy(
                            probe.forward(Var.constant(d.train().batch(idx))),
                            d.train().labels(idx))
                    .value
                    .item();
        }
    }

    @Test
    void armOnResNetLearnsAndRecalls() throws IOException {
        ContinualData data = writeAndLoad();
        assertThat(data.batchesPerTask()).isEqualTo(19);
        RecallMethod arm =
                (RecallMethod) Methods.create("ARM", Map.of("M", "20", "S", "3", "resnet_nf", "4"));
        ResNet18 fCur = new ResNet18(ResNet18.Variant.CIFAR10, 4, new SplittableRandom(3));
        Sgd opt = new Sgd(fCur.parameters(), 0.01f);
        RecallMethod.RecallLearner learner = arm.learner(fCur, opt, data, new SplittableRandom(4));

        List<Tensor> refined = new ArrayList<>();
        learner.trace(
                (event, t, xhat) -> {
                    if (event.equals("targets")) refined.add(Tensor.of(xhat.toArray(), xhat.shape));
                });
        int[] probe = new int[40];
        for (int i = 0; i < 40; i++) probe[i] = data.stream()[i];
        float before = loss(fCur, data, probe);

        boolean[] seen = new boolean[10];
        int recallIterations = 3, last = data.batchesPerTask() + recallIterations;
        List<Tensor> reals = new ArrayList<>();
        for (int t = 0; t < last; t++) {
            if (t == data.batchesPerTask()) // end of task 1 (here 2.17 → 0.39)
            assertThat(loss(fCur, data, probe)).isLessThan(0.5f * before);
            int[] idx = data.batch(t);
            int[] y = data.train().labels(idx);
            Batch b =
                    new Batch(
                            t,
                            data.train().batch(idx),
                            y,
                            ContinualMethod.distinct(y),
                            seen.clone());
            if (t >= data.batchesPerTask()) reals.add(b.x());
            fCur.train();
            learner.train(b);
            for (int c : y) seen[c] = true;
        }
        assertThat(refined).hasSize(recallIterations); // recall from t = T on

        for (int k = 0; k < recallIterations; k++) {
            float[] xhat = refined.get(k).toArray(), real = reals.get(k).toArray();
            int d = Cifar10.IMAGE_BYTES;
            Set<String> distinct = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                float[] row = Arrays.copyOfRange(xhat, i * d, (i + 1) * d);
                distinct.add(Arrays.toString(row));
                double nearest = Double.MAX_VALUE;
                for (int j = 0; j < 10; j++) {
                    double diff = 0;
                    for (int p = 0; p < d; p++)
                        diff = Math.max(diff, Math.abs(row[p] - real[j * d + p]));
                    nearest = Math.min(nearest, diff);
                }
                assertThat(nearest)
                        .as("recalled image %d moved away from every real image", i)
                        .isGreaterThan(1e-4);
                for (float v : row) assertThat(Float.isFinite(v)).isTrue();
            }
            // 20 draws from 10 images: copies of one image got identical gradients and stayed
            // identical
            assertThat(distinct.size()).isLessThanOrEqualTo(10);
        }
    }
}
