package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.Cifar10;
import arm.method.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reproduce cifar10 / miniimagenet} and {@code train --dataset}: data, defaults, messages.
 */
class BenchmarkCliTest {
    @TempDir Path tmp;

    @Test
    void missingCifarSaysWhichFilesAndWhere() {
        MainTest.Outcome o =
                MainTest.run("reproduce", "cifar10", "--data", tmp.resolve("none").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err())
                .contains("cifar-10-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar.html");
        assertThat(o.err().lines().count()).isEqualTo(1);
        o = MainTest.run("reproduce", "cifar10", "--data", tmp.toString());
        assertThat(o.err())
                .contains(
                        "cifar-10-batches-py/{data_batch_1..5,test_batch}", "cifar-10-batches-bin");
    }

    @Test
    void missingMiniImageNetSaysWhichFilesAndWhere() {
        MainTest.Outcome o = MainTest.run("reproduce", "miniimagenet", "--data", tmp.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err())
                .contains("train.csv", "images/", "meta-learning-lstm", "mini-imagenet.zip");
        assertThat(o.err().lines().count()).isEqualTo(1);
    }

    /** Tiny CIFAR-10 binary files: 100 images per class, 30 test images. */
    Path writeCifar() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("cifar").resolve(Cifar10.BIN_DIR));
        SplittableRandom r = new SplittableRandom(1);
        for (int f = 0; f <= 5; f++) {
            int n = f < 5 ? 200 : 30;
            byte[] b = new byte[n * Cifar10.RECORD_BYTES];
            r.nextBytes(b);
            for (int i = 0; i < n; i++) b[i * Cifar10.RECORD_BYTES] = (byte) ((i + f) % 10);
            Files.write(
                    bin.resolve(f < 5 ? "data_batch_" + (f + 1) + ".bin" : "test_batch.bin"), b);
        }
        return tmp.resolve("cifar");
    }

    @Test
    void reproduceCifarUsesItsDataDefaultsAndPaperRows() throws Exception {
        Path data = writeCifar();
        List<String> datasets = new ArrayList<>();
        MethodFactory spy =
                new MethodFactory() {
                    @Override
                    public Method create(String name, Map<String, String> options) {
                        throw new AssertionError("the dataset must be passed");
                    }

                    @Override
                    public Method create(String name, String dataset, Map<String, String> options) {
                        datasets.add(dataset);
                        return FakeMethod.create(name, options);
                    }
                };
        MainTest.Outcome o =
                MainTest.run(
                        spy,
                        "reproduce",
                        "cifar10",
                        "--methods",
                        "Naive,ARM",
                        "--runs",
                        "1",
                        "--data",
                        data.toString(),
                        "--out",
                        tmp.resolve("out").toString(),
                        "--threads",
                        "1");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(datasets).containsExactly("cifar10", "cifar10");
        assertThat(o.out())
                .contains(
                        "CIFAR10-5",
                        "train 950 / val 50 / test 30",
                        "95 iterations per run",
                        "26.4 ± 1.2 / 8.1 ± 5.2",
                        "15.0 ± 3.1 / 69.4 ± 4.7",
                        "(the last 250 per class; disjoint)");

        MainTest.Outcome t =
                MainTest.run(
                        spy,
                        "train",
                        "--method",
                        "ARM",
                        "--dataset",
                        "cifar10",
                        "--M",
                        "7",
                        "--data",
                        data.toString(),
                        "--out",
                        tmp.resolve("out2").toString());
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(datasets).hasSize(3).last().isEqualTo("cifar10");
    }

    @Test
    void thePublishedFactoryTakesEachDatasetsDefaults() {
        assertThat(MethodFactory.PUBLISHED.create("ARM", "cifar10", Map.of()).options())
                .containsEntry("M", "100")
                .containsEntry("lr", "0.01")
                .containsEntry("lambda3", "16.0");
        assertThat(MethodFactory.PUBLISHED.create("ARM", "miniimagenet", Map.of()).options())
                .containsEntry("lambda3", "1.0")
                .containsEntry("lambda0_real", "2.0");
        assertThat(MethodFactory.PUBLISHED.create("Naive", "cifar10", Map.of()).options())
                .containsEntry("lr", "0.1");
        assertThat(MethodFactory.PUBLISHED.create("ADI", "cifar10", Map.of()).options())
                .containsEntry("w_bs", "0.1");
    }
}
